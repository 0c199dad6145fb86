"""Export everything a partnership owns into one ZIP, written to disk as it is read.

Public API:
    export_partnership(session, partnership_id, *, to, evidence_folder, exported_by=None)
        -> ExportSummary
    last_exported_at(session, partnership_id) -> datetime | None
    EXPORTED: the audit action an export records (deletion asks for a recent one)

The ZIP holds, for every partnership-owned table (`tables.owned_models`, so tables added
later are included) and every table hanging on one (`tables.attached_models`), the
partnership's rows: `tables/<table>.csv`, or `tables/<table>.jsonl` when a column holds JSON.
Beside them `partnership.json`, `organisations.csv` and `people.csv` (the organisations and
people linked to it), `evidence/<id>-<file name>` (the uploaded files themselves), and
`manifest.json` and `README.txt` saying what each file holds, how many rows, and when.
"""

from __future__ import annotations

import base64
import enum
import io
import json
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import JSON, func, select
from sqlalchemy.orm import Session

from surveys import tenancy
from surveys.answer_types import Cell
from surveys.audit import record_audit
from surveys.errors import UnknownPartnership
from surveys.leaving.tables import (
    RESTRICTED_TABLES,
    attached_models,
    columns_of,
    linked_models,
    of_partnership,
    owned_models,
)
from surveys.models import (
    AuditEvent,
    EvidenceFile,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationPartnership,
    Partnership,
    User,
    utcnow,
)
from surveys.spreadsheets import stream_csv

EXPORTED = "partnership.exported"
BATCH = 1000  # rows fetched at a time: a table is never held in memory whole
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Content:
    """One file of the export: where it is, what it holds and how many rows."""

    path: str
    holds: str
    rows: int
    table: str = ""


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    exported_at: datetime
    contents: list[Content]
    evidence_files: int
    missing_evidence_ids: list[int] = field(default_factory=list)

    @property
    def rows(self) -> dict[str, int]:
        """Rows exported per table (the partnership's tables, not the files beside them)."""
        return {c.table: c.rows for c in self.contents if c.table}


def export_partnership(
    session: Session,
    partnership_id: int,
    *,
    to: Path,
    evidence_folder: Path,
    exported_by: int | None = None,
) -> ExportSummary:
    """Write the partnership's ZIP to `to` (via a `.part` file, so a failure leaves none).

    Raises:
        UnknownPartnership: no partnership has this id.
    """
    _begin_snapshot(session)
    partnership = session.get(Partnership, partnership_id)
    if partnership is None:
        raise UnknownPartnership("There is no such partnership")
    exported_at = utcnow()
    partial = to.with_name(to.name + ".part")
    try:
        with (
            tenancy.working_in(session, partnership_id),
            zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ):
            contents = [_partnership_file(archive, partnership)]
            contents += _people_files(archive, session, partnership_id)
            contents += [
                _table_file(archive, session, model, partnership_id)
                for model in (
                    *owned_models(),
                    *linked_models(),
                    *(a.model for a in attached_models()),
                )
            ]
            written, missing = _evidence_files(archive, session, partnership_id, evidence_folder)
            _describe(archive, partnership, contents, (written, missing), exported_at)
        partial.replace(to)
    finally:
        partial.unlink(missing_ok=True)
    with tenancy.working_in(session, partnership_id):
        record_audit(
            session,
            user_id=exported_by,
            action=EXPORTED,
            object_type="partnership",
            object_id=partnership_id,
        )
        session.commit()
    return ExportSummary(to, exported_at, contents, len(written), missing)


def last_exported_at(session: Session, partnership_id: int) -> datetime | None:
    """Return when the partnership was last exported (None: never)."""
    with tenancy.working_in(session, partnership_id):
        return session.scalar(
            select(func.max(AuditEvent.occurred_at)).where(
                AuditEvent.partnership_id == partnership_id, AuditEvent.action == EXPORTED
            )
        )


