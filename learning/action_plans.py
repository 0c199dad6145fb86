"""Action plans on returns: every standard rated below met carries an agreed action.

A standard an organisation rated below the scale's best level ("met"), or a reviewer
moderated below it, needs an action: what will be done, who in the organisation leads it
and by when. The organisation proposes it (from its returns page, after it submits; the
return's own action-plan rows for that standard are offered as a start), in answer to a
challenge or not; a reviewer of the return agrees it during scrutiny; a return is not
assured while a below-met standard has no agreed action. The actions are the learning
board's own `Action` rows (progress updates, evidence of impact, overdue by due date), so
the organisation sees one list: from its returns, from challenge and from the quality group.

Public API:
    StandardPlan; action_plan(session, response, definition) -> list[StandardPlan]
    without_agreed_action(session, response, definition) -> list[str]: below-met refs
    planned_in_return(response, definition, ref) -> list[PlannedRow]: the return's own rows
    propose_action(session, response, definition, ref, proposal, *, member) -> Action
    agree_action(session, response, action_id, *, member) -> Action
    mark_assured(session, response, definition, *, member): the one way to assure a return
    needs_action_after_moderation(session, response, definition, ref) -> bool

The caller checks who may act on the response (its organisation: `surveys.scrutiny.returns.
own_return`; a reviewer: `surveys.scrutiny.reviewers.check_may_review`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from learning.errors import InvalidInput, NotFound
from learning.models import Action
from surveys import ratings
from surveys.audit import record_audit
from surveys.definition import SurveyDefinition
from surveys.models import Challenge, Membership, Response, utcnow
from surveys.responses import answers_of
from surveys.scrutiny import reviews
from surveys.scrutiny.reviews import StandardScrutiny

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StandardPlan:
    """One standard of a return beside the actions that answer it."""

    standard: StandardScrutiny
    actions: tuple[Action, ...]

    @property
    def needs_action(self) -> bool:
        return self.standard.is_below_met

    @property
    def agreed(self) -> list[Action]:
        return [action for action in self.actions if action.agreed_at is not None]

    @property
    def proposed(self) -> list[Action]:
        return [action for action in self.actions if action.agreed_at is None]

    @property
    def is_missing(self) -> bool:
        """Below met, and no action on it agreed yet."""
        return self.needs_action and not self.agreed

    @property
    def state(self) -> str:
        """What the organisation and the reviewer read beside the standard."""
        if self.agreed:
            return "Action agreed"
        if self.proposed:
            return "Action proposed"
        return "Action needed" if self.needs_action else "No action needed"


def _actions_of(session: Session, response: Response) -> list[Action]:
    return list(
        session.scalars(
            select(Action)
            .options(selectinload(Action.updates))
            .where(Action.response_id == response.id)
            .order_by(Action.id)
        )
    )


def action_plan(
    session: Session, response: Response, definition: SurveyDefinition
) -> list[StandardPlan]:
    """Return every standard of a return with the actions proposed or agreed on it."""
    scrutiny = reviews.scrutiny_of(session, response, definition)
    found = _actions_of(session, response)
    return [
        StandardPlan(standard, tuple(a for a in found if a.standard_ref == standard.ref))
        for standard in scrutiny.standards
    ]


def without_agreed_action(
    session: Session, response: Response, definition: SurveyDefinition
) -> list[str]:
    """Return the refs of the standards rated below met that have no agreed action."""
    return [
        plan.standard.ref for plan in action_plan(session, response, definition) if plan.is_missing
    ]


@dataclass(frozen=True)
class PlannedRow:
    """An action-plan row the organisation wrote in its return for a standard."""

    description: str
    owner: str
    due_date: date | None


def planned_in_return(
    response: Response, definition: SurveyDefinition, ref: str
) -> list[PlannedRow]:
    """Return the action-plan rows the return has on a standard's page (rows with an action)."""
    page = next((p for p in definition.pages if p.standard and p.standard.ref == ref), None)
    if page is None:
        return []
    answers = answers_of(response)
    rows = []
    for question in page.questions:
        if question.type != "repeating_group":
            continue
        for row in answers.get(question.id) or []:
            if isinstance(row, dict) and str(row.get("action") or "").strip():
                due = row.get("due_date")
                rows.append(
                    PlannedRow(
                        str(row["action"]).strip(),
                        str(row.get("owner") or "").strip(),
                        _date(due),
                    )
                )
    return rows


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Proposal:
    """An action an organisation proposes for one standard of its return."""

    description: str
    owner: str
    due_date: date
    challenge_id: int | None = None


