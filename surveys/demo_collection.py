"""Demo cycles of every built-in form, filled with the demo answers, for a newcomer to explore."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import cycles, engine, safeguarding
from surveys.definition import Audience
from surveys.demo_answers import demo_responses
from surveys.loader import DefinitionRegistry
from surveys.models import (
    Cycle,
    Organisation,
    OrganisationKind,
    Response,
    ResponseStatus,
    User,
    utcnow,
)
from surveys.responses import new_reference

CYCLE_TITLES = {
    "section-11": "Section 11 self-assessment 2026 to 2027",
    "section-175": "Section 175/157 safeguarding audit 2026",
    "training-evaluation": "Multi-agency training feedback 2026",
    "training-follow-up": "Training impact follow-up 2026",
    "practitioner-consultation": "Neglect strategy consultation",
    "child-voice-under-11": "Children’s voice (under 11) 2026",
    "child-voice-11-plus": "Young people’s voice (11 and over) 2026",
    "family-voice": "Family voice 2026",
    "case-audit": "Multi-agency case file audit: spring 2026",
}


def seed_collection(session: Session, registry: DefinitionRegistry) -> int:
    """Publish a cycle for every built-in form and load the demo responses; return how many."""
    now = utcnow()
    organisations = {o.name: o for o in session.scalars(select(Organisation))}
    by_key = {}
    for definition in registry.latest_definitions():
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
                CYCLE_TITLES.get(definition.key, definition.title),
                now - timedelta(days=120),
                now + timedelta(days=60),
                assigned,
            ),
            created_by=None,
        )
    lead_of = {
        u.organisation_id: u for u in session.scalars(select(User)) if u.organisation_id is not None
    }
    count = 0
    answered: set[tuple[int, int]] = set()
    for demo in demo_responses(registry, today=now.date()):
        cycle = by_key[demo.definition_key]
        organisation = organisations.get(demo.organisation_name or "")
        if organisation is not None:
            if (cycle.id, organisation.id) in answered:
                continue  # one shared response per organisation and cycle
            answered.add((cycle.id, organisation.id))
        _add_response(session, cycle, demo, organisation, lead_of, registry)
        count += 1
    session.commit()
    return count


def _add_response(
    session: Session,
    cycle: Cycle,
    demo,
    organisation,  # type: ignore[no-untyped-def]
    lead_of: dict[int, User],
    registry: DefinitionRegistry,
) -> None:
    definition = registry.get(cycle.definition_key, cycle.definition_version)
    when = utcnow() - timedelta(days=demo.submitted_days_ago, hours=len(session.new) % 9)
    answers = engine.visible_answers(definition, demo.answers)
    answers = {
        k: v
        for k, v in answers.items()
        if not (
            definition.question(k).personal_data and definition.question(k).autocomplete == "email"
        )
    }
    lead = lead_of.get(organisation.id) if organisation else None
    response = Response(
        cycle_id=cycle.id,
        organisation_id=organisation.id if organisation else None,
        public_link_id=None if organisation else cycle.links[0].id,
        submission_id=str(uuid.uuid4()),
        reference=new_reference(),
        definition_key=cycle.definition_key,
        definition_version=cycle.definition_version,
        status=ResponseStatus.SUBMITTED if demo.is_submitted else ResponseStatus.IN_PROGRESS,
        answers=answers,
        version=2,
        created_at=when - timedelta(minutes=20),
        last_saved_at=when,
        last_saved_by_id=lead.id if lead else None,
        submitted_at=when if demo.is_submitted else None,
        submitted_by_id=lead.id if lead and demo.is_submitted else None,
    )
    session.add(response)
    session.flush()
    if demo.is_submitted:  # the demo's past: screened and alerted when it was submitted
        for flag in safeguarding.flag_response(session, response, definition, answers, now=when):
            flag.alerted_at = when
        response.semantic_screened_at = when
