"""The world benchmarks/load_mixed.py serves, built through the product's own service functions.

Public API:
    World: what the simulated people need (form links, the Section 11 cycle, their accounts)
    build_world(url, organisations, quality_members, seed) -> World
    sign_in(url, secret_key, partnership_id, user_ids) -> {user id: signed `session` cookie}
    evidence_question(page_id) -> the Section 11 standard's evidence question id

What it holds: the demo partnership (`demo.people.seed`: 13 organisations and a user for
every role), plus `organisations` more agencies each with a lead and a contributor, and
`quality_members` more quality-group members, added before the demo's cycles are published
(`demo.collection.seed_collection`: a cycle of every form, open, filled with the demo's
responses; its Section 11 cycle is assigned to every agency, the new ones included). Each new
agency's Section 11 return is started (`surveys.responses.start_organisation_response`).
Then the demo's learning (`demo.learning.seed_learning`): a finished theming run over every
stream, with board placements, log entries and actions, themed with the TF-IDF embedder
(`build_pipeline(embedder="tfidf")`, the tests' light path) so that no model loads: the
pages read the run's real themes, statements and quotes as the product stored them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select

from demo import people
from demo.collection import seed_collection
from demo.learning import seed_learning
from learning import runs
from learning.theming_job import build_pipeline
from surveys import accounts, organisations, responses, tenancy, users
from surveys.database import make_engine, make_session_factory
from surveys.loader import load_definitions
from surveys.models import (
    Cycle,
    OrganisationKind,
    PublicLink,
    Role,
    Sector,
    User,
)

FORMS = ("training-evaluation", "practitioner-consultation")  # anonymous links, several pages
SECTORS = (Sector.HEALTH, Sector.LOCAL_AUTHORITY, Sector.VOLUNTARY, Sector.EDUCATION)


@dataclass(frozen=True)
class OrganisationPerson:
    """A lead or contributor of a new agency, and the Section 11 pages they look after."""

    user_id: int
    organisation_id: int
    response_id: int
    pages: tuple[str, ...]


@dataclass
class World:
    partnership_id: int = 0
    links: dict[str, tuple[str, int]] = field(default_factory=dict)  # form key: (token, cycle)
    section_11_cycle: int = 0
    organisation_people: list[OrganisationPerson] = field(default_factory=list)
    quality_ids: list[int] = field(default_factory=list)
    run_id: int = 0
    theme_ids: list[int] = field(default_factory=list)


def build_world(url: str, *, organisations_count: int, quality_members: int, seed: int) -> World:
    """Build the demo partnership with more agencies and quality-group members; return ids."""
    registry = load_definitions()
    section_11 = registry.latest("section-11")
    standards = [page.id for page in section_11.pages if page.id.startswith("standard_")]
    rng = random.Random(seed)
    engine = make_engine(url)
    world = World()
    with make_session_factory(engine)() as session:
        people.seed(session)
        world.partnership_id = int(session.info[tenancy.SCOPE])
        added = []
        for number in range(1, organisations_count + 1):
            sector = SECTORS[number % len(SECTORS)]
            details = organisations.OrganisationDetails(
                f"Load test agency {number}", sector, OrganisationKind.AGENCY
            )
            organisation = organisations.create_organisation(session, details, created_by=None)
            added.append(organisation.organisation.id)
        leads = {}
        for number, organisation_id in enumerate(added, start=1):
            team = []
            for role in (Role.ORGANISATION_LEAD, Role.ORGANISATION_CONTRIBUTOR):
                person = users.NewUser(
                    f"{role.value}.{number}@load.example.org",
                    f"Agency {number} {role.label}",
                    role,
                    organisation_id,
                )
                team.append(users.create_user(session, person).id)
            leads[organisation_id] = team
        for number in range(1, quality_members + 1):
            person = users.NewUser(
                f"quality.{number}@load.example.org", f"Quality {number}", Role.QUALITY_GROUP
            )
            world.quality_ids.append(users.create_user(session, person).id)
        seed_collection(session, registry)
        cycles = {c.definition_key: c for c in session.scalars(select(Cycle))}
        for key in FORMS:
            link = session.scalar(select(PublicLink).where(PublicLink.cycle_id == cycles[key].id))
            assert link is not None
            world.links[key] = (link.token, cycles[key].id)
        cycle = cycles["section-11"]
        world.section_11_cycle = cycle.id
        for organisation_id, team in leads.items():
            response = responses.start_organisation_response(
                session, cycle, organisation_id, definitions=registry
            )
            session.commit()
            pages = standards[:]
            rng.shuffle(pages)
            half = len(pages) // 2  # colleagues look after different standards
            for index, user_id in enumerate(team):
                own = pages[:half] if index == 0 else pages[half:]
                world.organisation_people.append(
                    OrganisationPerson(user_id, organisation_id, response.id, tuple(own))
                )
        pipeline = build_pipeline(tenancy.sessions_like(session), embedder="tfidf")
        world.run_id = seed_learning(session, registry, pipeline=pipeline)
        demo_quality = session.scalar(select(User.id).where(User.email == "quality@example.org"))
        world.quality_ids.append(int(demo_quality or 0))
        world.theme_ids = [theme.id for theme in runs.visible_themes(session, world.run_id)]
    engine.dispose()
    return world


def evidence_question(page_id: str) -> str:
    """Return the id of a Section 11 standard's evidence question ("standard_3": "s3_evidence")."""
    return f"s{page_id.removeprefix('standard_')}_evidence"


def sign_in(url: str, secret_key: str, partnership_id: int, user_ids: list[int]) -> dict[int, str]:
    """Start a server-side session for each user; return their signed `session` cookies.

    As benchmarks/partnerships_scale.py does: the sign-in form is throttled per address, and
    400 people signing in from one address in a minute would measure the throttle.
    """
    app = Flask(__name__)
    app.secret_key = secret_key
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    engine = make_engine(url)
    cookies = {}
    with make_session_factory(engine)() as session:
        tenancy.work_in(session, partnership_id)
        for user_id in user_ids:
            user = session.get(User, user_id)
            assert user is not None
            token = accounts.start_session(session, user)
            cookies[user_id] = str(serializer.dumps({"token": token, "_permanent": True}))
    engine.dispose()
    return cookies
