"""Actions as the read-only API serves them (the `Action` schema of `surveys.api_assurance`).

Ids, where the action came from, its owner organisation, due date, status, whether it is
overdue (by its due date) and agreed, and counts: never its description, who leads it, its
progress notes or evidence of impact, which are free text the API does not serve.

Public API:
    actions_page(session, *, page, per_page) -> (actions, total): the partnership's, by id
    action_document(action, today) -> dict
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from learning.models import Action


def actions_page(session: Session, *, page: int, per_page: int) -> tuple[list[Action], int]:
    """Return one page of the partnership's actions (oldest first) and how many there are."""
    total = session.scalar(select(func.count(Action.id))) or 0
    rows = session.scalars(
        select(Action)
        .options(selectinload(Action.owner_organisation), selectinload(Action.updates))
        .order_by(Action.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return list(rows), total


def _timestamp(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def action_document(action: Action, today: date) -> dict[str, Any]:
    """Return an action as the API's Action object."""
    organisation = action.owner_organisation
    return {
        "id": action.id,
        "source": action.source.value,
        "return_id": action.response_id,
        "standard_ref": action.standard_ref,
        "challenge_id": action.challenge_id,
        "recommendation_id": action.recommendation_id,
        "national_finding_id": action.national_finding_id,
        "owner_organisation": {"id": organisation.id, "name": organisation.name},
        "due_date": action.due_date.isoformat(),
        "status": action.status.value,
        "is_overdue": action.is_overdue(today),
        "is_agreed": action.is_agreed,
        "agreed_at": _timestamp(action.agreed_at),
        "created_at": _timestamp(action.created_at),
        "completed_at": _timestamp(action.completed_at),
        "progress_updates": len(action.updates),
        "has_evidence_of_impact": bool(action.evidence_of_impact.strip()),
    }
