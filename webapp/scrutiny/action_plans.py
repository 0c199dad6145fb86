"""Action plans on returns: the organisation proposes an action for a standard of its submitted
return (offered the rows it planned in the return), a reviewer agrees it during scrutiny.
The actions are tracked on /actions like every other (progress, evidence of impact)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from learning import action_plans, errors
from surveys.errors import NotReviewable
from surveys.models import Challenge
from surveys.scrutiny import returns as scrutiny_returns
from webapp.database import get_session
from webapp.scrutiny.blueprint import (
    bp,
    definition_for,
    organisation,
    reviewable_return,
    reviewers,
    today,
)
from webapp.scrutiny.forms import AgreeForm, ProposalForm


def _challenge_id(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


@bp.route("/your-returns/<int:return_id>/standards/<standard_ref>/action", methods=["GET", "POST"])
@organisation
def propose_action(return_id: int, standard_ref: str) -> ResponseReturnValue:
    session = get_session()
    try:
        response = scrutiny_returns.own_return(session, g.member, return_id)
    except NotReviewable:
        abort(404)
    definition = definition_for(response)
    plan = next(
        (
            p
            for p in action_plans.action_plan(session, response, definition)
            if p.standard.ref == standard_ref
        ),
        None,
    ) or abort(404)
    planned = action_plans.planned_in_return(response, definition, standard_ref)
    challenge_id = _challenge_id(request.values.get("challenge"))
    challenge = session.get(Challenge, challenge_id) if challenge_id else None
    if challenge_id is not None and (
        challenge is None
        or challenge.response_id != response.id
        or challenge.standard_ref != standard_ref
    ):
        abort(404)
    if request.method == "POST":
        form = ProposalForm()
    else:
        first = planned[0] if planned and not plan.actions else None
        form = ProposalForm(
            formdata=None,
            data={
                "description": first.description if first else "",
                "owner": first.owner if first else "",
                "due_date": first.due_date if first and first.due_date else None,
                "challenge": str(challenge.id) if challenge else "",
            },
        )
    if form.validate_on_submit() and form.due_date.data is not None:
        try:
            action_plans.propose_action(
                session,
                response,
                definition,
                standard_ref,
                action_plans.Proposal(
                    form.description.data or "",
                    form.owner.data or "",
                    form.due_date.data,
                    challenge.id if challenge else None,
                ),
                member=g.member,
                today=today(),
            )
        except errors.NotFound:
            abort(404)
        except errors.InvalidInput as error:
            field = form.field_for(str(error))
            field.errors = [*field.errors, str(error)]
        else:
            flash(
                f"Your action for standard {standard_ref} has been sent to the partnership’s "
                "reviewer to agree"
            )
            return redirect(url_for("scrutiny.organisation_return", return_id=response.id))
    return render_template(
        "scrutiny/propose_action.html",
        response=response,
        plan=plan,
        planned=planned,
        challenge=challenge,
        form=form,
    ), 400 if form.errors else 200


@bp.post("/returns/<int:return_id>/actions/<int:action_id>/agree")
@reviewers
def agree_action(return_id: int, action_id: int) -> ResponseReturnValue:
    response = reviewable_return(return_id)
    if not AgreeForm(prefix="agree").validate_on_submit():
        abort(400)
    try:
        found = action_plans.agree_action(get_session(), response, action_id, member=g.member)
    except errors.NotFound:
        abort(404)
    flash(f"The action on standard {found.standard_ref} has been agreed")
    return redirect(
        url_for("scrutiny.standard", return_id=response.id, standard_ref=found.standard_ref)
    )
