"""Demo case audits and practice concerns: an audit day with 6 cases across 4 agencies, and a
near miss and a practice concern raised by practitioners.

Every reference and word here is invented; cases are known by their audit references only.
The audit day was held two weeks before the demo is seeded; most agencies have completed the
audit tool for their cases, one has still to. The day's findings are recorded and one lesson
is in the learning log. The near miss was raised anonymously and is new; the named practice
concern is under review.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import audit_learning
from surveys import concerns, responses
from surveys.case_audits import cases, finding_texts, programmes
from surveys.loader import DefinitionRegistry
from surveys.models import FindingKind, Organisation, TriageStatus, User, utcnow

POLICE = "Riverside Constabulary"
HEALTH = "Riverside Community Health NHS Trust"
SOCIAL_CARE = "Riverside Council Children’s Services"
SCHOOL = "Riverside Academy"
GRADES = ("outstanding", "good", "requires_improvement", "inadequate")
# reference -> the agencies involved, and a grade index per agency (into GRADES)
CASES: dict[str, dict[str, int]] = {
    "NEG-{year}-01": {POLICE: 1, HEALTH: 1, SOCIAL_CARE: 2, SCHOOL: 1},
    "NEG-{year}-02": {HEALTH: 2, SOCIAL_CARE: 2, SCHOOL: 3},
    "NEG-{year}-03": {POLICE: 1, SOCIAL_CARE: 1},
    "NEG-{year}-04": {HEALTH: 0, SOCIAL_CARE: 1, SCHOOL: 1},
    "NEG-{year}-05": {POLICE: 2, HEALTH: 2, SOCIAL_CARE: 3},
    "NEG-{year}-06": {SOCIAL_CARE: 1, SCHOOL: 0},
}
NOT_YET = ("NEG-{year}-05", SOCIAL_CARE)  # the one audit tool still to be completed
STRENGTHS = {
    POLICE: "Officers shared the domestic incident with the front door the next morning.",
    HEALTH: "The school nurse noticed the weight loss and referred the same day.",
    SOCIAL_CARE: "The social worker visited within two days and saw the children alone.",
    SCHOOL: "The class teacher kept a clear record of attendance and hunger at school.",
}
IMPROVE = {
    POLICE: "The second call-out was not linked to the first in the police record.",
    HEALTH: "Missed health appointments were not followed up with the family.",
    SOCIAL_CARE: "The plan did not say who would check the home conditions, or when.",
    SCHOOL: "The school did not ask to join the core group after the plan was made.",
}
FINDINGS = (
    (FindingKind.STRENGTH, "Schools recorded signs of neglect early and clearly."),
    (
        FindingKind.AREA_TO_IMPROVE,
        "Missed health appointments for neglected children are not shared with other agencies.",
    ),
    (
        FindingKind.LESSON,
        "Every agency should record what the child said in their own words, not only what "
        "adults said about them.",
    ),
)
CONCERNS = (
    {
        "kind": "near_miss",
        "what_happened": "A referral sent by email to an old team address sat unread for a "
        "week before anyone noticed it.",
        "what_would_help": "One front door address that never changes.",
        "named": "no",
    },
    {
        "kind": "practice_concern",
        "what_happened": "Strategy discussions are often held without health, because the "
        "invitation reaches the safeguarding team too late.",
        "what_would_help": "Invite health by phone as well as email.",
        "named": "yes",
        "your_name": "Sam Okafor",
        "your_email": "sam.okafor@example.org",
    },
)


def seed_audits(session: Session, registry: DefinitionRegistry) -> None:
    """Add the demo's audit programme, its audit day and findings, and two concerns."""
    today = utcnow().date()
    quality = session.scalar(select(User).where(User.email == "quality@example.org"))
    assert quality is not None, "seed the demo people first"
    by_name = {o.name: o for o in session.scalars(select(Organisation))}
    programme = programmes.create_programme(
        session,
        title=f"Multi-agency case audits {today.year}",
        topics="Neglect\nChild exploitation\nDomestic abuse",
        by=quality,
    )
    held_on = today - timedelta(days=14)
    day = programmes.add_day(session, programme.id, held_on=held_on, topic="Neglect", by=quality)
    definition = registry.latest(cases.AUDIT_TOOL)
    for number, (pattern, involved) in enumerate(CASES.items()):
        case, _ = cases.add_case(
            session,
            day.id,
            reference=pattern.format(year=held_on.year),
            organisation_ids={by_name[name].id for name in involved},
            definition=definition,
            by=quality,
        )
        assert case.cycle is not None
        case.cycle.opens_at = _at(held_on - timedelta(days=7))  # asked a week before the day
        for name, grade in involved.items():
            if (pattern, name) == NOT_YET:
                continue
            responses.record_submitted_response(
                session,
                case.cycle,
                definition,
                responses.CompleteResponse(
                    _tool(name, grade, number),
                    submitted_at=_at(held_on, hour=15),
                    organisation_id=by_name[name].id,
                    started_at=_at(held_on, hour=10),
                ),
            )
        if number < 2:
            cases.record_voices(
                session,
                case.id,
                forum_notes="Practitioners said their caseloads left little time to visit "
                "together, and that the health visitor's worries were heard late.",
                family_views="The parents said they had too many workers and did not know "
                "who to call when things got worse.",
                by=quality,
            )
    for kind, text in FINDINGS:
        finding = programmes.add_finding(
            session,
            programme.id,
            kind=kind,
            text=text,
            day_id=day.id,
            definition=registry.latest(finding_texts.FINDING_FORM),
            by=quality,
        )
        if kind is FindingKind.LESSON:
            audit_learning.entry_from_finding(
                session, finding.id, title="Record the child's own words", created_by=quality
            )
    _concerns(session, registry, quality, today)


def _tool(agency: str, grade: int, number: int) -> dict[str, str]:
    lower = GRADES[min(grade + 1, 3)]
    return {
        "identification": GRADES[grade],
        "child_voice": lower if number % 2 else GRADES[grade],
        "working_together": GRADES[grade],
        "overall": GRADES[grade],
        "strengths": STRENGTHS[agency],
        "areas_for_improvement": IMPROVE[agency],
        "lessons": "",
    }


def _concerns(session: Session, registry: DefinitionRegistry, quality: User, today: date) -> None:
    link = concerns.open_concern_link(session, registry.latest(concerns.CONCERN_FORM), by=quality)
    link.cycle.opens_at = _at(today - timedelta(days=60))
    session.commit()
    for days_ago, answers in zip((9, 4), CONCERNS, strict=True):
        raised = responses.record_submitted_response(
            session,
            link.cycle,
            registry.latest(concerns.CONCERN_FORM),
            responses.CompleteResponse(
                answers,
                submitted_at=min(_at(today - timedelta(days=days_ago), hour=16), utcnow()),
                public_link_id=link.id,
            ),
        )
        if answers["named"] == "yes":
            concerns.set_triage(
                session,
                raised.response.id,
                status=TriageStatus.UNDER_REVIEW,
                reason="To be discussed at the next quality group meeting.",
                case_review_id=None,
                by=quality,
            )


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)
