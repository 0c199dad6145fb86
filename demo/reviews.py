"""Demo case reviews: a rapid review due this week, and a completed, published local review.

Every name here is invented. The rapid review (RR-<year>-014) became known 15 working days
before a day later this week, so its deadline is always this week whenever the demo is seeded;
two of its four agencies have sent their information returns. The local review
(LCSPR-<year>-02) was published within its six months and its recommendations are actions.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import actions, briefing, review_learning
from learning.models import ActionStatus
from surveys import responses
from surveys.case_reviews import details, information, records
from surveys.case_reviews.clock import add_months, add_working_days
from surveys.case_reviews.deadlines import RAPID_REVIEW_WORKING_DAYS
from surveys.loader import DefinitionRegistry
from surveys.models import (
    Membership,
    Organisation,
    PublicationDecision,
    ReviewDecision,
    User,
    utcnow,
)

RETURNS = {
    "Riverside Constabulary": (
        "Officers attended the family home twice after neighbours reported shouting; both were "
        "recorded as verbal arguments and no referral was made to children's social care.",
        "Call handlers did not check earlier call-outs before closing the second incident.",
    ),
    "Riverside Community Health NHS Trust": (
        "The health visitor saw the baby at the new birth visit and at 8 weeks; a missed "
        "appointment at 12 weeks was followed up by letter only.",
        "Missed contacts for babies under one were not escalated to the safeguarding team.",
    ),
}
DRAFTING = "Riverside Council Children’s Services"
ASKED_ONLY = "Riverside University Hospitals NHS Trust"
RECOMMENDATIONS = (
    (
        "Health visitors follow up every missed contact for a baby under one in person, and "
        "tell the named nurse within a working day.",
        "Riverside Community Health NHS Trust",
        ActionStatus.DONE,
    ),
    (
        "Children's social care asks about fathers and other men in the household at every "
        "assessment of a baby.",
        "Riverside Council Children’s Services",
        ActionStatus.IN_PROGRESS,
    ),
    (
        "Emergency department staff check the child protection information system for every "
        "injury to a non-mobile baby.",
        "Riverside University Hospitals NHS Trust",
        ActionStatus.NOT_STARTED,
    ),
)


def rapid_review_aware_on(today: date) -> date:
    """Return a day whose 15-working-day rapid review falls due 1 to 5 days after today."""
    for back in range(RAPID_REVIEW_WORKING_DAYS, 60):
        aware = today - timedelta(days=back)
        if (
            today + timedelta(days=1)
            <= add_working_days(aware, RAPID_REVIEW_WORKING_DAYS)
            <= (today + timedelta(days=5))
        ):
            return aware
    raise AssertionError("no day found")  # every week has working days


def seed_reviews(session: Session, registry: DefinitionRegistry) -> None:
    """Add the demo's rapid review in progress and its completed local review."""
    today = utcnow().date()
    officer = session.scalar(
        select(User).join(Membership).where(User.email == "reviews@example.org")
    )
    assert officer is not None, "seed the demo people first"
    by_name = {o.name: o for o in session.scalars(select(Organisation))}
    _rapid_review(session, registry, officer, by_name, today)
    _local_review(session, officer, by_name, today)


def _rapid_review(
    session: Session,
    registry: DefinitionRegistry,
    officer: User,
    by_name: dict[str, Organisation],
    today: date,
) -> None:
    aware = rapid_review_aware_on(today)
    review = records.record_notification(
        session,
        records.Notification(
            f"RR-{aware.year}-014",
            aware,
            "A 4-month-old baby was admitted to hospital with a fractured skull and rib "
            "fractures of different ages.",
            owner_id=officer.id,
            panel_notified_on=add_working_days(aware, 2),
            ofsted_notified_on=add_working_days(aware, 2),
        ),
        recorded_by=officer,
    )
    details.save_details(
        session,
        review.id,
        details.Details(
            "Leo Hartwell",
            add_months(today, 12 * 7),
            today - timedelta(days=125),
            "14 Willow Court, Riverside RV2 7QT",
            "White British",
        ),
        by=officer,
        today=today,
    )
    definition = registry.latest(information.INFORMATION_FORM)
    names = [*RETURNS, DRAFTING, ASKED_ONLY]
    cycle = information.ask_agencies(
        session, review.id, [by_name[n].id for n in names], definition=definition, by=officer
    )
    asked_at = _at(add_working_days(aware, 1))
    cycle.opens_at = asked_at  # asked the day after the partnership became aware
    for days, (name, (involvement, learning)) in enumerate(RETURNS.items(), start=1):
        when = _at(add_working_days(aware, 3 + days), hour=15)
        responses.record_submitted_response(
            session,
            cycle,
            definition,
            responses.CompleteResponse(
                {"was_involved": "yes", "involvement": involvement, "learning": learning},
                submitted_at=min(when, utcnow()),
                organisation_id=by_name[name].id,
                started_at=asked_at + timedelta(hours=2),
            ),
        )
    draft = responses.new_response(cycle, organisation_id=by_name[DRAFTING].id)
    draft.answers = {"was_involved": "yes"}
    draft.created_at = draft.last_saved_at = asked_at + timedelta(days=1)
    session.add(draft)
    session.commit()
    records.add_meeting(
        session,
        review.id,
        held_on=add_working_days(aware, 8),
        attended_by="Police, community health, children's social care, the hospital trust",
        notes="Chronologies shared; two returns still awaited.",
        by=officer,
    )