def _begin_snapshot(session: Session) -> None:
    """Read every table as of one moment, so the files agree with each other.

    SQLite's transaction is a snapshot already (a reading session's deferred one lets writers
    carry on under WAL); PostgreSQL's default gives each statement its own, so ask for one.
    """
    session.commit()  # end whatever the caller read (finding the partnership by name)
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


# -- the files -----------------------------------------------------------------------------


def _partnership_file(archive: zipfile.ZipFile, partnership: Partnership) -> Content:
    fields = ("id", "name", "front_door_name", "front_door_phone", "created_at")
    row = {name: _value(getattr(partnership, name)) for name in fields}
    archive.writestr("partnership.json", json.dumps(row, indent=2, ensure_ascii=False))
    return Content("partnership.json", "The partnership: its name and front door details", 1)


def _people_files(archive: zipfile.ZipFile, session: Session, partnership_id: int) -> list[Content]:
    organisations = (
        select(
            Organisation.id,
            Organisation.name,
            Organisation.sector,
            Organisation.kind,
            OrganisationPartnership.is_active,
            OrganisationPartnership.joined_at,
            OrganisationPartnership.senior_contact_name,
            OrganisationPartnership.senior_contact_job,
            OrganisationPartnership.senior_contact_email,
        )
        .join(OrganisationPartnership, OrganisationPartnership.organisation_id == Organisation.id)
        .where(OrganisationPartnership.partnership_id == partnership_id)
        .order_by(Organisation.id)
    )
    people = (
        select(
            User.id,
            User.name,
            User.email,
            Membership.role,
            select(func.aggregate_strings(MembershipRole.role, " "))
            .where(MembershipRole.membership_id == Membership.id)
            .scalar_subquery(),
            Membership.organisation_id,
            Organisation.name,
            User.is_active,
        )
        .join(Membership, Membership.user_id == User.id)
        .outerjoin(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.partnership_id == partnership_id)
        .order_by(User.id)
    )
    org_header = [
        "id",
        "name",
        "sector",
        "kind",
        "is_active",
        "joined_at",
        "senior_contact_name",
        "senior_contact_job",
        "senior_contact_email",
    ]
    people_header = [
        "id",
        "name",
        "email",
        "role",
        "other_roles",
        "organisation_id",
        "organisation",
        "is_active",
    ]
    return [
        Content(
            "organisations.csv",
            "The organisations that serve the partnership (ids as in the tables)",
            _csv(archive, "organisations.csv", org_header, _rows(session, organisations)),
        ),
        Content(
            "people.csv",
            "The people who hold roles in the partnership: name, email, main role, other roles "
            "(space-separated), organisation",
            _csv(archive, "people.csv", people_header, _rows(session, people)),
        ),
    ]


def _table_file(
    archive: zipfile.ZipFile, session: Session, model: type[Any], partnership_id: int
) -> Content:
    columns = columns_of(model)
    query = (
        select(*(attribute for _, attribute in columns))
        .where(of_partnership(model, partnership_id))
        .order_by(*(c for c in model.__table__.primary_key.columns))
    )
    names = [name for name, _ in columns]
    table = model.__tablename__
    holds = RESTRICTED_TABLES.get(table) or (model.__doc__ or table).strip().splitlines()[0]
    if any(isinstance(column.type, JSON) for column in model.__table__.columns):
        path = f"tables/{table}.jsonl"
        count = _jsonl(archive, path, names, _rows(session, query, as_text=False))
    else:
        path = f"tables/{table}.csv"
        count = _csv(archive, path, names, _rows(session, query))
    return Content(path, holds, count, table)


def _evidence_files(
    archive: zipfile.ZipFile, session: Session, partnership_id: int, folder: Path
) -> tuple[list[str], list[int]]:
    """Copy each evidence file into `evidence/`; return the paths written and the ids missing."""
    written, missing = [], []
    rows = session.execute(
        select(EvidenceFile.id, EvidenceFile.stored_name, EvidenceFile.filename)
        .where(EvidenceFile.partnership_id == partnership_id)
        .order_by(EvidenceFile.id)
        .execution_options(yield_per=BATCH)
    )
    for evidence_id, stored_name, filename in rows:
        source = folder / Path(stored_name).name
        if not source.is_file():
            missing.append(evidence_id)
            continue
        path = f"evidence/{evidence_id}-{_safe_name(filename)}"
        archive.write(source, path)  # read from disk in chunks
        written.append(path)
    return written, missing


