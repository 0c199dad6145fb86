"""The demo's national review: a review by the national panel (its findings invented for the
demo), four agencies asked how local services measure against each of its three findings,
three of them have answered, and the police's gap on the first finding is their action.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import national_review_actions
from surveys import national_reviews, responses
from surveys.loader import DefinitionRegistry
from surveys.models import Organisation, User, utcnow

POLICE = "Riverside Constabulary"
HEALTH = "Riverside Community Health NHS Trust"
SOCIAL_CARE = "Riverside Council Children’s Services"
SCHOOL = "Riverside Academy"
TITLE = "Multi-agency information sharing about risk (national review, demo)"
PUBLISHER = "Child Safeguarding Practice Review Panel"
LINK = "https://www.gov.uk/government/organisations/child-safeguarding-practice-review-panel"
FINDINGS = (
    "Agencies share new information about risk with children's social care the same day.",
    "Practitioners hear and record the child's own words at every contact.",
    "Strategy discussions always include health, police and children's social care.",
)
# agency -> its answer to each finding, in order (the school has not answered yet)
ANSWERS: dict[str, tuple[dict[str, str], ...]] = {
    POLICE: (
        {
            "rating": "partly_in_place",
            "in_place": "Domestic incidents are shared with the front door each weekday morning.",
            "gap": "Incidents at weekends wait until Monday before they are shared.",
        },
        {"rating": "in_place", "in_place": "Officers record the child's words on body camera."},
        {"rating": "in_place", "in_place": "A named officer joins every strategy discussion."},
    ),
    HEALTH: (
        {"rating": "in_place", "in_place": "Named nurses phone the front door the same day."},
        {
            "rating": "partly_in_place",
            "in_place": "Health visitors record the child's words in the records.",
            "gap": "Emergency department notes rarely record what the child said.",
        },
        {
            "rating": "not_in_place",
            "in_place": "Health joins when invited by phone.",
            "gap": "Invitations by email reach the safeguarding team too late to attend.",
        },
    ),
    SOCIAL_CARE: (
        {"rating": "in_place", "in_place": "The front door logs every contact on arrival."},
        {"rating": "in_place", "in_place": "Social workers see children alone at each visit."},
        {"rating": "partly_in_place", "in_place": "Health and police are invited.", "gap": ""},
    ),
}


def seed_national_reviews(session: Session, registry: DefinitionRegistry) -> None:
    """Add the demo's national review, its findings, agencies' answers and one action."""
    today = utcnow().date()
    quality = session.scalar(select(User).where(User.email == "quality@example.org"))
    assert quality is not None, "seed the demo people first"
    by_name = {o.name: o for o in session.scalars(select(Organisation))}
    review = national_reviews.record_review(
        session,
        national_reviews.NewNationalReview(TITLE, PUBLISHER, today - timedelta(days=90), LINK),
        today=today,
        by=quality,
    )
    for statement in FINDINGS:
        national_reviews.add_finding(session, review.id, statement, by=quality)
    form = registry.latest(national_reviews.FINDING_FORM)
    national_reviews.ask_agencies(
        session,
        review.id,
        [by_name[name].id for name in (POLICE, HEALTH, SOCIAL_CARE, SCHOOL)],
        definition=form,
        closes_on=today + timedelta(days=21),
        today=today,
        by=quality,
    )
    asked_at = datetime.combine(today - timedelta(days=10), time(9), tzinfo=UTC)
    answered_at = datetime.combine(today - timedelta(days=3), time(11), tzinfo=UTC)
    for name, answers in ANSWERS.items():
        for finding, answer in zip(review.findings, answers, strict=True):
            assert finding.cycle is not None
            finding.cycle.opens_at = asked_at  # asked ten days ago
            responses.record_submitted_response(
                session,
                finding.cycle,
                form,
                responses.CompleteResponse(
                    {k: v for k, v in answer.items() if v},
                    submitted_at=answered_at,
                    organisation_id=by_name[name].id,
                ),
            )
    national_review_actions.action_from_gap(
        session,
        review.id,
        review.findings[0].id,
        by_name[POLICE].id,
        due_date=today + timedelta(days=60),
        description="Share weekend domestic incidents with the front door the same day.",
        created_by=quality,
    )
