"""Start page, each role's home, an organisation's page, assets and the health check."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    render_template,
    send_from_directory,
)
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from surveys import organisations, past_returns
from surveys.models import Role
from surveys.scrutiny import reviewers
from webapp.access import public, signed_in
from webapp.database import get_session
from webapp.queue import queue_status

bp = Blueprint("main", __name__)
ASSETS = Path(__file__).resolve().parent.parent / "static" / "govuk" / "assets"


@bp.get("/")
@signed_in
def home() -> ResponseReturnValue:
    member = g.member
    named = (
        member is not None
        and Role.REVIEWER not in member.roles
        and reviewers.is_named_reviewer(get_session(), member.user_id)
    )
    returns = (
        past_returns.organisation_returns(get_session(), member.organisation_id)
        if member is not None and member.role.belongs_to_organisation and member.organisation_id
        else []
    )
    return render_template("main/home.html", is_named_reviewer=named, returns=returns)


@bp.get("/assets/<path:filename>")
@public
def assets(filename: str) -> ResponseReturnValue:
    return send_from_directory(ASSETS, filename, max_age=3600)


@bp.get("/healthz")
@public
def healthz() -> ResponseReturnValue:
    try:
        get_session().execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # noqa: BLE001 - report, do not raise
        current_app.logger.warning("database health check failed", exc_info=True)
        database = "unavailable"
    queue = queue_status(current_app)
    healthy = database == "ok" and queue == "ok"
    return jsonify(
        status="ok" if healthy else "unavailable", database=database, queue=queue
    ), 200 if healthy else 503


@bp.get("/organisations/<int:organisation_id>")
@signed_in
def organisation(organisation_id: int) -> ResponseReturnValue:
    member = g.member
    if member is None or not (
        Role.PARTNERSHIP_ADMIN in member.roles
        or (member.organisation_role and member.organisation_id == organisation_id)
    ):
        abort(404)
    found = organisations.organisation_here(get_session(), organisation_id) or abort(404)
    return render_template(
        "main/organisation.html",
        organisation=found,
        is_active=organisations.is_active_here(get_session(), organisation_id),
        members=organisations.organisation_members(get_session(), organisation_id),
    )


@bp.get("/accessibility")
@public
def accessibility() -> ResponseReturnValue:
    return render_template("main/accessibility.html")


@bp.get("/privacy")
@public
def privacy() -> ResponseReturnValue:
    return render_template("main/privacy.html")
