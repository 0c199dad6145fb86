"""The demo's Section 11 assurance story: last year's round, carried forward, then scrutiny.

    seed_last_year(session, registry)  before the neighbour shares this year's cycle: last
        year's Section 11 (closed a year ago) for the same agencies, each return a year older
        and different on two standards; this year's returns carried forward from it (the
        police's draft still has standards to confirm)
    seed_scrutiny(session, registry)   after: this year's returns reviewed by the police's
        lead (a reviewer of other agencies): the community health trust's challenged (answered,
        closed, an action agreed in answer), one rating moderated down, an agreed action on
        every standard below met, assured with feedback; the care board's with a request for
        evidence still open; a challenge meeting that covered both

Everything goes through the services people use (`surveys.scrutiny`, `surveys.carry_forward`,
`surveys.responses`), so the demo holds only what the product could have recorded.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from demo.answers import generate_answers
from demo.collection import cycle_title
from learning import action_plans
from surveys import carry_forward, cycles, ratings, responses
from surveys.definition import JSONValue, SurveyDefinition
from surveys.loader import DefinitionRegistry
from surveys.models import (
    ChallengeKind,
    Cycle,
    MeetingKind,
    Membership,
    Organisation,
    Partnership,
    Response,
    ResponseStatus,
    User,
    utcnow,
)
from surveys.scrutiny import challenges, meetings, reviews
from surveys.tenancy import work_in

FORM = "section-11"
YEAR = timedelta(days=365)
REVIEWER = "lead@police.example.org"  # the police's lead reviews other agencies' returns
ASSURED = "Riverside Community Health NHS Trust"
ASSURED_LEAD = "lead@health.example.org"
CHALLENGED = "Riverside Integrated Care Board"
STILL_TO_CONFIRM = 6  # the police's draft: its last six standards not yet confirmed


def seed_last_year(session: Session, registry: DefinitionRegistry) -> int:
    """Record last year's Section 11 round and carry this year's returns forward from it;
    return how many of last year's returns were recorded."""
    this_year = _riverside_cycle(session)
    definition = registry.get(FORM, this_year.definition_version)
    now = utcnow()
    last_year = cycles.publish_cycle(
        session,
        definition,
        cycles.NewCycle(
            cycle_title(FORM, definition.title, this_year.opens_at - YEAR),
            this_year.opens_at - YEAR,
            this_year.closes_at - YEAR,
            tuple(a.organisation_id for a in this_year.assignments),
        ),
        created_by=None,
    )
    returns = session.scalars(
        select(Response).where(Response.cycle_id == this_year.id).order_by(Response.id)
    ).all()
    for number, current in enumerate(returns):
        rng = random.Random(f"last-year-{number}")  # the same demo each time it is seeded
        before = _a_year_before(definition, dict(current.answers or {}), rng, improved=number)
        submitted = (current.submitted_at or current.last_saved_at or now) - YEAR
        recorded = responses.record_submitted_response(
            session,
            last_year,
            definition,
            responses.CompleteResponse(
                before,
                submitted_at=submitted,
                organisation_id=current.organisation_id,
                submitted_by_id=current.submitted_by_id,
                started_at=submitted - timedelta(days=3),
            ),
        )
        recorded.response.semantic_screened_at = submitted
        current.answers = _carried_into(current, recorded.response, definition)
    session.commit()
    return len(returns)


def _a_year_before(
    definition: SurveyDefinition,
    answers: dict[str, JSONValue],
    rng: random.Random,
    *,
    improved: int,
) -> dict[str, JSONValue]:
    """Last year's answers: this year's (or, where a draft has none, a complete return), with
    two standards answered differently and rated one level lower (improved since) or, for
    every third return, one level higher (worse since)."""
    fresh = generate_answers(definition, rng=rng)
    before = {**fresh, **{k: v for k, v in answers.items() if not k.startswith("_")}}
    rated = [
        (page, question)
        for page in definition.pages
        if page.standard and (question := ratings.rating_question(page.questions))
    ]
    for page, question in rng.sample(rated, 2):
        for other in page.questions:
            if other.id in fresh:
                before[other.id] = fresh[other.id]
        before[question.id] = _shifted(question, before.get(question.id), worse=improved % 3)
    return before


def _shifted(question, answer: JSONValue, *, worse: int) -> JSONValue:  # type: ignore[no-untyped-def]
    """Move a rating one level down the scale (or up, when `worse` is 0)."""
    levels = [level.value for level in question.scale.levels]
    level = ratings.rating_level(question, answer)
    level = 0 if level is None else level
    moved = min(level + 1, len(levels) - 1) if worse else max(level - 1, 0)
    if moved == level:
        moved = level - 1 if worse else level + 1
    return ratings.rating_answer(question, levels[moved])


def _carried_into(
    current: Response, last: Response, definition: SurveyDefinition
) -> dict[str, JSONValue]:
    """This year's answers, started from last year's: a submitted return confirmed every
    standard; a draft has confirmed (and answered) only its first standards so far."""
    carried = carry_forward.carried_answers(last, definition, definition)
    if current.status is ResponseStatus.SUBMITTED:
        mark = carried[carry_forward.CARRIED]
        assert isinstance(mark, dict)
        return {**(current.answers or {}), carry_forward.CARRIED: {**mark, "pages": []}}
    answers = {**carried, **{k: v for k, v in (current.answers or {}).items()}}
    standards = [page for page in definition.pages if page.standard]
    for page in standards[: len(standards) - STILL_TO_CONFIRM]:
        answers = carry_forward.confirm_page(answers, page.id)
    for page in standards[len(standards) - STILL_TO_CONFIRM :]:
        for question in page.questions:  # as carried: last year's answer, not yet confirmed
            if question.id in carried:
                answers[question.id] = carried[question.id]
    return answers


