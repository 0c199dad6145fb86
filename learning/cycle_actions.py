"""The actions a cycle's scrutiny produced, for its findings report.

Public API:
    NO_ACTIONS_YET: what the report says when there are none
    actions_from_scrutiny(session, cycle) -> list[Action]

An action that answers a return's standard (proposed by the organisation, from its return or
in answer to a challenge: `learning.action_plans`) names the return; a challenge's action
names the challenge too. A cycle's actions are those whose return is one of its returns.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from learning.models import Action
from surveys.models import Cycle, Response

NO_ACTIONS_YET = "No actions recorded for this cycle yet"


def actions_from_scrutiny(session: Session, cycle: Cycle) -> list[Action]:
    """Return the actions this cycle's returns carry, soonest due first."""
    return list(
        session.scalars(
            select(Action)
            .join(Response, Response.id == Action.response_id)
            .where(Response.cycle_id == cycle.id)
            .options(selectinload(Action.owner_organisation), selectinload(Action.updates))
            .order_by(Action.due_date, Action.id)
        )
    )