def propose_action(
    session: Session,
    response: Response,
    definition: SurveyDefinition,
    ref: str,
    proposal: Proposal,
    *,
    member: Membership,
    today: date,
) -> Action:
    """Propose an action for a standard of the organisation's own submitted return.

    Sending the same proposal again returns the first (a double click makes one action).

    Raises InvalidInput: no description or owner, a due date before today, or a challenge
    not on this standard; NotFound: no such standard.
    """
    if not any(s.ref == ref for s in reviews.scrutiny_of(session, response, definition).standards):
        raise NotFound("This return has no standard with that reference.")
    description, owner = proposal.description.strip(), proposal.owner.strip()
    if not description:
        raise InvalidInput("Describe the action")
    if not owner:
        raise InvalidInput("Enter who will lead the action")
    if proposal.due_date < today:
        raise InvalidInput("The due date must be today or in the future")
    if proposal.challenge_id is not None:
        challenge = session.get(Challenge, proposal.challenge_id)
        if (
            challenge is None
            or challenge.response_id != response.id
            or challenge.standard_ref != ref
        ):
            raise InvalidInput("Choose a challenge on this standard")
    assert response.organisation_id is not None  # organisation returns only
    for earlier in _actions_of(session, response):
        if (earlier.standard_ref, earlier.description, earlier.challenge_id) == (
            ref,
            description,
            proposal.challenge_id,
        ) and earlier.agreed_at is None:
            return earlier
    action = Action(
        description=description,
        owner=owner,
        owner_organisation_id=response.organisation_id,
        due_date=proposal.due_date,
        response_id=response.id,
        standard_ref=ref,
        challenge_id=proposal.challenge_id,
        created_by_id=member.user_id,
    )
    session.add(action)
    session.commit()
    log.info("action proposed", extra={"response_id": response.id, "action_id": action.id})
    return action


def agree_action(
    session: Session, response: Response, action_id: int, *, member: Membership
) -> Action:
    """A reviewer agrees an action proposed on a return (agreeing it again changes nothing).

    Raises NotFound: no such action on this return.
    """
    action = session.get(Action, action_id)
    if action is None or action.response_id != response.id:
        raise NotFound("There is no action with that number on this return.")
    if action.agreed_at is None:
        action.agreed_at, action.agreed_by_id = utcnow(), member.user_id
        action.updated_at = utcnow()
        record_audit(
            session,
            user_id=member.user_id,
            action="action.agreed",
            object_type="action",
            object_id=action.id,
        )
        session.commit()
        log.info("action agreed", extra={"response_id": response.id, "action_id": action.id})
    return action


def mark_assured(
    session: Session, response: Response, definition: SurveyDefinition, *, member: Membership
) -> None:
    """Mark a return assured: every standard settled, every below-met one with an agreed action.

    Raises surveys.errors.ScrutinyError when it may not be.
    """
    reviews.mark_assured(
        session,
        response,
        definition,
        member=member,
        without_agreed_action=without_agreed_action(session, response, definition),
    )


def needs_action_after_moderation(
    session: Session, response: Response, definition: SurveyDefinition, ref: str
) -> bool:
    """Whether a standard's moderated rating is below met and it has no action proposed or
    agreed (the organisation is then asked for one)."""
    plan = next(p for p in action_plan(session, response, definition) if p.standard.ref == ref)
    question = plan.standard.question
    moderated_low = question is not None and bool(
        ratings.is_low_rating(question, plan.standard.moderated_choice)
    )
    return moderated_low and not plan.actions