def seed_scrutiny(session: Session, registry: DefinitionRegistry) -> None:
    """Review this year's returns as the police's lead: the trust's assured, the care
    board's challenged."""
    this_year = _riverside_cycle(session)
    definition = registry.get(FORM, this_year.definition_version)
    reviewer = _membership(session, REVIEWER)
    _assure(session, _return_of(session, this_year, ASSURED), definition, reviewer)
    challenged = _return_of(session, this_year, CHALLENGED)
    for _, ref, _, _ in reviews.standards_of(definition)[:9]:
        reviews.accept_standard(session, challenged, definition, ref, member=reviewer)
    challenges.raise_challenge(
        session,
        challenged,
        definition,
        reviews.standards_of(definition)[9][1],
        kind=ChallengeKind.EVIDENCE,
        question="Please attach the training figures for the year (attendance by staff group).",
        member=reviewer,
    )
    covered = (_return_of(session, this_year, ASSURED).organisation_id, challenged.organisation_id)
    meeting = meetings.record_meeting(
        session,
        meetings.NewMeeting(
            MeetingKind.CHALLENGE,
            (utcnow() - timedelta(days=10)).date(),
            "Sam Taylor (Riverside Constabulary)\nPriya Shah (quality group)\n"
            "Designated nurse, Riverside Integrated Care Board",
            covered,
            this_year.id,
        ),
        recorded_by=reviewer.user_id,
    )
    for organisation_id, outcome in zip(
        covered,
        (
            "Escalation evidence accepted; one standard moderated to partially met, with an "
            "agreed action.",
            "Asked for the training figures behind standard 10; awaiting evidence.",
        ),
        strict=True,
    ):
        meetings.record_outcome(session, meeting, organisation_id, outcome)
    session.commit()


def _assure(session, response, definition, reviewer) -> None:  # type: ignore[no-untyped-def]
    """The trust's return: a challenge answered and closed with an action agreed in answer
    to it, a rating moderated down, an agreed action on every standard below met, assured."""
    lead = _membership(session, ASSURED_LEAD)
    today = utcnow().date()
    standards = reviews.standards_of(definition)
    met = [
        ref
        for _, ref, _, question in standards
        if question is not None
        and ratings.rating_level(question, (response.answers or {}).get(question.id)) == 0
    ]
    challenged, moderated = met[0], met[1]
    for _, ref, _, _ in standards:
        if ref != challenged:
            reviews.accept_standard(session, response, definition, ref, member=reviewer)
    challenge = challenges.raise_challenge(
        session,
        response,
        definition,
        challenged,
        kind=ChallengeKind.QUESTION,
        question="How do you know staff use the escalation policy? Your evidence names it only.",
        member=reviewer,
    )
    challenges.answer_challenge(
        session,
        challenge,
        text="Our quarterly supervision audit asks about escalation: 31 of 40 staff had used "
        "or could describe the policy. We will repeat it across every team in March.",
        member=lead,
    )
    _agreed(
        session,
        response,
        definition,
        challenged,
        action_plans.Proposal(
            "Repeat the supervision audit of escalation in every team",
            "Named nurse for safeguarding",
            today + timedelta(days=100),
            challenge.id,
        ),
        lead,
        reviewer,
    )
    challenges.close_challenge(
        session,
        challenge,
        outcome="Answer accepted: the supervision audit is good evidence; action agreed.",
        member=reviewer,
    )
    reviews.moderate_rating(
        session,
        response,
        definition,
        moderated,
        choice="partially_met",
        reason="The policy is in place, but the audit it cites covers one of three localities.",
        member=reviewer,
    )
    for plan in action_plans.action_plan(session, response, definition):
        if plan.is_missing:
            planned = action_plans.planned_in_return(response, definition, plan.standard.ref)
            _agreed(
                session,
                response,
                definition,
                plan.standard.ref,
                action_plans.Proposal(
                    planned[0].description if planned else "Extend the audit to every locality",
                    (planned[0].owner if planned else "") or "Head of safeguarding",
                    today + timedelta(days=120),
                ),
                lead,
                reviewer,
            )
    action_plans.mark_assured(session, response, definition, member=reviewer)
    reviews.give_feedback(
        session,
        response,
        text="A clear, well-evidenced return. We moderated one standard to partially met: "
        "extend the audit to every locality before next year's return, as agreed.",
        member=reviewer,
    )


def _agreed(session, response, definition, ref, proposal, lead, reviewer) -> None:  # type: ignore[no-untyped-def]
    """The organisation proposes an action on a standard and the reviewer agrees it."""
    action = action_plans.propose_action(
        session, response, definition, ref, proposal, member=lead, today=utcnow().date()
    )
    action_plans.agree_action(session, response, action.id, member=reviewer)


def _riverside_cycle(session: Session) -> Cycle:
    riverside = session.scalar(select(Partnership).order_by(Partnership.id))
    assert riverside is not None
    work_in(session, riverside.id)
    found = session.scalar(
        select(Cycle)
        .where(Cycle.definition_key == FORM, Cycle.partnership_id == riverside.id)
        .order_by(Cycle.opens_at.desc())
    )
    assert found is not None
    return found


def _membership(session: Session, email: str) -> Membership:
    found = session.scalar(
        select(Membership).join(User, User.id == Membership.user_id).where(User.email == email)
    )
    assert found is not None
    return found


def _return_of(session: Session, cycle: Cycle, organisation: str) -> Response:
    found = session.scalar(
        select(Response)
        .join(Organisation, Organisation.id == Response.organisation_id)
        .where(Response.cycle_id == cycle.id, Organisation.name == organisation)
    )
    assert found is not None and found.status is ResponseStatus.SUBMITTED
    return found
