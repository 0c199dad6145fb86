"""Two Section 11 cycles a year apart for the partnership's view and the findings report.

Last year Shire Police, Shire Council and Hill Primary School returned, every standard
"partially met" (the school: "met"). This year (closed two days ago) Shire Police carried its
return forward and changed two standards (S11-1 up to met, S11-2 down to not met), a reviewer
moderated its S11-1 back to partially met; Shire Council carried forward unchanged but
submitted a day late; Dale Academy, a new school, returned on time; Hill Primary has not
returned. Council's S11-2 was challenged and closed; Dale's S11-3 is challenged and open.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from demo.answers import generate_answers
from learning.models import Action, RunStatus, Theme, ThemeLineage, ThemeStatement, ThemingRun
from surveys import carry_forward, cycles, ratings, responses
from surveys.loader import load_definitions
from surveys.models import (
    Challenge,
    ChallengeKind,
    ChallengeStatus,
    Cycle,
    Organisation,
    OrganisationKind,
    Response,
    Role,
    Sector,
    StandardReview,
    User,
    utcnow,
)
from tests import factories

SECTION_11 = load_definitions().latest("section-11")
RATED = [
    (page.standard.ref, question)
    for page in SECTION_11.pages
    if page.standard and (question := ratings.rating_question(page.questions))
]
MODERATION_REASON = "Board minutes do not show the report was challenged"
OUTCOME = "Evidence of the audit cycle accepted"
THEME = "Escalation between agencies is unclear"
ACTION = "Audit supervision records in every team twice a year"
SCHOOL_ACTION = "Train every governor in safer recruitment"


@dataclass
class FindingsWorld:
    last_year: Cycle
    this_year: Cycle
    police: Organisation
    council: Organisation
    hill: Organisation
    dale: Organisation
    admin: User
    quality: User
    reviewer: User
    police_return: Response


def _rated(value: str) -> dict[str, object]:
    return {question.id: ratings.rating_answer(question, value) for _, question in RATED}


def _submit(session: Session, cycle: Cycle, organisation: Organisation, answers, days_ago: int):
    return responses.record_submitted_response(
        session,
        cycle,
        SECTION_11,
        responses.CompleteResponse(
            answers,
            submitted_at=utcnow() - timedelta(days=days_ago, hours=1),
            organisation_id=organisation.id,
        ),
    ).response


def _carried(session: Session, cycle: Cycle, organisation: Organisation, changes: dict):
    """This year's answers: last year's carried forward, changed as given, all confirmed."""
    previous = carry_forward.previous_return(session, cycle, organisation.id)
    assert previous is not None
    answers = carry_forward.carried_answers(previous, SECTION_11, SECTION_11)
    for page in SECTION_11.pages:
        answers = carry_forward.confirm_page(answers, page.id)
    return {**answers, **changes}


def publish(session: Session, title: str, organisations, *, opened: int, closed: int) -> Cycle:
    now = utcnow()
    return cycles.publish_cycle(
        session,
        SECTION_11,
        cycles.NewCycle(
            title,
            now - timedelta(days=opened),
            now - timedelta(days=closed),
            tuple(o.id for o in organisations),
        ),
        created_by=None,
    )


def build_world(
    session: Session, *, with_themes: bool = False, with_schools: bool = True
) -> FindingsWorld:
    """The two cycles; `with_schools=False` makes Hill and Dale voluntary agencies instead
    (so no count is suppressed)."""
    factories.bind(session)
    police = factories.OrganisationFactory(name="Shire Police", sector=Sector.POLICE)
    council = factories.OrganisationFactory(name="Shire Council", sector=Sector.LOCAL_AUTHORITY)
    hill, dale = (
        factories.OrganisationFactory(
            name=name,
            sector=Sector.EDUCATION if with_schools else Sector.VOLUNTARY,
            kind=OrganisationKind.SCHOOL if with_schools else OrganisationKind.AGENCY,
        )
        for name in (
            ("Hill Primary School", "Dale Academy")
            if with_schools
            else ("Hill Youth Project", "Dale Family Charity")
        )
    )
    base = generate_answers(SECTION_11, rng=random.Random(7))
    last = publish(session, "Section 11 2025", (police, council, hill), opened=400, closed=370)
    for organisation, value in ((police, "partially_met"), (council, "partially_met")):
        _submit(session, last, organisation, {**base, **_rated(value)}, days_ago=380)
    _submit(session, last, hill, {**base, **_rated("met")}, days_ago=380)
    session.commit()

    this = publish(session, "Section 11 2026", (police, council, hill, dale), opened=30, closed=2)
    (s1, q1), (s2, q2), (s3, _) = RATED[:3]
    changes = {q1.id: ratings.rating_answer(q1, "met"), q2.id: ratings.rating_answer(q2, "not_met")}
    police_return = _submit(session, this, police, _carried(session, this, police, changes), 5)
    council_return = _submit(session, this, council, _carried(session, this, council, {}), 1)
    dale_return = _submit(session, this, dale, {**base, **_rated("met")}, days_ago=4)
    session.add_all(
        [
            StandardReview(
                response_id=police_return.id,
                standard_ref=s1,
                moderated_rating=ratings.rating_answer(q1, "partially_met"),
                moderation_reason=MODERATION_REASON,
                moderated_at=utcnow(),
            ),
            Challenge(
                response_id=council_return.id,
                organisation_id=council.id,
                standard_ref=s2,
                kind=ChallengeKind.EVIDENCE,
                question="Send the latest audit of supervision",
                status=ChallengeStatus.CLOSED,
                outcome=OUTCOME,
                closed_at=utcnow(),
            ),
            Challenge(
                response_id=dale_return.id,
                organisation_id=dale.id,
                standard_ref=s3,
                kind=ChallengeKind.QUESTION,
                question="Who trains the governors?",
            ),
        ]
    )
    session.commit()
    closed, still_open = _challenges_of(session, council_return, dale_return)
    session.add_all(
        [
            Action(  # agreed in answer to the council's closed challenge
                description=ACTION,
                owner="Head of quality assurance",
                owner_organisation_id=council.id,
                due_date=utcnow().date() + timedelta(days=90),
                response_id=council_return.id,
                standard_ref=s2,
                challenge_id=closed.id,
                agreed_at=utcnow(),
            ),
            Action(  # proposed by the school, not yet agreed
                description=SCHOOL_ACTION,
                owner="Chair of governors",
                owner_organisation_id=dale.id,
                due_date=utcnow().date() + timedelta(days=60),
                response_id=dale_return.id,
                standard_ref=s3,
                challenge_id=still_open.id,
            ),
        ]
    )
    session.commit()
    if with_themes:
        _theme_run(session, this, police_return)
    return FindingsWorld(
        last,
        this,
        police,
        council,
        hill,
        dale,
        factories.UserFactory(role=Role.PARTNERSHIP_ADMIN, organisation=None),
        factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None),
        factories.UserFactory(role=Role.REVIEWER, organisation=None),
        police_return,
    )


def _challenges_of(session: Session, *returns: Response) -> list[Challenge]:
    """The challenge on each return, in the order of the returns."""
    return [
        session.scalars(select(Challenge).where(Challenge.response_id == r.id)).one()
        for r in returns
    ]


def _theme_run(session: Session, cycle: Cycle, response: Response) -> None:
    """A finished theming run with one theme of six statements from this cycle's return."""
    run = ThemingRun(
        status=RunStatus.FINISHED,
        selection={},
        streams_key="section_11",
        finished_at=utcnow(),
    )
    session.add_all([run, ThemeLineage(key="findings-escalation")])
    session.flush()
    theme = Theme(
        run_id=run.id,
        number=0,
        lineage_key="findings-escalation",
        label=THEME,
        machine_label=THEME,
        size=6,
        share=1.0,
    )
    session.add(theme)
    session.flush()
    session.add_all(
        ThemeStatement(
            run_id=run.id,
            theme_id=theme.id,
            response_id=response.id,
            question_id="s1_development",
            text=f"Escalation route number {n} is unclear",
            polarity_hint="areas_for_development",
            stream="section_11",
            sector="police",
            organisation_id=response.organisation_id,
            cycle_id=cycle.id,
        )
        for n in range(6)
    )
    session.commit()
