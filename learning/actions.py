"""Actions: what an organisation agreed to do, from a board decision, a learning entry, a case
review's recommendation, or its own return (see `learning.action_plans`): one list per
organisation, each action saying where it came from (`Action.source`). Overdue is worked out
from the due date (`Action.is_overdue`), never chosen.

Organisation leads and contributors see and update only their own organisation's actions;
the quality group and partnership admins see all of them. Who someone is here is their
membership of the partnership they work in (`member`), not anything stored on the person.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from learning.errors import InvalidInput, NotAllowed, NotFound
from learning.models import Action, ActionStatus, ActionUpdate, BoardItem, LearningEntry
from surveys.models import Membership, Response, Role, User, utcnow
from surveys.organisations import organisation_here

log = logging.getLogger(__name__)


def create_action(
    session: Session,
    *,
    description: str,
    owner_organisation_id: int,
    due_date: date,
    created_by: User,
    board_item_id: int | None = None,
    entry_id: int | None = None,
    recommendation_id: int | None = None,
    national_finding_id: int | None = None,
) -> Action:
    """Create an action for an organisation, from a board item, a learning entry, a case
    review's recommendation or a gap against a national review's finding."""
    description = description.strip()
    if not description:
        raise InvalidInput("Describe the action")
    if organisation_here(session, owner_organisation_id) is None:
        raise InvalidInput("Select the organisation that owns the action")
    if board_item_id is not None and session.get(BoardItem, board_item_id) is None:
        raise NotFound("That item is not on the board.")
    if entry_id is not None and session.get(LearningEntry, entry_id) is None:
        raise NotFound("There is no learning log entry with that number.")
    action = Action(
        description=description,
        owner_organisation_id=owner_organisation_id,
        due_date=due_date,
        board_item_id=board_item_id,
        entry_id=entry_id,
        recommendation_id=recommendation_id,
        national_finding_id=national_finding_id,
        created_by_id=created_by.id,
    )
    session.add(action)
    session.commit()
    log.info("action created action_id=%s organisation_id=%s", action.id, owner_organisation_id)
    return action


# Case review officers: the actions recommendations of case reviews became.
SEE_EVERY_ACTION = frozenset({Role.PARTNERSHIP_ADMIN, Role.QUALITY_GROUP, Role.CASE_REVIEWER})


def sees_every_action(member: Membership) -> bool:
    """The partnership's admins, quality group and case review officers see every action;
    others their own only."""
    return not SEE_EVERY_ACTION.isdisjoint(member.roles)


def can_update(member: Membership, action: Action) -> bool:
    """Say whether a member may update the action (organisation roles: their own only)."""
    if sees_every_action(member):
        return True
    return member.organisation_role is not None and (
        member.organisation_id == action.owner_organisation_id
    )


def get_action(session: Session, action_id: int, *, member: Membership) -> Action:
    """Return an action the member may see, or raise NotFound / NotAllowed."""
    action = session.get(Action, action_id)
    if action is None:
        raise NotFound("There is no action with that number.")
    if not can_update(member, action):
        raise NotAllowed("This action belongs to another organisation.")
    return action


def add_progress_update(
    session: Session,
    action_id: int,
    *,
    text: str,
    member: Membership,
    status: ActionStatus | str | None = None,
) -> ActionUpdate:
    """Add a progress note (and optionally a new status) to an action the member may update."""
    action = get_action(session, action_id, member=member)
    text = text.strip()
    if not text:
        raise InvalidInput("Enter what has happened since the last update")
    if status is not None:
        _set_status(action, ActionStatus(status))
    update = ActionUpdate(text=text, status=action.status, written_by_id=member.user_id)
    action.updates.append(update)
    action.updated_at = utcnow()
    session.commit()
    log.info("action update action_id=%s status=%s", action.id, action.status.value)
    return update


def _set_status(action: Action, status: ActionStatus) -> None:
    action.status = status
    action.completed_at = utcnow() if status is ActionStatus.DONE else None


def set_action_status(
    session: Session, action_id: int, status: ActionStatus | str, *, member: Membership
) -> Action:
    """Change an action's status."""
    action = get_action(session, action_id, member=member)
    try:
        _set_status(action, ActionStatus(status))
    except ValueError:
        raise InvalidInput("Select the action's status") from None
    action.updated_at = utcnow()
    session.commit()
    return action


def record_impact(session: Session, action_id: int, *, evidence: str, member: Membership) -> Action:
    """Record the evidence that the action made a difference."""
    action = get_action(session, action_id, member=member)
    if not evidence.strip():
        raise InvalidInput("Describe the evidence of impact")
    action.evidence_of_impact = evidence.strip()
    action.updated_at = utcnow()
    session.commit()
    return action


def _listed(session: Session, *conditions: object) -> list[Action]:
    query = (
        select(Action)
        .options(
            selectinload(Action.owner_organisation),
            selectinload(Action.updates),
            selectinload(Action.response).selectinload(Response.cycle),
        )
        .where(*conditions)  # type: ignore[arg-type]
        .order_by(Action.due_date, Action.id)
    )
    return list(session.scalars(query))


def actions_for_organisation(session: Session, organisation_id: int) -> list[Action]:
    """Return one organisation's actions, soonest due first."""
    return _listed(session, Action.owner_organisation_id == organisation_id)


def actions_visible_to(session: Session, member: Membership) -> list[Action]:
    """Return the actions a member may see: their organisation's, or all for the quality group."""
    if sees_every_action(member):
        return _listed(session)
    if member.organisation_role is None or member.organisation_id is None:
        return []
    return actions_for_organisation(session, member.organisation_id)


def overdue_actions(session: Session, today: date) -> list[Action]:
    """Return unfinished actions whose due date has passed."""
    return _listed(session, Action.status != ActionStatus.DONE, Action.due_date < today)


def actions_for_entry(session: Session, entry_id: int) -> list[Action]:
    """Return the actions created from a learning entry."""
    return _listed(session, Action.entry_id == entry_id)


def actions_for_board_item(session: Session, item_id: int) -> list[Action]:
    """Return the actions created from a board decision."""
    return _listed(session, Action.board_item_id == item_id)
