"""Check your answers, send for sign-off (contributors) and sign off and submit (the lead)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from surveys import carry_forward, changes, responses, sign_off
from surveys.errors import (
    ChangedSinceReview,
    IncompleteResponse,
    SubmissionError,
    UnconfirmedStandards,
)
from surveys.models import Cycle, Response, Role
from webapp.assessments.blueprint import (
    assigned_cycle,
    bp,
    members,
    own_response,
    return_journey,
)
from webapp.database import get_session
from webapp.form_pages import definition_of, page_titles
from webapp.notifications import tell_sent_for_sign_off, tell_submitted
from webapp.queue import after_submission

CONFIRM_ERROR = "Confirm that you are signing off this return as its senior lead"


@bp.get("/<int:cycle_id>/check")
@members
def check(cycle_id: int) -> ResponseReturnValue:
    cycle = assigned_cycle(cycle_id)
    response = own_response(cycle) or abort(404)
    return _check_page(cycle, response)


def _check_page(
    cycle: Cycle,
    response: Response,
    *,
    changed: list[changes.Change] | None = None,
    errors: list[dict[str, str]] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """Show Check your answers at the response's current version (what a lead signs off)."""
    journey = return_journey(response)
    definition = journey.definition
    titles = page_titles(definition)
    labels = {q.id: q.label for page in definition.pages for q in page.questions}
    carried = carry_forward.carried(response.answers)
    return render_template(
        "assessments/check.html",
        cycle=cycle,
        response=response,
        definition=definition,
        rows=journey.summary_rows(),
        missing=journey.missing_answers(),
        is_lead=g.member.role is Role.ORGANISATION_LEAD,
        lead_declares=bool(sign_off.declaration_ids(definition_of(response))),
        carried=carried,
        unconfirmed=[(page_id, titles.get(page_id, page_id)) for page_id in carried.unconfirmed]
        if carried
        else [],
        page_names=titles,
        changed=changed,
        question_labels=labels,
        errors=errors or [],
        confirm_error=any(error["href"] == "#confirm" for error in errors or []),
    ), status


def _reviewed_version() -> int:
    """Return the version the lead's sign-off page showed (-1, never a version, if absent)."""
    text = request.form.get("version", "")
    return int(text) if text.isdecimal() and len(text) < 10 else -1


def _page_url(cycle: Cycle, page_id: str, anchor: str = "") -> str:
    return url_for("assessments.page", cycle_id=cycle.id, page_id=page_id, back="check") + anchor


def _missing_errors(
    cycle: Cycle, response: Response, missing: list[tuple[str, str]]
) -> list[dict[str, str]]:
    labels = {q.id: q.label for q in return_journey(response).questions}
    return [
        {
            "text": f"Answer ‘{labels.get(question_id, question_id)}’",
            "href": _page_url(cycle, page_id, f"#{question_id}"),
        }
        for page_id, question_id in missing
    ]


def _unconfirmed_errors(
    cycle: Cycle, response: Response, page_ids: list[str]
) -> list[dict[str, str]]:
    titles = page_titles(return_journey(response).definition)
    return [
        {"text": f"Confirm or change {titles.get(p, p)}", "href": _page_url(cycle, p)}
        for p in page_ids
    ]


@bp.post("/<int:cycle_id>/submit")
@members
def submit(cycle_id: int) -> ResponseReturnValue:
    """The lead signs off and submits; a contributor sends the return to the lead."""
    cycle = assigned_cycle(cycle_id)
    response = own_response(cycle) or abort(404)
    definition = return_journey(response).definition
    is_lead = g.member.role is Role.ORGANISATION_LEAD
    try:
        if is_lead and request.form.get("confirm") != "yes":
            errors = [{"text": CONFIRM_ERROR, "href": "#confirm"}]
            return _check_page(cycle, response, errors=errors, status=400)
        if is_lead:
            outcome = responses.submit_response(
                get_session(),
                response,
                definition=definition,
                user=g.user,
                reviewed_version=_reviewed_version(),
            )
            if outcome.is_new:
                after_submission()
                tell_submitted(outcome.response, by=g.user)
            return redirect(url_for("assessments.overview", cycle_id=cycle.id))
        sent = responses.request_sign_off(
            get_session(), response, user=g.user, definition=definition
        )
        if sent.is_new:
            tell_sent_for_sign_off(sent.response, by=g.user)
        flash("Your organisation lead has been asked to sign this off")
    except ChangedSinceReview as error:
        get_session().refresh(response)
        return _check_page(cycle, response, changed=error.changes, status=409)
    except IncompleteResponse as error:
        errors = _missing_errors(cycle, response, error.missing)
        return _check_page(cycle, response, errors=errors, status=400)
    except UnconfirmedStandards as error:
        errors = _unconfirmed_errors(cycle, response, error.page_ids)
        return _check_page(cycle, response, errors=errors, status=400)
    except SubmissionError as error:
        flash(str(error), "error")
    return redirect(url_for("assessments.overview", cycle_id=cycle.id))
