"""An organisation's side of scrutiny: its returns' challenges, moderated ratings and feedback,
and answering a challenge (with evidence if it wishes)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from learning import action_plans
from surveys.errors import NotReviewable, ScrutinyError
from surveys.evidence import EvidenceRejected, Upload
from surveys.models import Challenge, ChallengeStatus
from surveys.scrutiny import challenges, reviews
from surveys.scrutiny import returns as scrutiny_returns
from webapp.database import get_session
from webapp.form_pages import data_folder, definitions
from webapp.scrutiny.blueprint import bp, definition_for, organisation, today
from webapp.scrutiny.forms import AnswerForm
from webapp.scrutiny.triangulation import triangulation_of


@bp.get("/your-returns")
@organisation
def organisation_returns() -> ResponseReturnValue:
    session = get_session()
    own = scrutiny_returns.organisation_returns(session, g.member.organisation_id, definitions())
    missing = {
        found.response.id: action_plans.without_agreed_action(
            session, found.response, definition_for(found.response)
        )
        for found in own
    }
    return render_template("scrutiny/organisation_returns.html", returns=own, missing=missing)


@bp.get("/your-returns/<int:return_id>")
@organisation
def organisation_return(return_id: int) -> ResponseReturnValue:
    session = get_session()
    try:
        response = scrutiny_returns.own_return(session, g.member, return_id)
    except NotReviewable:
        abort(404)
    scrutiny = reviews.scrutiny_of(session, response, definition_for(response))
    every = [c for standard in scrutiny.standards for c in standard.challenges]
    return render_template(
        "scrutiny/organisation_return.html",
        scrutiny=scrutiny,
        plans=action_plans.action_plan(session, response, definition_for(response)),
        today=today(),
        evidence=challenges.evidence_of(session, every),
        every_challenge=every,
        to_answer=[c for c in every if c.status is ChallengeStatus.OPEN],
        triangulation=triangulation_of(response),
    )


def _challenge_or_404(challenge_id: int) -> Challenge:
    try:
        return challenges.challenge_for_organisation(get_session(), challenge_id, g.member)
    except NotReviewable:
        abort(404)


@bp.route("/challenges/<int:challenge_id>/answer", methods=["GET", "POST"])
@organisation
def answer(challenge_id: int) -> ResponseReturnValue:
    found = _challenge_or_404(challenge_id)
    form = AnswerForm()
    if form.validate_on_submit():
        upload = form.evidence.data
        try:
            challenges.answer_challenge(
                get_session(),
                found,
                text=form.answer.data or "",
                member=g.member,
                upload=Upload(upload.filename or "", upload.stream) if upload else None,
                evidence_folder=data_folder() / "evidence",
            )
        except EvidenceRejected as error:
            form.evidence.errors = [*form.evidence.errors, str(error)]
        except ScrutinyError as error:
            form.answer.errors = [*form.answer.errors, str(error)]
        else:
            flash(f"Your answer on standard {found.standard_ref} has been sent to the reviewer")
            return redirect(url_for("scrutiny.organisation_return", return_id=found.response_id))
    return render_template(
        "scrutiny/answer.html",
        challenge=found,
        form=form,
        evidence=challenges.evidence_of(get_session(), [found]).get(found.id, []),
    ), 400 if form.errors else 200
