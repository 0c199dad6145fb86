"""Partnerships as tenants: every query is scoped in one place and fails closed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session, aliased

import learning.models  # noqa: F401 - registers the learning tables on Base
from learning.models import ThemingRun
from surveys import tenancy
from surveys.database import make_engine, make_session_factory
from surveys.models import (
    AuditEvent,
    Base,
    Cycle,
    CycleAudience,
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationPartnership,
    Partnership,
    Role,
    Sector,
    User,
    utcnow,
)


@pytest.fixture
def session(tmp_path) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / 'tenancy.db'}")
    Base.metadata.create_all(engine)
    with make_session_factory(engine)() as session:
        yield session
    engine.dispose()


def _cycle(title: str) -> Cycle:
    now = utcnow()
    return Cycle(
        title=title,
        definition_key="training-evaluation",
        definition_version=1,
        audience=CycleAudience.LINK,
        opens_at=now,
        closes_at=now + timedelta(days=1),
    )


def _two_partnerships(session: Session) -> tuple[int, int]:
    a, b = Partnership(name="A"), Partnership(name="B")
    session.add_all([a, b])
    session.commit()
    for partnership, title in ((a, "A's cycle"), (b, "B's cycle")):
        tenancy.work_in(session, partnership.id)
        session.add(_cycle(title))
        session.commit()
    return a.id, b.id


def test_a_query_of_a_partnerships_data_with_no_partnership_raises(session):
    with pytest.raises(tenancy.NoPartnership):
        session.scalars(select(Cycle)).all()
    with pytest.raises(tenancy.NoPartnership):
        session.execute(select(func.count()).select_from(Cycle))
    with pytest.raises(tenancy.NoPartnership):
        session.execute(text("SELECT * FROM cycles"))
    assert session.scalars(select(Partnership)).all() == []  # not a partnership's own data


def test_the_other_partnerships_rows_are_invisible(session):
    a, b = _two_partnerships(session)
    tenancy.work_in(session, a)
    session.expunge_all()
    assert session.scalars(select(Cycle.title)).all() == ["A's cycle"]
    other = aliased(Cycle)
    assert session.scalar(select(func.count(other.id))) == 1
    b_cycle = session.scalar(select(Cycle.id).where(Cycle.title == "B's cycle"))
    assert b_cycle is None
    with tenancy.every_partnership(session):
        ids = dict(session.execute(select(Cycle.title, Cycle.id)).all())
    assert session.get(Cycle, ids["B's cycle"]) is None
    assert session.execute(update(Cycle).values(title="renamed")).rowcount == 1
    with tenancy.every_partnership(session):
        titles = sorted(session.scalars(select(Cycle.title)))
    assert titles == ["B's cycle", "renamed"]
    assert tenancy.partnership_of(session) == a  # the named scope ends where it began


def test_plain_sql_on_a_partnerships_table_is_refused_even_in_a_partnership(session):
    a, _ = _two_partnerships(session)
    tenancy.work_in(session, a)
    with pytest.raises(tenancy.NoPartnership):
        session.execute(text("SELECT title FROM cycles"))


def test_new_objects_get_the_sessions_partnership(session):
    a, _ = _two_partnerships(session)
    tenancy.work_in(session, a)
    cycle = _cycle("new")
    session.add(cycle)
    session.commit()
    assert cycle.partnership_id == a


def test_an_object_of_another_partnership_is_refused(session):
    a, b = _two_partnerships(session)
    tenancy.work_in(session, a)
    stranger = _cycle("stranger")
    stranger.partnership_id = b
    session.add(stranger)
    with pytest.raises(tenancy.WrongPartnership):
        session.flush()
    session.rollback()
    mine = session.scalars(select(Cycle)).one()
    mine.partnership_id = b
    with pytest.raises(tenancy.WrongPartnership):
        session.flush()


def test_a_new_object_with_no_partnership_is_refused(session):
    session.add(_cycle("nobody's"))
    with pytest.raises(tenancy.NoPartnership):
        session.flush()


def test_nowhere_finds_nothing_and_writes_nothing(session):
    _two_partnerships(session)
    tenancy.work_in(session, tenancy.NOWHERE)
    assert session.scalars(select(Cycle)).all() == []
    session.add(_cycle("nowhere"))
    with pytest.raises(tenancy.NoPartnership):
        session.flush()


def test_people_and_organisations_join_the_sessions_partnership(session):
    a, _ = _two_partnerships(session)
    tenancy.work_in(session, a)
    police = Organisation(name="Police", sector=Sector.POLICE, kind=OrganisationKind.AGENCY)
    lead = User(email="lead@example.org", name="Lead", role=Role.ORGANISATION_LEAD)
    lead.organisation = police
    session.add(lead)
    session.commit()
    membership = session.scalars(select(Membership)).one()
    assert (membership.user_id, membership.partnership_id) == (lead.id, a)
    assert (membership.role, membership.organisation_id) == (Role.ORGANISATION_LEAD, police.id)
    assert session.scalars(select(OrganisationPartnership.partnership_id)).all() == [a]
    assert tenancy.home_partnership(session, lead.id) == a
    by_id = User(
        email="b@example.org",
        name="B",
        role=Role.ORGANISATION_CONTRIBUTOR,
        organisation_id=police.id,
    )
    session.add(by_id)
    session.commit()
    joined = session.scalar(select(Membership).where(Membership.user_id == by_id.id))
    assert (joined.role, joined.organisation_id) == (Role.ORGANISATION_CONTRIBUTOR, police.id)
    nobody = User(email="c@example.org", name="C", role=None, is_platform_admin=True)
    session.add(nobody)
    session.commit()  # a person with no role (a platform admin) joins no partnership
    assert session.scalar(select(Membership).where(Membership.user_id == nobody.id)) is None


def test_an_accounts_own_audit_event_may_name_no_partnership(session):
    session.add(AuditEvent(user_id=None, action="sign_in.failed"))
    session.commit()
    with tenancy.every_partnership(session):
        assert session.scalars(select(AuditEvent.partnership_id)).all() == [None]


def test_a_job_finds_the_partnership_of_what_it_acts_for(session):
    a, b = _two_partnerships(session)
    tenancy.work_in(session, b)
    run = ThemingRun(selection={}, streams_key="")
    session.add(run)
    session.commit()
    session.info.pop(tenancy.SCOPE)
    assert tenancy.owner_of(session, ThemingRun, run.id) == b
    assert tenancy.partnership_ids(session) == [a, b]
    later = tenancy.sessions_like(session.__class__(bind=session.get_bind(), info={}))
    with later() as fresh, pytest.raises(tenancy.NoPartnership):
        fresh.get(ThemingRun, run.id)
