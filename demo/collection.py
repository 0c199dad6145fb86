"""Demo cycles of every built-in form, filled with the demo answers, for a newcomer to explore."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from demo.responses import demo_responses
from surveys import cycles, follow_ups, responses
from surveys.definition import Audience, Stream
from surveys.engine import visible_answers
from surveys.loader import DefinitionRegistry
from surveys.models import Cycle, Organisation, OrganisationKind, Role, User, utcnow

SEEDED_BY_AUDITS = frozenset({"case-audit-tool", "practice-concern", "case-audit-finding"})
SEEDED_BY_NATIONAL_REVIEWS = frozenset({"national-review-finding"})
OPEN_DAYS_AGO = 120  # the demo's cycles opened about four months ago
CYCLE_TITLES = {  # {year}: the year the cycle opens, so titles stay true whenever seeded
    "section-11": "Section 11 self-assessment {year} to {next_year}",
    "section-175": "Section 175/157 safeguarding audit {year}",
    "training-evaluation": "Multi-agency training feedback",
    "training-follow-up": "Training impact follow-up",
    "practitioner-consultation": "Neglect strategy consultation",
    "child-voice-under-11": "Children’s voice (under 11)",
    "child-voice-11-plus": "Young people’s voice (11 and over)",
    "family-voice": "Family voice",
    "case-audit": "Multi-agency case file audits",
}


def cycle_title(key: str, default: str, opens_at: datetime) -> str:
    """Return a demo cycle's title, with the years it runs in."""
    template = CYCLE_TITLES.get(key, default)
    return template.format(year=opens_at.year, next_year=opens_at.year + 1)


def seed_collection(session: Session, registry: DefinitionRegistry) -> int:
    """Publish a cycle for every built-in form and load the demo responses; return how many.

    Each cycle opens before its oldest demo answer (at least 120 days ago) and closes in 60
    days; organisation returns are submitted by the organisation's lead, and a draft was last
    saved by a contributor where the organisation has one.
    """
    now = utcnow()
    organisations = {o.name: o for o in session.scalars(select(Organisation))}
    demos = demo_responses(registry, today=now.date())
    oldest: dict[str, int] = {}
    for demo in demos:
        oldest[demo.definition_key] = max(
            oldest.get(demo.definition_key, 0), demo.submitted_days_ago
        )
    by_key = {}
    for definition in registry.latest_definitions():
        if definition.stream is Stream.CASE_REVIEW:
            continue  # asked of agencies by each rapid review (demo.reviews), not by a cycle
        if definition.key in SEEDED_BY_AUDITS:
            continue  # a cycle per audit case, and the concern link: see demo.audits
        if definition.key in SEEDED_BY_NATIONAL_REVIEWS:
            continue  # a cycle per finding: see demo.national_reviews
        opens_at = now - timedelta(days=max(OPEN_DAYS_AGO, oldest.get(definition.key, 0) + 7))
        kind = OrganisationKind.SCHOOL if "175" in definition.key else OrganisationKind.AGENCY
        assigned = (
            tuple(o.id for o in organisations.values() if o.kind is kind)
            if (definition.audience is Audience.ORGANISATION)
            else ()
        )
        by_key[definition.key] = cycles.publish_cycle(
            session,
            definition,
            cycles.NewCycle(
                cycle_title(definition.key, definition.title, opens_at),
                opens_at,
                now + timedelta(days=60),
                assigned,
            ),
            created_by=None,
        )
    people = list(session.scalars(select(User).order_by(User.id)))
    lead_of = {u.organisation_id: u for u in people if u.role is Role.ORGANISATION_LEAD}
    contributor_of = {
        u.organisation_id: u for u in people if u.role is Role.ORGANISATION_CONTRIBUTOR
    }
    count = 0
    answered: set[tuple[int, int]] = set()
    for demo in demos:
        cycle = by_key[demo.definition_key]
        organisation = organisations.get(demo.organisation_name or "")
        if organisation is not None:
            if (cycle.id, organisation.id) in answered:
                continue  # one shared response per organisation and cycle
            answered.add((cycle.id, organisation.id))
        _add_response(session, cycle, demo, organisation, (lead_of, contributor_of), registry)
        count += 1
    session.commit()
    return count


def _add_response(
    session: Session,
    cycle: Cycle,
    demo,
    organisation,  # type: ignore[no-untyped-def]
    people: tuple[dict[int | None, User], dict[int | None, User]],
    registry: DefinitionRegistry,
) -> None:
    definition = registry.get(cycle.definition_key, cycle.definition_version)
    when = utcnow() - timedelta(days=demo.submitted_days_ago, hours=len(session.new) % 9)
    lead_of, contributor_of = people
    lead = lead_of.get(organisation.id) if organisation else None
    if demo.is_submitted:  # the demo's past: screened and alerted when it was submitted
        recorded = responses.record_submitted_response(
            session,
            cycle,
            definition,
            responses.CompleteResponse(
                demo.answers,
                submitted_at=when,
                organisation_id=organisation.id if organisation else None,
                public_link_id=None if organisation else cycle.links[0].id,
                submitted_by_id=lead.id if lead else None,
                started_at=when - timedelta(minutes=20),
            ),
        )
        for flag in recorded.flags:
            flag.alerted_at = when
        recorded.response.semantic_screened_at = when
        return
    saver = contributor_of.get(organisation.id, lead) if organisation else None
    draft = responses.new_response(  # a colleague filled it in
        cycle,
        organisation_id=organisation.id if organisation else None,
        public_link_id=None if organisation else cycle.links[0].id,
    )
    shown = visible_answers(definition, demo.answers)
    draft.answers = follow_ups.split_email(definition, shown)[0]  # never kept
    draft.version = 2
    draft.created_at = when - timedelta(minutes=20)
    draft.last_saved_at = when
    draft.last_saved_by_id = saver.id if saver else None
    session.add(draft)
    session.flush()
