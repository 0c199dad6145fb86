"""Demo data: a fictional partnership, its organisations and a user for every role.

For trying Learning Loop on one machine. Every name here is invented.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import tenancy, users
from surveys.models import Organisation, OrganisationKind, Partnership, Role, Sector

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for the demo only
PARTNERSHIP = "Riverside Safeguarding Children Partnership"

ORGANISATIONS: list[tuple[str, Sector, OrganisationKind]] = [
    ("Riverside Constabulary", Sector.POLICE, OrganisationKind.AGENCY),
    ("Riverside Integrated Care Board", Sector.HEALTH, OrganisationKind.AGENCY),
    ("Riverside Community Health NHS Trust", Sector.HEALTH, OrganisationKind.AGENCY),
    ("Riverside University Hospitals NHS Trust", Sector.HEALTH, OrganisationKind.AGENCY),
    ("Riverside Council Children’s Services", Sector.LOCAL_AUTHORITY, OrganisationKind.AGENCY),
    ("Riverside Council Housing", Sector.LOCAL_AUTHORITY, OrganisationKind.AGENCY),
    ("Riverside Youth Justice Service", Sector.YOUTH_JUSTICE, OrganisationKind.AGENCY),
    ("Probation Service – Riverside", Sector.PROBATION, OrganisationKind.AGENCY),
    ("Riverside Family Support Trust", Sector.VOLUNTARY, OrganisationKind.AGENCY),
    ("Northgate Sports Club", Sector.VOLUNTARY, OrganisationKind.AGENCY),
    ("Meadowbank Primary School", Sector.EDUCATION, OrganisationKind.SCHOOL),
    ("Riverside Academy", Sector.EDUCATION, OrganisationKind.SCHOOL),
    ("Riverside College", Sector.EDUCATION, OrganisationKind.SCHOOL),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: Role
    organisation: str | None = None
    other_roles: frozenset[Role] = frozenset()  # held beside `role`

    @property
    def role_labels(self) -> str:
        return ", ".join(role.label for role in Role if role in {self.role, *self.other_roles})


USERS = [
    DemoUser("admin@example.org", "Alex Morgan", Role.PARTNERSHIP_ADMIN),
    DemoUser("quality@example.org", "Priya Shah", Role.QUALITY_GROUP),
    DemoUser("dsl@example.org", "Jordan Ellis", Role.SAFEGUARDING_LEAD),
    DemoUser("reviews@example.org", "Morgan Reid", Role.CASE_REVIEWER),
    DemoUser("training@example.org", "Jo Evans", Role.TRAINING_LEAD),
    DemoUser(  # the police's lead also reviews other agencies' returns, never the police's
        "lead@police.example.org",
        "Sam Taylor",
        Role.ORGANISATION_LEAD,
        "Riverside Constabulary",
        frozenset({Role.REVIEWER}),
    ),
    DemoUser(
        "contributor@police.example.org",
        "Chris Walker",
        Role.ORGANISATION_CONTRIBUTOR,
        "Riverside Constabulary",
    ),
    DemoUser(
        "lead@health.example.org",
        "Dr Nadia Okafor",
        Role.ORGANISATION_LEAD,
        "Riverside Community Health NHS Trust",
    ),
    DemoUser(
        "dsl@meadowbank.example.org",
        "Ruth Fenwick",
        Role.ORGANISATION_LEAD,
        "Meadowbank Primary School",
    ),
]


def is_seeded(session: Session) -> bool:
    """Return whether any organisation exists (the demo loads only into an empty database)."""
    return session.scalar(select(Organisation.id).limit(1)) is not None


def seed(session: Session) -> list[DemoUser]:
    """Load the demo partnership, organisations and users; return the users created.

    A database that already holds one partnership (and nothing else) gets the demo in it.
    The session works in that partnership from here on (`surveys.tenancy`).
    """
    partnership_id = tenancy.sole_partnership(session)
    if partnership_id is None:
        partnership = Partnership(
            name=PARTNERSHIP,
            front_door_name="Riverside Children’s Front Door",
            front_door_phone="01632 960 000",
        )
        session.add(partnership)
        session.flush()
        partnership_id = partnership.id
    tenancy.work_in(session, partnership_id)
    by_name: dict[str, int] = {}
    for name, sector, kind in ORGANISATIONS:
        organisation = Organisation(name=name, sector=sector, kind=kind)
        session.add(organisation)
        session.flush()
        by_name[name] = organisation.id
    session.commit()
    for person in USERS:
        organisation_id = by_name[person.organisation] if person.organisation else None
        users.create_user(
            session,
            users.NewUser(
                person.email, person.name, person.role, organisation_id, person.other_roles
            ),
            password=DEMO_PASSWORD,
        )
    return USERS
