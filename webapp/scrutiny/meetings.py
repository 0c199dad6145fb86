"""Challenge meetings and peer challenge events: list, record one, its outcomes."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from surveys import organisations
from surveys.errors import NotReviewable, ScrutinyError
from surveys.models import MeetingKind, ReviewMeeting
from surveys.scrutiny import meetings
from surveys.scrutiny import reviewers as who_reviews
from webapp.database import get_session
from webapp.form_pages import definitions
from webapp.forms import first_problem
from webapp.scrutiny.blueprint import bp, oversight
from webapp.scrutiny.forms import MeetingForm, OutcomeForm


@bp.get("/meetings")
@oversight
def meetings_list() -> ResponseReturnValue:
    return render_template("scrutiny/meetings.html", meetings=meetings.list_meetings(get_session()))


def _meeting_form() -> MeetingForm:
    session = get_session()
    form = MeetingForm()
    form.organisations.choices = [
        (o.id, o.name) for o in organisations.list_organisations(session, include_inactive=False)
    ]
    cycles = who_reviews.reviewable_cycles(session, g.member, definitions())
    form.cycle.choices = [("", "None")] + [(str(c.id), c.title) for c in cycles]
    return form


@bp.route("/meetings/new", methods=["GET", "POST"])
@oversight
def meeting_new() -> ResponseReturnValue:
    form = _meeting_form()
    if form.validate_on_submit() and form.held_on.data is not None:
        new = meetings.NewMeeting(
            kind=MeetingKind(form.kind.data),
            held_on=form.held_on.data,
            attendees=form.attendees.data or "",
            organisation_ids=tuple(form.organisations.data or ()),
            cycle_id=int(form.cycle.data) if form.cycle.data else None,
        )
        try:
            meeting = meetings.record_meeting(get_session(), new, recorded_by=g.user.id)
        except NotReviewable:
            abort(404)
        except ScrutinyError as error:
            field = form.organisations if "organisation" in str(error) else form.attendees
            field.errors = [*field.errors, str(error)]
        else:
            flash("The meeting has been recorded: now record the outcome for each organisation")
            return redirect(url_for("scrutiny.meeting", meeting_id=meeting.id))
    return render_template("scrutiny/meeting_new.html", form=form), 400 if form.errors else 200


def _meeting_or_404(meeting_id: int) -> ReviewMeeting:
    try:
        return meetings.get_meeting(get_session(), meeting_id)
    except NotReviewable:
        abort(404)


def _meeting_page(
    meeting: ReviewMeeting, *, failed: OutcomeForm | None = None, failed_for: int | None = None
) -> ResponseReturnValue:
    forms = {
        outcome.organisation_id: failed
        if failed is not None and failed_for == outcome.organisation_id
        else OutcomeForm(
            prefix=f"outcome-{outcome.organisation_id}",
            formdata=None,
            data={"outcome": outcome.outcome},
        )
        for outcome in meeting.outcomes
    }
    errors = None
    if failed is not None and (problem := first_problem(failed)):
        errors = [{"text": problem[1], "href": f"#{failed[problem[0]].id}"}]
    return render_template(
        "scrutiny/meeting.html", meeting=meeting, forms=forms, errors=errors
    ), 400 if failed is not None else 200


@bp.get("/meetings/<int:meeting_id>")
@oversight
def meeting(meeting_id: int) -> ResponseReturnValue:
    return _meeting_page(_meeting_or_404(meeting_id))


@bp.post("/meetings/<int:meeting_id>/outcomes/<int:organisation_id>")
@oversight
def meeting_outcome(meeting_id: int, organisation_id: int) -> ResponseReturnValue:
    found = _meeting_or_404(meeting_id)
    form = OutcomeForm(prefix=f"outcome-{organisation_id}")
    if form.validate_on_submit():
        try:
            meetings.record_outcome(get_session(), found, organisation_id, form.outcome.data or "")
        except NotReviewable:
            abort(404)
        except ScrutinyError as error:
            form.outcome.errors = [*form.outcome.errors, str(error)]
        else:
            flash("The outcome has been saved")
            return redirect(url_for("scrutiny.meeting", meeting_id=found.id))
    if all(o.organisation_id != organisation_id for o in found.outcomes):
        abort(404)
    return _meeting_page(found, failed=form, failed_for=organisation_id)
