"""Leaving Learning Loop: export everything a partnership owns, then delete it cleanly.

Public API:
    export_partnership(session, partnership_id, *, to, evidence_folder, exported_by=None)
        -> ExportSummary: one ZIP of its tables, organisations, people and evidence files
    last_exported_at(session, partnership_id) -> datetime | None
    delete_partnership(session, partnership_id, *, evidence_folder, deleted_by=None,
        require_recent_export=True) -> DeletionSummary
    partnership_named(session, name) -> int: the id of the one partnership with that name
    owned_models(): the tables both walk, found from the models (`tables.py`)

No Flask: the command line (`flask export-partnership`, `flask delete-partnership`) and a
platform administrator's page call the same functions. Callers import `learning.models`
first, so the learning tables are registered and included.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.errors import UnknownPartnership
from surveys.leaving.deletion import EXPORT_WINDOW, DeletionSummary, delete_partnership
from surveys.leaving.export import ExportSummary, export_partnership, last_exported_at
from surveys.leaving.tables import owned_models
from surveys.models import Partnership


def partnership_named(session: Session, name: str) -> int:
    """Return the id of the partnership called `name`.

    Raises:
        UnknownPartnership: none, or several, have that name.
    """
    found = session.scalars(select(Partnership.id).where(Partnership.name == name)).all()
    if len(found) != 1:
        many = f"{len(found)} partnerships are" if found else "No partnership is"
        raise UnknownPartnership(f"{many} called {name!r}")
    return found[0]


__all__ = [
    "EXPORT_WINDOW",
    "DeletionSummary",
    "ExportSummary",
    "delete_partnership",
    "export_partnership",
    "last_exported_at",
    "owned_models",
    "partnership_named",
]
