"""Running a published cycle: its dates, closing early or reopening, one organisation's extra
time, and which organisations are asked.

A cycle is published with dates and a returns list (`surveys.cycles.publish_cycle`); a
business manager then runs it: moves the dates or extends the deadline, closes it early or
reopens it, gives one organisation more time, adds an organisation that was missed or
removes one that was asked by mistake (never one that has started its return). Every change
is audited with who made it.

Public API:
    CycleDates; change_dates(session, cycle, CycleDates, *, by)
    close_now(session, cycle, *, by): close a cycle early (it stops taking answers now)
    extend_for(session, cycle, organisation_id, until, *, by): one organisation's own deadline
    deadline_for(session, cycle, organisation_id) -> datetime: the later of the two
    is_open_for(session, cycle, organisation_id, now) -> bool
    change_organisations(session, cycle, organisation_ids, *, by) -> Changed
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.audit import record_audit
from surveys.cycles import one_line
from surveys.errors import SubmissionError
from surveys.models import Cycle, CycleAssignment, CycleAudience, Organisation, Response, utcnow


@dataclass(frozen=True)
class CycleDates:
    title: str
    opens_at: datetime
    closes_at: datetime


def change_dates(session: Session, cycle: Cycle, dates: CycleDates, *, by: int | None) -> None:
    """Change a cycle's title and dates: extend its deadline, bring it forward, or reopen it."""
    title = one_line(dates.title)
    if not title:
        raise SubmissionError("Enter a title for this cycle")
    if dates.closes_at <= dates.opens_at:
        raise SubmissionError("The closing date must be after the opening date")
    changed = [
        name
        for name, new in (
            ("title", title),
            ("opens_at", dates.opens_at),
            ("closes_at", dates.closes_at),
        )
        if getattr(cycle, name) != new
    ]
    cycle.title, cycle.opens_at, cycle.closes_at = title, dates.opens_at, dates.closes_at
    record_audit(
        session,
        user_id=by,
        action="cycle.changed",
        object_type="cycle",
        object_id=cycle.id,
        detail=",".join(changed),
    )
    session.commit()


def close_now(session: Session, cycle: Cycle, *, by: int | None) -> None:
    """Close a cycle early: from now it takes no answers (reopen it by changing its dates)."""
    now = utcnow()
    if not cycle.is_open(now):
        raise SubmissionError("This cycle is already closed")
    cycle.closes_at = now
    session.execute(  # extra time given to one organisation ends too
        CycleAssignment.__table__.update()
        .where(CycleAssignment.cycle_id == cycle.id, CycleAssignment.deadline > now)
        .values(deadline=now)
    )
    record_audit(
        session, user_id=by, action="cycle.closed_early", object_type="cycle", object_id=cycle.id
    )
    session.commit()


def _assignment(session: Session, cycle: Cycle, organisation_id: int) -> CycleAssignment | None:
    return session.scalar(
        select(CycleAssignment).where(
            CycleAssignment.cycle_id == cycle.id,
            CycleAssignment.organisation_id == organisation_id,
        )
    )


def extend_for(
    session: Session, cycle: Cycle, organisation_id: int, until: datetime, *, by: int | None
) -> None:
    """Give one organisation until `until` (after the cycle's own deadline) to return it."""
    assignment = _assignment(session, cycle, organisation_id)
    if assignment is None:
        raise SubmissionError("This organisation is not asked to return this cycle")
    if until <= cycle.closes_at:
        raise SubmissionError(
            f"The new deadline must be after the cycle's, {cycle.closes_at:%-d %B %Y}"
        )
    assignment.deadline = until
    record_audit(
        session,
        user_id=by,
        action="cycle.extended_for_organisation",
        object_type="cycle",
        object_id=cycle.id,
        detail=str(organisation_id),
    )
    session.commit()


def deadline_for(session: Session, cycle: Cycle, organisation_id: int | None) -> datetime:
    """Return when an organisation's return closes: the cycle's deadline or its own, later."""
    if organisation_id is None:
        return cycle.closes_at
    assignment = _assignment(session, cycle, organisation_id)
    if assignment is None or assignment.deadline is None:
        return cycle.closes_at
    return max(cycle.closes_at, assignment.deadline)


def is_open_for(session: Session, cycle: Cycle, organisation_id: int | None, now: datetime) -> bool:
    return cycle.opens_at <= now < deadline_for(session, cycle, organisation_id)


@dataclass(frozen=True)
class Changed:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    added_ids: frozenset[int] = frozenset()


def change_organisations(
    session: Session, cycle: Cycle, organisation_ids: tuple[int, ...], *, by: int | None
) -> Changed:
    """Ask these organisations to return the cycle: add the new, remove the unstarted rest.

    An organisation that has started its return stays on the list (its answers are kept).
    """
    if cycle.audience is not CycleAudience.ORGANISATIONS:
        raise SubmissionError("Organisations answer this form through a link, not a list")
    wanted = set(organisation_ids)
    if not wanted:
        raise SubmissionError("Select the organisations that must return this form")
    current = {a.organisation_id: a for a in cycle.assignments}
    started = set(
        session.scalars(
            select(Response.organisation_id).where(
                Response.cycle_id == cycle.id, Response.organisation_id.in_(current)
            )
        )
    )
    leaving = set(current) - wanted
    if leaving & started:
        names = _names(session, leaving & started)
        raise SubmissionError(
            f"{', '.join(names)} started {'its' if len(names) == 1 else 'their'} return, so "
            "cannot be removed: reopen or keep it"
        )
    for organisation_id in sorted(wanted - set(current)):
        session.add(CycleAssignment(cycle_id=cycle.id, organisation_id=organisation_id))
    for organisation_id in leaving:
        session.delete(current[organisation_id])
    new = wanted - set(current)
    changed = Changed(_names(session, new), _names(session, leaving), frozenset(new))
    if changed.added or changed.removed:
        record_audit(
            session,
            user_id=by,
            action="cycle.organisations_changed",
            object_type="cycle",
            object_id=cycle.id,
            detail=f"added={len(changed.added)},removed={len(changed.removed)}",
        )
    session.commit()
    session.refresh(cycle)
    return changed


def _names(session: Session, organisation_ids: set[int]) -> tuple[str, ...]:
    if not organisation_ids:
        return ()
    return tuple(
        session.scalars(
            select(Organisation.name)
            .where(Organisation.id.in_(organisation_ids))
            .order_by(Organisation.name)
        )
    )
