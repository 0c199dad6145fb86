"""Demo data: a neighbouring partnership that shares Riverside's police force and NHS trust.

Northvale runs the regional Section 11 with Riverside as one shared cycle: the police force
and the community health trust serve both partnerships and answer one return each (the
police's is still a draft, for a newcomer to finish once), and each partnership asks one
local question of its own. Every name here is invented.

Public API:
    PARTNERSHIP, USERS, SHARED_ORGANISATIONS, LOCAL_QUESTIONS
    seed_neighbour(session, registry) -> list[DemoUser]: call after seed_collection
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from demo.people import DEMO_PASSWORD, DemoUser
from surveys import responses, shared_cycles, tenancy, users
from surveys.loader import DefinitionRegistry
from surveys.models import (
    Cycle,
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationPartnership,
    Partnership,
    Response,
    Role,
    Sector,
    SharedCycleOffer,
    User,
)

PARTNERSHIP = "Northvale Safeguarding Children Partnership"
SHARED_ORGANISATIONS = ("Riverside Constabulary", "Riverside Community Health NHS Trust")
OWN_ORGANISATIONS: list[tuple[str, Sector, OrganisationKind]] = [
    ("Northvale Council Children’s Services", Sector.LOCAL_AUTHORITY, OrganisationKind.AGENCY),
    ("Northvale Youth Justice Service", Sector.YOUTH_JUSTICE, OrganisationKind.AGENCY),
]
USERS = [
    DemoUser("admin@northvale.example.org", "Morgan Hughes", Role.PARTNERSHIP_ADMIN),
    DemoUser("quality@northvale.example.org", "Tomasz Nowak", Role.QUALITY_GROUP),
    DemoUser("dsl@northvale.example.org", "Grace Adeyemi", Role.SAFEGUARDING_LEAD),
]
LOCAL_QUESTIONS = {  # each partnership's own question on the shared Section 11
    "riverside": "How does your organisation take part in the Riverside MASH daily meeting?",
    "northvale": "How have you used the Northvale neglect toolkit this year?",
}


def seed_neighbour(session: Session, registry: DefinitionRegistry) -> list[DemoUser]:
    """Add Northvale, join Riverside's Section 11 as a shared cycle, and copy the shared returns.

    The session works in Riverside (the first partnership) before and after.
    """
    riverside = session.scalar(select(Partnership.id).order_by(Partnership.id))
    assert riverside is not None, "seed the demo partnership first"
    tenancy.work_in(session, riverside)
    section_11 = session.scalar(select(Cycle).where(Cycle.definition_key == "section-11"))
    assert section_11 is not None
    northvale = Partnership(
        name=PARTNERSHIP,
        front_door_name="Northvale Children’s Advice Line",
        front_door_phone="01632 960 500",
    )
    session.add(northvale)
    session.flush()
    section_11.shared_round = f"demo-regional-section-11-{section_11.id}"
    shared_cycles.offer(session, section_11, (northvale.id,))
    shared_cycles.add_local_question(
        session, section_11, LOCAL_QUESTIONS["riverside"], "", by=None
    )  # commits

    tenancy.work_in(session, northvale.id)
    shared = list(
        session.scalars(select(Organisation).where(Organisation.name.in_(SHARED_ORGANISATIONS)))
    )
    for organisation in shared:
        session.add(
            OrganisationPartnership(organisation_id=organisation.id, partnership_id=northvale.id)
        )
    own = [
        Organisation(name=name, sector=sector, kind=kind)
        for name, sector, kind in OWN_ORGANISATIONS
    ]
    session.add_all(own)
    session.flush()
    for person in USERS:
        users.create_user(
            session,
            users.NewUser(person.email, person.name, person.role, None),
            password=DEMO_PASSWORD,
        )
    # Priya Shah, Riverside's quality group member, also reviews Northvale's possible
    # disclosures: one person, two partnerships, a role in each (she switches between them).
    priya = session.scalar(select(User).where(User.email == "quality@example.org"))
    if priya is not None:
        session.add(
            Membership(user_id=priya.id, partnership_id=northvale.id, role=Role.SAFEGUARDING_LEAD)
        )
        session.flush()
    offer = session.scalar(select(SharedCycleOffer))
    assert offer is not None
    definition = registry.get(offer.definition_key, offer.definition_version)
    joined = shared_cycles.join(
        session,
        offer,
        definition,
        tuple(o.id for o in [*shared, *own]),
        created_by=None,
    )
    shared_cycles.add_local_question(session, joined, LOCAL_QUESTIONS["northvale"], "", by=None)

    tenancy.work_in(session, riverside)
    for response in session.scalars(
        select(Response).where(
            Response.cycle_id == section_11.id,
            Response.organisation_id.in_([o.id for o in shared]),
        )
    ).all():
        responses.join_copies(session, response)  # Northvale's copy of the one return
    return USERS