def _local_review(
    session: Session, officer: User, by_name: dict[str, Organisation], today: date
) -> None:
    aware = today - timedelta(days=300)
    decided = add_working_days(aware, 13)
    review = records.record_notification(
        session,
        records.Notification(
            f"LCSPR-{aware.year}-02",
            aware,
            "A 7-month-old baby died after an unexplained injury at home.",
            owner_id=officer.id,
            panel_notified_on=add_working_days(aware, 3),
            ofsted_notified_on=add_working_days(aware, 3),
        ),
        recorded_by=officer,
    )
    records.record_decision(
        session,
        review.id,
        records.Decision(
            ReviewDecision.LOCAL_REVIEW,
            "The criteria were met and agencies could have worked together better: missed "
            "health contacts and police call-outs were never put together.",
            decided,
            peer_challenge="Northvale's review group agreed the criteria were met.",
            panel_view="The national panel agreed with a local review.",
        ),
        by=officer,
    )
    published = add_months(decided, 5)
    records.record_local_review(
        session,
        review.id,
        records.LocalReview(
            terms_of_reference="How agencies identified and shared risks to a non-mobile baby.",
            lead_reviewer="Dr Helen Marsh (independent reviewer)",
            lead_reviewer_is_independent=True,
            agencies_involved="Police, community health, children's social care, hospital trust",
            practitioners_involved="Health visitor, social worker, two officers, ED nurse",
            family_involvement="The mother and grandmother met the lead reviewer twice.",
            publication_decision=PublicationDecision.PUBLISH_REPORT,
            publication_reasons="The learning applies to every agency; the family agreed.",
            published_on=published,
            published_until=add_months(published, 18),
        ),
        by=officer,
        today=today,
    )
    for text, owner, status in RECOMMENDATIONS:
        recommendation = records.add_recommendation(session, review.id, text, by=officer)
        action = review_learning.action_from_recommendation(
            session,
            review.id,
            recommendation.id,
            owner_organisation_id=by_name[owner].id,
            due_date=today + timedelta(days=60 if status is not ActionStatus.DONE else -30),
            created_by=officer,
        )
        if status is not ActionStatus.NOT_STARTED:
            membership = session.scalar(select(Membership).where(Membership.user_id == officer.id))
            assert membership is not None
            actions.set_action_status(session, action.id, status, member=membership)
        if status is ActionStatus.DONE:
            action.evidence_of_impact = (
                "An audit of 40 missed contacts found every one followed up in person."
            )
            session.commit()
    entry = review_learning.entry_from_review(
        session,
        review.id,
        title="Missed health contacts for babies are a risk signal",
        lesson="A missed contact for a non-mobile baby must be followed up in person and shared.",
        created_by=officer,
    )
    briefing.change_wording(  # the quality group's words for its learning briefing
        session,
        entry.id,
        briefing.BriefingWording(
            do="When a baby who cannot yet crawl misses a health contact, follow it up in person "
            "within two working days and tell the family's health visitor and GP.",
            questions="When did a baby you work with last miss a contact?\n"
            "Who do you tell when a non-mobile baby misses an appointment?\n"
            "What stops you following up in person, and who could help?",
        ),
    )


def _at(day: date, hour: int = 10) -> datetime:
    moment = datetime.combine(day, time(hour), tzinfo=UTC)
    return min(moment, utcnow() - timedelta(minutes=5))
