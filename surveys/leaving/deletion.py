"""Delete a partnership and everything it owns, without touching another partnership's data.

Public API:
    delete_partnership(session, partnership_id, *, evidence_folder, deleted_by=None,
        require_recent_export=True) -> DeletionSummary
    EXPORT_WINDOW: how recent an export must be; DELETED: the audit action recorded

In one transaction, found from the models (`surveys.leaving.tables`) so new tables are included:
- the rows hanging on the partnership's rows (a learning entry's organisations), then every
  row of every partnership-owned table, children before parents (`sorted_tables` reversed),
  then its memberships and organisation links, then the partnership itself;
- people and organisations that served only this partnership are deleted: its export holds
  them, and the service has no purpose left for their names and emails (UK GDPR storage
  limitation). One that a row of another partnership still names (a person who once wrote in
  partnership B and has left it) is deactivated instead, so B's history still says who did
  what. Anyone another partnership still uses keeps everything.
An audit event (no partnership: ids and counts only) records it. After the commit, evidence
files that no remaining `evidence_files` row names, in any partnership (copies of a shared
return name one stored file), are removed from disk: a failed transaction removes nothing.
It refuses, changing nothing, when the partnership has not been exported in the last 24 hours
(unless told not to check) or when another partnership's rows point at its rows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Column, ColumnElement, delete, func, or_, select, update
from sqlalchemy.orm import Session

from surveys import tenancy
from surveys.audit import record_audit
from surveys.errors import NotExportedRecently, PartnershipExitRefused, UnknownPartnership
from surveys.leaving.export import last_exported_at
from surveys.leaving.tables import (
    attached_models,
    linked_models,
    of_partnership,
    owned_models,
)
from surveys.models import (
    AccountToken,
    Base,
    EvidenceFile,
    Membership,
    Organisation,
    OrganisationPartnership,
    Partnership,
    User,
    UserSession,
    utcnow,
)

log = logging.getLogger(__name__)
EXPORT_WINDOW = timedelta(hours=24)
DELETED = "partnership.deleted"
BATCH = 500  # keeps IN (...) lists small for every back-end
OWN_RECORDS = frozenset({"user_sessions", "account_tokens"})  # a person's own sign-in state


@dataclass
class DeletionSummary:
    partnership_id: int
    rows: dict[str, int] = field(default_factory=dict)  # rows deleted, per table
    people_deleted: int = 0
    people_deactivated: int = 0
    organisations_deleted: int = 0
    organisations_deactivated: int = 0
    evidence_files_removed: int = 0
    evidence_files_kept: int = 0  # still named by another partnership's evidence


def delete_partnership(
    session: Session,
    partnership_id: int,
    *,
    evidence_folder: Path,
    deleted_by: int | None = None,
    require_recent_export: bool = True,
) -> DeletionSummary:
    """Delete the partnership, its rows, and the people and organisations only it used.

    Raises:
        UnknownPartnership: no partnership has this id.
        NotExportedRecently: not exported in the last 24 hours (when required).
        PartnershipExitRefused: another partnership's rows still point at its rows.
        Either way nothing was changed.
    """
    if session.get(Partnership, partnership_id) is None:
        raise UnknownPartnership("There is no such partnership")
    if require_recent_export:
        _check_exported(session, partnership_id)
    try:
        summary, unused_files = _delete_rows(session, partnership_id, deleted_by)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    session.expire_all()  # objects of the deleted partnership must not be read as if alive
    summary.evidence_files_removed = _remove_files(evidence_folder, unused_files)
    log.info(
        "partnership deleted partnership_id=%s rows=%s people_deleted=%s evidence_removed=%s",
        partnership_id,
        sum(summary.rows.values()),
        summary.people_deleted,
        summary.evidence_files_removed,
    )
    return summary


def _check_exported(session: Session, partnership_id: int) -> None:
    exported = last_exported_at(session, partnership_id)
    if exported is None or utcnow() - exported > EXPORT_WINDOW:
        raise NotExportedRecently(
            "This partnership has not been exported in the last 24 hours: nothing was deleted. "
            "Export it first, or choose to delete it without an export"
        )


def _delete_rows(
    session: Session, partnership_id: int, deleted_by: int | None
) -> tuple[DeletionSummary, set[str]]:
    with tenancy.every_partnership(session):
        _refuse_if_shared(session, partnership_id)
    summary = DeletionSummary(partnership_id)
    with tenancy.working_in(session, partnership_id):
        stored = set(
            session.scalars(
                select(EvidenceFile.stored_name).where(
                    EvidenceFile.partnership_id == partnership_id
                )
            )
        )
        people = _ids(session, Membership.user_id, Membership.partnership_id == partnership_id)
        organisations = _ids(
            session,
            OrganisationPartnership.organisation_id,
            OrganisationPartnership.partnership_id == partnership_id,
        )
        order = [
            *(a.model for a in attached_models()),
            *reversed(owned_models()),
            *linked_models(),
        ]
        for model in order:
            summary.rows[model.__tablename__] = _delete(
                session, model, of_partnership(model, partnership_id)
            )
        _delete(session, Partnership, Partnership.id == partnership_id)
    with tenancy.every_partnership(session):
        record_audit(
            session,
            user_id=deleted_by,  # set to none by the database if this person is deleted below
            action=DELETED,
            object_type="partnership",
            object_id=partnership_id,
            detail=f"rows={sum(summary.rows.values())}",
        )
        summary.people_deleted, summary.people_deactivated = _leave_people(session, people)
        summary.organisations_deleted, summary.organisations_deactivated = _leave_organisations(
            session, organisations
        )
        still_named = _still_named(session, stored)
    summary.evidence_files_kept = len(still_named)
    return summary, stored - still_named


def _refuse_if_shared(session: Session, partnership_id: int) -> None:
    """Refuse when a row of another partnership points at a row of this one."""
    owned = {model.__table__: model for model in owned_models()}
    for child in owned.values():
        for fk in child.__table__.foreign_keys:
            parent = owned.get(fk.column.table)
            if parent is None:
                continue
            pointing = session.scalar(
                select(func.count())
                .select_from(child.__table__)
                .where(
                    fk.parent.in_(
                        select(fk.column).where(parent.__table__.c.partnership_id == partnership_id)
                    ),
                    or_(
                        child.__table__.c.partnership_id != partnership_id,
                        child.__table__.c.partnership_id.is_(None),
                    ),
                )
            )
            if pointing:
                raise PartnershipExitRefused(
                    f"Another partnership's {child.__tablename__} still refer to this "
                    f"partnership's {parent.__tablename__}: nothing was deleted"
                )


def _leave_people(session: Session, user_ids: set[int]) -> tuple[int, int]:
    """Delete, or deactivate, the people no other partnership has; return both counts."""
    staying = _ids(session, Membership.user_id, Membership.user_id.in_(user_ids))
    platform = _ids(session, User.id, User.id.in_(user_ids) & User.is_platform_admin.is_(True))
    leaving = user_ids - staying - platform  # a platform administrator stays on the service
    named = _named_elsewhere(session, User.__table__.c.id, leaving)
    for chunk in _chunks(leaving - named):
        _delete(session, User, User.id.in_(chunk))
    for chunk in _chunks(named):
        session.execute(update(User).where(User.id.in_(chunk)).values(is_active=False))
        _delete(session, UserSession, UserSession.user_id.in_(chunk))
        _delete(session, AccountToken, AccountToken.user_id.in_(chunk))
    return len(leaving - named), len(named)


def _leave_organisations(session: Session, organisation_ids: set[int]) -> tuple[int, int]:
    """Delete the organisations no other partnership has, or keep those another partnership's
    records still name (serving no partnership, they appear in none's lists); return both."""
    staying = _ids(
        session,
        OrganisationPartnership.organisation_id,
        OrganisationPartnership.organisation_id.in_(organisation_ids),
    )
    leaving = organisation_ids - staying
    named = _named_elsewhere(session, Organisation.__table__.c.id, leaving)
    for chunk in _chunks(leaving - named):
        _delete(session, Organisation, Organisation.id.in_(chunk))
    return len(leaving - named), len(named)


def _named_elsewhere(session: Session, target: Column[Any], ids: set[int]) -> set[int]:
    """Return the ids that some remaining row refers to (a person's own sign-in state aside).

    An audit event of no partnership is a person's own (sign-in, password): not a reference.
    """
    found: set[int] = set()
    owned = {model.__table__ for model in owned_models()}
    for table in Base.metadata.sorted_tables:
        if table.name in OWN_RECORDS:
            continue
        for fk in table.foreign_keys:
            if fk.column is not target:
                continue
            for chunk in _chunks(ids - found):
                query = select(fk.parent).where(fk.parent.in_(chunk)).distinct()
                if table in owned:
                    query = query.where(table.c.partnership_id.is_not(None))
                found.update(session.scalars(query))
    return found


def _still_named(session: Session, stored_names: set[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(stored_names):
        found.update(
            session.scalars(
                select(EvidenceFile.stored_name).where(EvidenceFile.stored_name.in_(chunk))
            )
        )
    return found


def _remove_files(folder: Path, stored_names: Iterable[str]) -> int:
    removed = 0
    for name in stored_names:
        if Path(name).name != name or name in ("", ".", ".."):
            continue  # names are ours (random hex); never follow one out of the folder
        try:
            (folder / name).unlink()
            removed += 1
        except FileNotFoundError:
            continue
        except OSError:
            log.warning("evidence file not removed", exc_info=True)
    return removed


def _ids(session: Session, column: Any, condition: ColumnElement[bool]) -> set[int]:
    return set(session.scalars(select(column).where(condition).distinct()))


def _delete(session: Session, model: type[Any], condition: ColumnElement[bool]) -> int:
    statement = delete(model).where(condition).execution_options(synchronize_session=False)
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def _chunks(values: set[Any]) -> Iterator[list[Any]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), BATCH):
        yield ordered[start : start + BATCH]
