"""Practice concerns and near misses at /concerns: the link practitioners use (no sign-in) and
the quality group's triage queue. The form itself is answered at /f/<token> like any link form,
screened for possible disclosures at submission (the designated lead is alerted)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from surveys import concerns, engine, responses
from surveys.case_reviews import records
from surveys.errors import AuditError, AuditNotFound
from surveys.models import Role, TriageStatus, utcnow
from webapp.access import roles
from webapp.audits import forms
from webapp.database import get_session
from webapp.form_pages import definition_of, definitions
from webapp.reviews.forms import show_error

bp = Blueprint("concerns", __name__, url_prefix="/concerns")
quality_group = roles(Role.QUALITY_GROUP)
NOT_REFERRED = 0


def _link_url(token: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for("respond.start", token=token)


@bp.get("")
@quality_group
def index() -> ResponseReturnValue:
    session = get_session()
    return render_template(
        "audits/concerns.html",
        links=[_link_url(link.token) for link in concerns.concern_links(session)],
        queue=concerns.triage_queue(session),
    )


@bp.post("/link")
@quality_group
def open_link() -> ResponseReturnValue:
    concerns.open_concern_link(
        get_session(), definitions().latest(concerns.CONCERN_FORM), by=g.user
    )
    flash("The practice concern form is open: share its link with practitioners")
    return redirect(url_for("concerns.index"))


@bp.route("/<int:concern_id>", methods=["GET", "POST"])
@quality_group
def concern(concern_id: int) -> ResponseReturnValue:
    session = get_session()
    try:
        found = concerns.get_concern(session, concern_id)
    except AuditNotFound:
        abort(404)
    triage = concerns.triage_of(session, found.id)
    form = forms.TriageForm(
        data={
            "status": (triage.status if triage else TriageStatus.NEW).value,
            "reason": triage.reason if triage else "",
            "case_review_id": (triage.case_review_id if triage else None) or NOT_REFERRED,
        }
    )
    form.case_review_id.choices = [(NOT_REFERRED, "Not referred")] + [
        (s.review.id, s.review.reference) for s in records.list_reviews(session, utcnow().date())
    ]
    if form.validate_on_submit():
        try:
            concerns.set_triage(
                session,
                found.id,
                status=TriageStatus(form.status.data),
                reason=form.reason.data or "",
                case_review_id=form.case_review_id.data or None,
                by=g.user,
            )
        except AuditError as error:
            show_error(form, error)
        else:
            flash("The concern’s triage has been saved")
            return redirect(url_for("concerns.index"))
    definition = definition_of(found)
    rows = engine.summary_rows(definition, responses.answers_of(found))
    return render_template(
        "audits/concern.html", concern=found, rows=rows, form=form
    ), 400 if form.errors else 200
