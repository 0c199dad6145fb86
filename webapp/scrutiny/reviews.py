"""Reviewers' pages: the cycles to scrutinise, a return standard by standard (accept,
challenge, moderate), closing challenges, assurance, feedback and the evidence they open."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, send_from_directory, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from learning import action_plans
from surveys import memberships, shared_returns
from surveys.audit import record_audit
from surveys.errors import NotReviewable, ScrutinyError
from surveys.models import ChallengeKind, Cycle, EvidenceFile, Response, Role
from surveys.scrutiny import challenges, reviews
from surveys.scrutiny import returns as scrutiny_returns
from surveys.scrutiny import reviewers as who_reviews
from webapp.database import get_session
from webapp.form_pages import data_folder, definition_of, definitions
from webapp.notifications import tell_action_needed, tell_feedback_given
from webapp.scrutiny.blueprint import (
    admins,
    bp,
    definition_for,
    oversight,
    reviewable_return,
    reviewers,
    today,
)
from webapp.scrutiny.forms import (
    AcceptForm,
    AgreeForm,
    AssureForm,
    ChallengeForm,
    CloseChallengeForm,
    CycleReviewersForm,
    FeedbackForm,
    ModerationForm,
    moderation_form,
)
from webapp.scrutiny.triangulation import triangulation_of
from webapp.training.evidence import training_evidence


@bp.get("")
@oversight
def index() -> ResponseReturnValue:
    session = get_session()
    found = who_reviews.reviewable_cycles(session, g.member, definitions())
    summaries = [
        (
            cycle,
            scrutiny_returns.cycle_scrutiny(session, cycle, definition_of(cycle), today=today()),
        )
        for cycle in found
    ]
    return render_template("scrutiny/index.html", summaries=summaries)


def _cycle_or_404(cycle_id: int) -> Cycle:
    cycle = get_session().get(Cycle, cycle_id)
    if cycle is None or not who_reviews.has_standards(definition_of(cycle)):
        abort(404)
    is_admin = Role.PARTNERSHIP_ADMIN in g.member.roles
    if not is_admin and not who_reviews.may_review_cycle(get_session(), g.member, cycle):
        abort(404)
    return cycle


@bp.get("/cycles/<int:cycle_id>")
@oversight
def cycle(cycle_id: int) -> ResponseReturnValue:
    found = _cycle_or_404(cycle_id)
    session = get_session()
    return render_template(
        "scrutiny/cycle.html",
        cycle=found,
        rows=scrutiny_returns.cycle_scrutiny(session, found, definition_of(found), today=today()),
        may_review=who_reviews.may_review_cycle(session, g.member, found),
        own_organisation_id=g.member.organisation_id,
        named=who_reviews.cycle_reviewers(session, found),
    )


@bp.route("/cycles/<int:cycle_id>/reviewers", methods=["GET", "POST"])
@admins
def cycle_reviewers(cycle_id: int) -> ResponseReturnValue:
    found = _cycle_or_404(cycle_id)
    session = get_session()
    named = [n.user_id for n in who_reviews.cycle_reviewers(session, found)]
    form = CycleReviewersForm(data={"people": named})
    people = [m for m in memberships.people_here(session) if m.is_active and m.user.is_active]
    form.people.choices = [(m.user_id, m.user.name) for m in people]
    if form.validate_on_submit():
        try:
            who_reviews.name_cycle_reviewers(session, found, form.people.data, named_by=g.user.id)
        except ScrutinyError as error:
            form.people.errors = [*form.people.errors, str(error)]
        else:
            flash(f"Reviewers saved for {found.title}")
            return redirect(url_for("scrutiny.cycle", cycle_id=found.id))
    hints = [
        {
            "hint": {
                "text": ", ".join(m.role_labels)
                + (f", {m.organisation.name}" if m.organisation else "")
            }
        }
        for m in people
    ]
    return render_template(
        "scrutiny/cycle_reviewers.html", cycle=found, form=form, hints=hints
    ), 400 if form.errors else 200


@bp.get("/returns/<int:return_id>")
@reviewers
def review(return_id: int) -> ResponseReturnValue:
    response = reviewable_return(return_id)
    session = get_session()
    shared = (
        shared_returns.partnerships_of(session, response) if response.cycle.shared_round else []
    )
    return render_template(
        "scrutiny/return.html",
        scrutiny=reviews.scrutiny_of(session, response, definition_for(response)),
        plans={
            p.standard.ref: p
            for p in action_plans.action_plan(session, response, definition_for(response))
        },
        assure_form=AssureForm(prefix="assure"),
        shared_with=[p.name for p in shared],
        triangulation=triangulation_of(response),
    )


@bp.get("/returns/<int:return_id>/standards/<standard_ref>")
@reviewers
def standard(return_id: int, standard_ref: str) -> ResponseReturnValue:
    return _standard_page(reviewable_return(return_id), standard_ref)


def _standard_page(
    response: Response,
    ref: str,
    *,
    failed: ChallengeForm | ModerationForm | CloseChallengeForm | None = None,
    closing: int | None = None,
) -> ResponseReturnValue:
    """The page of one standard; `failed` is a form posted with problems (shown with them)."""
    session = get_session()
    definition = definition_for(response)
    scrutiny = reviews.scrutiny_of(session, response, definition)
    try:
        found = scrutiny.standard(ref)
        answers = scrutiny_returns.standard_answers(session, response, definition, ref)
    except NotReviewable:
        abort(404)
    moderation = None
    if found.question is not None and found.question.scale is not None:
        moderation = (
            failed
            if isinstance(failed, ModerationForm)
            else moderation_form(
                found.question,
                formdata=None,
                data={"rating": found.moderated_choice, "reason": found.moderation_reason},
            )
        )
    refs = [standard.ref for standard in scrutiny.standards]
    place = refs.index(ref)
    return render_template(
        "scrutiny/standard.html",
        scrutiny=scrutiny,
        standard=found,
        training=training_evidence(response, ref),
        answers=answers,
        evidence=challenges.evidence_of(session, found.challenges),
        accept_form=AcceptForm(prefix="accept", formdata=None),
        challenge_form=failed
        if isinstance(failed, ChallengeForm)
        else ChallengeForm(prefix="challenge", formdata=None),
        moderation_form=moderation,
        close_forms={
            c.id: failed
            if closing == c.id
            else CloseChallengeForm(prefix=f"close-{c.id}", formdata=None)
            for c in found.open_challenges
        },
        plan=next(
            p
            for p in action_plans.action_plan(session, response, definition)
            if p.standard.ref == ref
        ),
        agree_form=AgreeForm(prefix="agree", formdata=None),
        previous_ref=refs[place - 1] if place > 0 else None,
        next_ref=refs[place + 1] if place + 1 < len(refs) else None,
        form=failed,
    ), 400 if failed is not None else 200


def _after_decision(response: Response, ref: str) -> ResponseReturnValue:
    """Go on to the next standard still to settle, or back to the return."""
    scrutiny = reviews.scrutiny_of(get_session(), response, definition_for(response))
    refs = [standard.ref for standard in scrutiny.standards]
    later = [s for s in scrutiny.unsettled if refs.index(s.ref) > refs.index(ref)]
    if later and not later[0].challenges:
        return redirect(
            url_for("scrutiny.standard", return_id=response.id, standard_ref=later[0].ref)
        )
    return redirect(url_for("scrutiny.review", return_id=response.id))


@bp.post("/returns/<int:return_id>/standards/<standard_ref>/accept")
@reviewers
def accept(return_id: int, standard_ref: str) -> ResponseReturnValue:
    response = reviewable_return(return_id)
    if AcceptForm(prefix="accept").validate_on_submit():
        try:
            reviews.accept_standard(
                get_session(), response, definition_for(response), standard_ref, member=g.member
            )
        except NotReviewable:
            abort(404)
        except ScrutinyError as error:
            flash(str(error), "error")
        else:
            flash(f"Standard {standard_ref} accepted")
            return _after_decision(response, standard_ref)
    return redirect(url_for("scrutiny.standard", return_id=return_id, standard_ref=standard_ref))


@bp.post("/returns/<int:return_id>/standards/<standard_ref>/challenge")
@reviewers
def challenge(return_id: int, standard_ref: str) -> ResponseReturnValue:
    response = reviewable_return(return_id)
    form = ChallengeForm(prefix="challenge")
    if form.validate_on_submit():
        try:
            challenges.raise_challenge(
                get_session(),
                response,
                definition_for(response),
                standard_ref,
                kind=ChallengeKind(form.kind.data),
                question=form.question.data or "",
                member=g.member,
            )
        except NotReviewable:
            abort(404)
        except ScrutinyError as error:
            form.question.errors = [*form.question.errors, str(error)]
        else:
            flash(f"Your challenge on standard {standard_ref} has been sent to the organisation")
            return _after_decision(response, standard_ref)
    return _standard_page(response, standard_ref, failed=form)


@bp.post("/returns/<int:return_id>/standards/<standard_ref>/moderation")
@reviewers
def moderate(return_id: int, standard_ref: str) -> ResponseReturnValue:
    response = reviewable_return(return_id)
    definition = definition_for(response)
    try:
        question = (
            reviews.scrutiny_of(get_session(), response, definition).standard(standard_ref).question
        )
    except NotReviewable:
        abort(404)
    if question is None or question.scale is None:
        abort(404)
    form = moderation_form(question)
    if form.validate_on_submit():
        try:
            reviews.moderate_rating(
                get_session(),
                response,
                definition,
                standard_ref,
                choice=form.rating.data or "",
                reason=form.reason.data or "",
                member=g.member,
            )
        except ScrutinyError as error:
            form.reason.errors = [*form.reason.errors, str(error)]
        else:
            message = f"The moderated rating of standard {standard_ref} has been saved"
            if action_plans.needs_action_after_moderation(
                get_session(), response, definition, standard_ref
            ):
                told = tell_action_needed(response, standard_ref)
                message += (
                    f". It is below met: {told} of the organisation’s leads were asked for "
                    "an action"
                )
            flash(message)
            return redirect(
                url_for("scrutiny.standard", return_id=return_id, standard_ref=standard_ref)
            )
    return _standard_page(response, standard_ref, failed=form)


@bp.post("/challenges/<int:challenge_id>/close")
@reviewers
def close_challenge(challenge_id: int) -> ResponseReturnValue:
    try:
        found = challenges.challenge_for_reviewer(get_session(), challenge_id, g.member)
    except NotReviewable:
        abort(404)
    form = CloseChallengeForm(prefix=f"close-{found.id}")
    if form.validate_on_submit():
        try:
            challenges.close_challenge(
                get_session(), found, outcome=form.outcome.data or "", member=g.member
            )
        except ScrutinyError as error:
            form.outcome.errors = [*form.outcome.errors, str(error)]
        else:
            flash(f"The challenge on standard {found.standard_ref} has been closed")
            return redirect(
                url_for(
                    "scrutiny.standard",
                    return_id=found.response_id,
                    standard_ref=found.standard_ref,
                )
            )
    return _standard_page(found.response, found.standard_ref, failed=form, closing=found.id)


@bp.post("/returns/<int:return_id>/assure")
@reviewers
def assure(return_id: int) -> ResponseReturnValue:
    response = reviewable_return(return_id)
    if AssureForm(prefix="assure").validate_on_submit():
        try:
            action_plans.mark_assured(
                get_session(), response, definition_for(response), member=g.member
            )
        except ScrutinyError as error:
            flash(str(error), "error")
        else:
            flash("The return has been marked as assured")
    return redirect(url_for("scrutiny.review", return_id=return_id))


@bp.route("/returns/<int:return_id>/feedback", methods=["GET", "POST"])
@reviewers
def feedback(return_id: int) -> ResponseReturnValue:
    response = reviewable_return(return_id)
    scrutiny = reviews.scrutiny_of(get_session(), response, definition_for(response))
    form = FeedbackForm()
    if not scrutiny.has_feedback and form.validate_on_submit():
        try:
            reviews.give_feedback(
                get_session(), response, text=form.feedback.data or "", member=g.member
            )
        except ScrutinyError as error:
            form.feedback.errors = [*form.feedback.errors, str(error)]
        else:
            told = tell_feedback_given(response)
            flash(f"Feedback given. {told} of the organisation’s leads were emailed")
            return redirect(url_for("scrutiny.review", return_id=return_id))
    return render_template("scrutiny/feedback.html", scrutiny=scrutiny, form=form), (
        400 if form.errors else 200
    )


@bp.get("/returns/<int:return_id>/evidence/<int:evidence_id>")
@reviewers
def evidence(return_id: int, evidence_id: int) -> ResponseReturnValue:
    response = reviewable_return(return_id)
    session = get_session()
    file = session.scalar(
        select(EvidenceFile).where(
            EvidenceFile.id == evidence_id, EvidenceFile.response_id == response.id
        )
    ) or abort(404)
    record_audit(
        session,
        user_id=g.user.id,
        action="evidence.opened",
        object_type="evidence_file",
        object_id=file.id,
    )
    session.commit()
    return send_from_directory(
        data_folder() / "evidence",
        file.stored_name,
        as_attachment=True,
        download_name=file.filename,
        mimetype=file.content_type,
    )
