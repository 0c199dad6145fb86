"""Who may review which returns.

People holding the reviewer role review every submitted Section 11 / 175 return of their
partnership; a partnership admin may also name people to review one cycle's returns. Nobody
reviews their own organisation's return (the organisation of their membership: of their
organisation role, or the one a reviewer works for).

Public API:
    is_named_reviewer(session, user_id) -> bool: named to review some cycle here
    may_review_cycle(session, member, cycle) -> bool
    check_may_review(session, member, response) -> None: raise NotReviewable if not
    reviewable_cycles(session, member, registry) -> list[Cycle]: the cycles they may open
    has_standards(definition) -> bool: a form whose pages are rated standards
    cycle_reviewers(session, cycle) -> list[CycleReviewer]
    name_cycle_reviewers(session, cycle, user_ids, *, named_by) -> None: exactly these people
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, joinedload

from surveys.audit import record_audit
from surveys.definition import SurveyDefinition
from surveys.errors import NotReviewable, ScrutinyError
from surveys.models import (
    Cycle,
    CycleAudience,
    CycleReviewer,
    Membership,
    Response,
    ResponseStatus,
    Role,
)

log = logging.getLogger(__name__)


def is_named_reviewer(session: Session, user_id: int) -> bool:
    """Whether an admin named this person to review any cycle of the session's partnership."""
    found = session.scalar(select(CycleReviewer.id).where(CycleReviewer.user_id == user_id))
    return found is not None


def may_review_cycle(session: Session, member: Membership, cycle: Cycle) -> bool:
    """Whether the member may review the cycle's returns (their own organisation's aside)."""
    if cycle.audience is not CycleAudience.ORGANISATIONS:
        return False
    if Role.REVIEWER in member.roles:
        return True
    found = session.scalar(
        select(CycleReviewer.id).where(
            CycleReviewer.cycle_id == cycle.id, CycleReviewer.user_id == member.user_id
        )
    )
    return found is not None


def check_may_review(session: Session, member: Membership, response: Response) -> None:
    """Refuse unless the return is a submitted organisation return the member may review.

    Raises NotReviewable (answered as not found): not submitted, not their cycle, or their
    own organisation's return.
    """
    if (
        response.organisation_id is None
        or response.status is not ResponseStatus.SUBMITTED
        or response.organisation_id == member.organisation_id
        or not may_review_cycle(session, member, response.cycle)
    ):
        raise NotReviewable("There is no return with that number for you to review.")


def has_standards(definition: SurveyDefinition) -> bool:
    """Whether the form's pages include rated standards (Section 11, Section 175)."""
    return any(page.standard for page in definition.pages)


def reviewable_cycles(session: Session, member: Membership, registry: Any) -> list[Cycle]:
    """Return the cycles of rated standards the member may review or oversee, newest first.

    Reviewers and admins see every one; people named for cycles see those. `registry`
    gives each cycle's form (`get(key, version)`).
    """
    query = select(Cycle).where(Cycle.audience == CycleAudience.ORGANISATIONS)
    if member.roles.isdisjoint({Role.REVIEWER, Role.PARTNERSHIP_ADMIN}):
        named = select(CycleReviewer.cycle_id).where(CycleReviewer.user_id == member.user_id)
        query = query.where(Cycle.id.in_(named))
    cycles = session.scalars(query.order_by(Cycle.opens_at.desc(), Cycle.id.desc()))
    found = []
    for cycle in cycles:
        try:
            definition = registry.get(cycle.definition_key, cycle.definition_version)
        except KeyError:
            continue
        if has_standards(definition):
            found.append(cycle)
    return found


def cycle_reviewers(session: Session, cycle: Cycle) -> list[CycleReviewer]:
    """Return the people named to review a cycle's returns, by name."""
    return sorted(
        session.scalars(
            select(CycleReviewer)
            .options(joinedload(CycleReviewer.user))
            .where(CycleReviewer.cycle_id == cycle.id)
        ),
        key=lambda named: (named.user.name.lower(), named.user_id),
    )


def name_cycle_reviewers(
    session: Session, cycle: Cycle, user_ids: Iterable[int], *, named_by: int
) -> None:
    """Name exactly these people to review a cycle's returns (others named before are not).

    Raises ScrutinyError: someone without an active membership in this partnership.
    """
    wanted = set(user_ids)
    here = set(
        session.scalars(
            select(Membership.user_id).where(
                Membership.partnership_id == cycle.partnership_id,
                Membership.is_active.is_(True),
                Membership.user_id.in_(wanted),
            )
        )
    )
    if wanted - here:
        raise ScrutinyError("Select people who work in this partnership")
    named = {n.user_id for n in cycle_reviewers(session, cycle)}
    session.execute(
        delete(CycleReviewer).where(
            CycleReviewer.cycle_id == cycle.id, CycleReviewer.user_id.in_(named - wanted)
        )
    )
    session.add_all(
        CycleReviewer(cycle_id=cycle.id, user_id=user_id, named_by_id=named_by)
        for user_id in sorted(wanted - named)
    )
    record_audit(
        session,
        user_id=named_by,
        action="cycle.reviewers_named",
        object_type="cycle",
        object_id=cycle.id,
        detail=f"count={len(wanted)}",
    )
    session.commit()
    log.info("cycle reviewers named", extra={"cycle_id": cycle.id, "count": len(wanted)})
