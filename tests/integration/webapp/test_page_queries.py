"""The returns table and the ratings view read the database as often for 9 organisations as
for 2: no read per organisation (benchmarks/partnerships_scale.py measures them at scale)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import event

from demo.answers import generate_answers
from surveys import cycles, responses
from surveys.loader import load_definitions
from surveys.models import utcnow
from tests import factories
from tests.integration.webapp.test_assessments import as_user
from webapp.database import get_engine

SECTION_11 = load_definitions().latest("section-11")


def _cycle_of(session, size: int) -> int:
    """A Section 11 cycle with `size` organisations, all but one of which have submitted."""
    now = utcnow()
    organisations = [factories.OrganisationFactory() for _ in range(size)]
    cycle = cycles.publish_cycle(
        session,
        SECTION_11,
        cycles.NewCycle(
            f"S11 of {size}",
            now - timedelta(days=2),
            now + timedelta(days=9),
            tuple(o.id for o in organisations),
        ),
        created_by=None,
    )
    for organisation in organisations[1:]:
        responses.record_submitted_response(
            session,
            cycle,
            SECTION_11,
            responses.CompleteResponse(
                generate_answers(SECTION_11, rng=random.Random(organisation.id)),
                submitted_at=now,
                organisation_id=organisation.id,
            ),
        )
    session.commit()
    return cycle.id


def test_the_returns_table_and_ratings_view_read_as_often_for_many_organisations(
    app, db_session, admin
):
    small, large = _cycle_of(db_session, 2), _cycle_of(db_session, 9)
    client = as_user(app, db_session, admin)
    statements: list[str] = []
    engine = get_engine(app)

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        reads = {}
        for cycle_id in (small, large):
            for path in (f"/admin/cycles/{cycle_id}", f"/findings/cycles/{cycle_id}"):
                statements.clear()
                page = client.get(path)
                assert page.status_code == 200
                reads[path.replace(str(cycle_id), "<id>"), cycle_id] = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    for path in ("/admin/cycles/<id>", "/findings/cycles/<id>"):
        assert reads[path, small] == reads[path, large]
