"""A form asked of a few agencies about one thing, in a cycle of its own.

A rapid review asks its agencies for an information return; a case audit asks the agencies
involved in one case for the audit tool. Each is a cycle of its own whose returns list is the
agencies asked, so every agency answers once for that review or case (a response is one per
organisation per cycle) and several times over many cases. Agencies not asked cannot open
it; each agency sees only its own answers, as with any return.

Public API:
    ASKED_FROM_THEIR_PAGES: forms only ever asked this way (never published by hand)
    ask_in_own_cycle(session, cycle, definition, *, title, closes_at, organisation_ids, by)
        -> (Cycle, newly asked organisation ids)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from surveys import cycles
from surveys.definition import SurveyDefinition
from surveys.models import Cycle, CycleAssignment, User, utcnow

# A national review's finding asks agencies from the review's page; a case audit finding's
# words are kept as a response that nobody answers. Neither is a form to publish by hand.
ASKED_FROM_THEIR_PAGES = frozenset({"national-review-finding", "case-audit-finding"})


def ask_in_own_cycle(
    session: Session,
    cycle: Cycle | None,
    definition: SurveyDefinition,
    *,
    title: str,
    closes_at: datetime,
    organisation_ids: set[int],
    by: User,
) -> tuple[Cycle, set[int]]:
    """Publish the cycle on the first ask; later, add the agencies not yet asked.

    Agencies already asked are kept; asking one again changes nothing. The caller checks the
    organisations serve this partnership and commits. Returns the cycle and who is newly asked.
    """
    if cycle is None:
        now = utcnow()
        cycle = cycles.publish_cycle(
            session,
            definition,
            cycles.NewCycle(
                title,
                now - timedelta(minutes=1),
                max(closes_at, now + timedelta(days=1)),
                tuple(sorted(organisation_ids)),
            ),
            created_by=by.id,
            commit=False,
        )
        return cycle, set(organisation_ids)
    asked = {a.organisation_id for a in cycle.assignments}
    newly = organisation_ids - asked
    for organisation_id in sorted(newly):
        cycle.assignments.append(CycleAssignment(organisation_id=organisation_id))
    return cycle, newly
