"""A year of the demo partnership's training programme: three courses, their sessions, who
attended, and the same fictional trainees' evaluations and 6–8 week follow-ups, linked.

Seeded after `demo.collection` (the organisations and people exist). The programme has its own
link cycles of the evaluation and the follow-up, open for the whole year, so every answer is
saved after its cycle opened. Each trainee is keyed to each course by the app's person-course
key, so a follow-up answered later through the product links to the demo's evaluations too.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from surveys import cycles, organisations, responses
from surveys.definition import SurveyDefinition
from surveys.loader import DefinitionRegistry
from surveys.models import Cycle, PublicLink, Response, TraineeFollowUp, TrainingSession, utcnow
from surveys.training import course_forms, programme
from surveys.training.keys import person_key

COURSES = [
    (
        "Neglect: recognising and responding",
        "Level 2: multi-agency",
        [
            "Recognise the signs of neglect, including in babies and teenagers",
            "Use the neglect screening tool to describe what a child lives with",
            "Know when and how to refer to early help or children's social care",
        ],
    ),
    (
        "Child exploitation: spotting the signs",
        "Level 2: multi-agency",
        [
            "Recognise the signs of criminal and sexual exploitation",
            "Share information with the exploitation hub",
        ],
    ),
    (
        "Working together: resolving professional differences",
        "Level 1: all staff",
        [
            "Know the escalation procedure and when to use it",
            "Challenge another agency's decision respectfully",
        ],
    ),
]
SESSION_DAYS_AGO = (330, 250, 170, 100, 45)  # five sessions of each course across the year
TRAINEES = [  # fictional people: name, email, organisation
    ("Aisha Khan", "aisha.khan@police.example.org", "Riverside Constabulary"),
    ("Ben Carter", "ben.carter@police.example.org", "Riverside Constabulary"),
    ("Chloe Evans", "chloe.evans@police.example.org", "Riverside Constabulary"),
    ("Dan Price", "dan.price@police.example.org", "Riverside Constabulary"),
    ("Ella Hughes", "ella.hughes@health.example.org", "Riverside Community Health NHS Trust"),
    ("Femi Adeyemi", "femi.adeyemi@health.example.org", "Riverside Community Health NHS Trust"),
    ("Grace Lee", "grace.lee@health.example.org", "Riverside Community Health NHS Trust"),
    ("Hannah Wood", "hannah.wood@health.example.org", "Riverside Community Health NHS Trust"),
    ("Imran Patel", "imran.patel@council.example.org", "Riverside Council Children’s Services"),
    ("Jo Turner", "jo.turner@council.example.org", "Riverside Council Children’s Services"),
    ("Kim Scott", "kim.scott@council.example.org", "Riverside Council Children’s Services"),
    ("Leah Ward", "leah.ward@council.example.org", "Riverside Council Children’s Services"),
    ("Max Green", "max.green@fst.example.org", "Riverside Family Support Trust"),
    ("Nina Shah", "nina.shah@fst.example.org", "Riverside Family Support Trust"),
    ("Omar Ali", "omar.ali@yjs.example.org", "Riverside Youth Justice Service"),
    ("Priti Das", "priti.das@meadowbank.example.org", "Meadowbank Primary School"),
    ("Rob Bell", "rob.bell@academy.example.org", "Riverside Academy"),
    ("Sara Moss", "sara.moss@childminders.example.org", "Riverside Childminders Network"),
]
CHANGED = [
    "I now write down what the child's day is like before I decide what to do.",
    "I share information with the hub the same day instead of waiting for the next meeting.",
    "I use the screening tool in supervision and my referrals are clearer.",
    "I check with the school and the health visitor before closing a case.",
    "I escalated a decision I disagreed with and we agreed a plan within a week.",
]
DIFFERENTLY = [
    "Ask about the child's daily life at every visit",
    "Refer to early help sooner",
    "Use the escalation procedure when I disagree",
    "Share concerns with the hub on the same day",
]


def _evaluation(course_outcomes: int, organisation: str, rng: random.Random, email: str) -> dict:
    before = rng.choice((1, 2, 2, 3))
    answers: dict[str, object] = {
        "organisation": organisation,
        "relevance": str(rng.choice((4, 4, 5, 5, 3))),
        "quality": str(rng.choice((4, 5, 5, 4, 3))),
        "learnt_new": str(rng.choice((4, 4, 5))),
        "do_differently": rng.choice(DIFFERENTLY),
        "follow_up_consent": "yes" if email else "no",
    }
    if email:
        answers["follow_up_email"] = email
    for n in range(1, course_outcomes + 1):
        answers[course_forms.outcome_id(n)] = {
            "before": before,
            "after": min(5, before + rng.choice((1, 2, 2))),
        }
    if organisation == course_forms.OTHER_ORGANISATION:
        answers["sector"] = "education"
    return answers


def _programme_cycles(session: Session, registry: DefinitionRegistry, now: datetime) -> tuple:
    opens, closes = now - timedelta(days=370), now + timedelta(days=90)
    evaluation = cycles.publish_cycle(
        session,
        registry.latest(programme.EVALUATION_FORM),
        cycles.NewCycle("Training programme feedback", opens, closes),
        created_by=None,
    )
    follow_up = cycles.publish_cycle(
        session,
        registry.latest(programme.FOLLOW_UP_FORM),
        cycles.NewCycle("Training programme follow-ups", opens, closes),
        created_by=None,
    )
    return evaluation, follow_up


def seed_training(session: Session, registry: DefinitionRegistry, *, secret: bytes) -> int:
    """Load the year's courses, sessions, attendance, evaluations and follow-ups; return how
    many answers (evaluations and follow-ups) were recorded."""
    rng, now = random.Random(13), utcnow()
    evaluation_cycle, follow_up_cycle = _programme_cycles(session, registry, now)
    listed = organisations.list_organisations(session, include_inactive=False)
    by_name = {o.name: o for o in listed}
    recorded = 0
    for title, level, outcomes in COURSES:
        course = programme.create_course(
            session, title=title, outcomes=outcomes, level=level, by=None
        )
        for days_ago in SESSION_DAYS_AGO:
            held_on = (now - timedelta(days=days_ago)).date()
            held = programme.add_session(
                session,
                course.id,
                programme.NewSession(
                    held_on, "Riverside Town Hall", days_ago % 2 == 0, "Riverside training team", 20
                ),
                by=None,
            )
            attendees = rng.sample(TRAINEES, 9)
            programme.import_attendance(
                session, held.id, [programme.Attendee(*person) for person in attendees]
            )
            recorded += _answers(
                session,
                registry,
                held,
                attendees,
                by_name,
                listed,
                follow_up_cycle_id=follow_up_cycle.id,
                rng=rng,
                secret=secret,
                now=now,
            )
    session.commit()
    assert evaluation_cycle.id  # the sessions' links are its links
    return recorded


def _answers(
    session: Session,
    registry: DefinitionRegistry,
    held: TrainingSession,
    attendees: list[tuple[str, str, str]],
    by_name: dict,
    listed: list,
    *,
    follow_up_cycle_id: int,
    rng: random.Random,
    secret: bytes,
    now: datetime,
) -> int:
    """Most attendees evaluate on the day; most of those leave an email; of those whose six
    weeks have passed, most answer the follow-up (a trainee's own link)."""
    course = held.course
    evaluation_form = course_forms.evaluation_for(
        registry.latest(programme.EVALUATION_FORM), course, held.held_on, listed
    )
    follow_up_form = course_forms.follow_up_for(
        registry.latest(programme.FOLLOW_UP_FORM), course, held.held_on
    )
    answered_at = datetime.combine(held.held_on, datetime.min.time(), now.tzinfo) + timedelta(
        hours=16
    )
    count = 0
    for _name, email, organisation in attendees:
        if rng.random() < 0.2:
            continue  # left without answering
        found = by_name.get(organisation)
        value = course_forms.organisation_value(found.id) if found else "other"
        given = email if rng.random() < 0.8 else ""
        due = answered_at + timedelta(weeks=6)
        recorded = responses.record_submitted_response(
            session,
            held.link.cycle,
            evaluation_form,
            responses.CompleteResponse(
                _evaluation(len(course.outcomes), value, rng, given),
                submitted_at=answered_at,
                public_link_id=held.link_id,
                follow_up_due=None,  # keyed below, like a submission from the link
            ),
        )
        count += 1
        if not given:
            continue
        chain = TraineeFollowUp(
            session_id=held.id,
            evaluation_id=recorded.response.id,
            person_key=person_key(secret, given, course.id),
            email="" if due < now else given,
            due_at=due,
        )
        session.add(chain)
        if due >= now:
            continue
        chain.sent_at = due
        if rng.random() < 0.3:
            chain.reminded_at = due + timedelta(weeks=2)
            continue  # reminded once, never answered
        count += _follow_up(session, follow_up_form, chain, follow_up_cycle_id, rng, now)
    return count


def _follow_up(
    session: Session,
    form: SurveyDefinition,
    chain: TraineeFollowUp,
    cycle_id: int,
    rng: random.Random,
    now: datetime,
) -> int:
    """The trainee's own link, and (if its day has come) their answer to it."""
    answered = chain.due_at + timedelta(days=rng.choice((2, 5, 9)))
    if answered >= now:
        return 0  # sent, not answered yet
    link = PublicLink(
        cycle_id=cycle_id,
        token=secrets.token_urlsafe(32),
        label="A trainee's own follow-up link",
    )
    session.add(link)
    session.flush()
    chain.link_id = link.id
    evaluation = session.get(Response, chain.evaluation_id)
    assert evaluation is not None
    before = evaluation.answers.get(course_forms.outcome_id(1), {}).get("before", 2)
    answers: dict[str, object] = {
        "used_learning": str(rng.choice((2, 3, 3, 4))),
        "changed_practice": rng.choice(CHANGED),
        "barrier_types": rng.choice((["time"], ["caseload"], ["none"], ["systems", "time"])),
        "with_manager": rng.choice(("yes", "no")),
    }
    if answers["with_manager"] == "yes":
        answers["manager_observed"] = "Clearer, better evidenced referrals."
    for n in range(1, len(chain.session.course.outcomes) + 1):
        answers[course_forms.outcome_now_id(n)] = str(min(5, before + rng.choice((1, 2, 2, 3))))
    follow_up = responses.record_submitted_response(
        session,
        session.get(Cycle, cycle_id),  # type: ignore[arg-type]
        form,
        responses.CompleteResponse(answers, submitted_at=answered, public_link_id=link.id),
    )
    chain.follow_up_id = follow_up.response.id
    return 1
