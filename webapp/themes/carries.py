"""The quality group confirms where an old theme went before its decisions move to a new one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from learning import carries, errors
from learning.models import ThemeFate, ThemingRun
from surveys.models import Role
from webapp.access import roles
from webapp.database import get_session

bp = Blueprint("carries", __name__, url_prefix="/quality")
quality_group = roles(Role.QUALITY_GROUP, Role.PARTNERSHIP_ADMIN)
CHOOSE = "Choose the theme it became, or leave its decisions with the old theme"


def _page(run: ThemingRun, problem: tuple[int, str] | None = None) -> ResponseReturnValue:
    pending = carries.pending_carries(get_session(), run.id)
    errors_list = [{"text": problem[1], "href": f"#target-{problem[0]}"}] if problem else []
    return render_template(
        "themes/carries.html", run=run, carries=pending, problem=problem, errors=errors_list
    ), (400 if problem else 200)


@bp.get("/runs/<int:run_id>/carries")
@quality_group
def run_carries(run_id: int) -> ResponseReturnValue:
    run = get_session().get(ThemingRun, run_id) or abort(404)
    return _page(run)


@bp.post("/carries/<int:fate_id>")
@quality_group
def decide(fate_id: int) -> ResponseReturnValue:
    fate = get_session().get(ThemeFate, fate_id) or abort(404)
    run = get_session().get(ThemingRun, fate.run_id) or abort(404)
    choice = request.form.get("target", "")
    try:
        if choice == "leave":
            carries.leave_carry(get_session(), fate.id, user=g.user)
            flash("The decisions stay with the old theme")
        elif choice.isdigit():
            carries.confirm_carry(get_session(), fate.id, int(choice), user=g.user)
            flash("The decisions now follow the theme you chose")
        else:
            return _page(run, (fate.id, CHOOSE))
    except errors.LearningError as error:
        get_session().rollback()
        return _page(run, (fate.id, str(error)))
    return redirect(url_for("carries.run_carries", run_id=run.id))