def _describe(
    archive: zipfile.ZipFile,
    partnership: Partnership,
    contents: Sequence[Content],
    evidence: tuple[list[str], list[int]],
    exported_at: datetime,
) -> None:
    written, missing = evidence
    manifest = {
        "format": FORMAT_VERSION,
        "partnership": {"id": partnership.id, "name": partnership.name},
        "exported_at": exported_at.isoformat(),
        "files": [
            {"path": c.path, "holds": c.holds, "rows": c.rows}
            | ({"table": c.table} if c.table else {})
            | ({"restricted": True} if c.table in RESTRICTED_TABLES else {})
            for c in contents
        ],
        "evidence": {"files": len(written), "missing_evidence_file_ids": missing},
    }
    archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    archive.writestr("README.txt", _readme(partnership, contents, evidence, exported_at))


def _readme(
    partnership: Partnership,
    contents: Sequence[Content],
    evidence: tuple[list[str], list[int]],
    exported_at: datetime,
) -> str:
    written, missing = evidence
    lines = [
        f"Everything Learning Loop holds for {partnership.name}",
        f"Exported at {exported_at.isoformat()} (UTC)",
        "",
        "Tables are CSV (UTF-8; text a spreadsheet would run as a formula starts with ')",
        "or JSON lines (one row per line) where a column holds JSON, such as answers.",
        "Ids link the files: responses.cycle_id is an id in tables/cycles, user ids are",
        "in people.csv and organisation ids in organisations.csv. Times are UTC (ISO 8601);",
        "binary columns (cached sentence vectors) are base64.",
        f"evidence/ holds {len(written)} uploaded files, named <evidence_files id>-<file name>.",
    ]
    if missing:
        lines.append(f"{len(missing)} evidence files were not on disk: see manifest.json.")
    restricted = [c for c in contents if c.table in RESTRICTED_TABLES and c.rows]
    if restricted:
        lines += ["", "RESTRICTED FILES, about identifiable children:"]
        lines += [f"{c.path}: {c.holds}" for c in restricted]
    lines += ["", "File: rows: what it holds"]
    lines += [f"{c.path}: {c.rows}: {c.holds}" for c in contents]
    return "\n".join(lines) + "\n"


# -- writing rows --------------------------------------------------------------------------


def _rows(session: Session, query: Any, *, as_text: bool = True) -> Iterator[list[Any]]:
    result = session.execute(query.execution_options(yield_per=BATCH))
    for row in result:
        yield [_cell(v) if as_text else _value(v) for v in row]


def _csv(archive: zipfile.ZipFile, path: str, header: list[str], rows: Iterator[Any]) -> int:
    with archive.open(path, "w", force_zip64=True) as raw, _text(raw, "utf-8-sig") as out:
        return stream_csv(out, header, rows)


def _jsonl(archive: zipfile.ZipFile, path: str, header: list[str], rows: Iterator[Any]) -> int:
    count = 0
    with archive.open(path, "w", force_zip64=True) as raw, _text(raw, "utf-8") as out:
        for row in rows:
            out.write(json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False) + "\n")
            count += 1
    return count


def _text(raw: IO[bytes], encoding: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(raw, encoding=encoding, newline="")


def _value(value: Any) -> Any:
    """Return a value as JSON can hold it."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _cell(value: Any) -> Cell:
    """Return a value as a CSV cell holds it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    value = _value(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value  # type: ignore[no-any-return]


def _safe_name(filename: str) -> str:
    name = "".join(c for c in filename.replace("/", "_").replace("\\", "_") if c.isprintable())
    return name.lstrip(".")[:200] or "evidence"
