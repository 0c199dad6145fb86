"""Exports, API documents and imports against a real SQLite database: drafts left out,
disclosures withheld, imports all or nothing, and an export that imports back."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveys import api, exports, importing, responses, safeguarding, spreadsheets
from surveys.database import make_engine, make_session_factory
from surveys.definition import SurveyDefinition
from surveys.loader import load_definition
from surveys.models import (
    AuditEvent,
    Base,
    Cycle,
    CycleAudience,
    DisclosureFlag,
    FlagSource,
    Organisation,
    OrganisationKind,
    Response,
    ResponseStatus,
    Sector,
)
from tests.conftest import in_new_partnership

DEFINITION = Path(__file__).parents[1] / "unit" / "surveys" / "fixtures" / "all-types.yaml"
CANARY = "CANARY-51b2 my stepdad hits me"
NOW = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def definition() -> SurveyDefinition:
    return load_definition(DEFINITION)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / 'exports.db'}")
    Base.metadata.create_all(engine)
    with make_session_factory(engine)() as session:
        yield in_new_partnership(session)
    engine.dispose()


def answers(**changes: Any) -> dict[str, Any]:
    base = {
        "agency_name": "North Police",
        "reference": "AB1234",
        "evidence": "Training is yearly.",
        "sector": "police",
        "topics": ["neglect", "online"],
        "locality": "north",
        "relevance": "3",
        "feeling": "okay",
        "rating": {"value": "met", "scale_version": 2},
        "has_lead": "yes",
        "lead_role": "DSL",
        "staff_trained": 1250,
        "review_date": "2024-02-01",
        "actions": [
            {"action": "Train staff", "due": "2025-01-31", "status": "done"},
            {"action": "Audit files", "due": None, "status": "not_started"},
        ],
        "confidence": {"before": 1, "after": 3},
        "_page_versions": {"text": 3},
    }
    return base | changes


def add_response(
    session: Session,
    cycle: Cycle,
    number: int,
    *,
    status: ResponseStatus = ResponseStatus.SUBMITTED,
    organisation: Organisation | None = None,
    **changes: Any,
) -> Response:
    response = Response(
        cycle_id=cycle.id,
        organisation_id=organisation.id if organisation else None,
        submission_id=str(uuid.uuid4()),
        reference=f"LL-TEST-{number:04d}",
        definition_key=cycle.definition_key,
        definition_version=cycle.definition_version,
        status=status,
        answers=answers(**changes),
        submitted_at=NOW + timedelta(minutes=number)
        if status is ResponseStatus.SUBMITTED
        else None,
    )
    session.add(response)
    session.flush()
    return response


@pytest.fixture
def cycle(session: Session) -> Cycle:
    """A cycle with an organisation's response, a flagged anonymous one and a draft."""
    organisation = Organisation(
        name="North Police", sector=Sector.POLICE, kind=OrganisationKind.AGENCY
    )
    cycle = Cycle(
        title="Section 11 2025",
        definition_key="all-types",
        definition_version=1,
        audience=CycleAudience.ORGANISATIONS,
        opens_at=NOW - timedelta(days=30),
        closes_at=NOW + timedelta(days=30),
    )
    session.add_all([organisation, cycle])
    session.flush()
    add_response(session, cycle, 1, organisation=organisation)
    flagged = add_response(session, cycle, 2, evidence=CANARY, agency_name="Anon")
    flagged.is_flagged = True
    session.add(
        DisclosureFlag(
            response_id=flagged.id, question_id="evidence", reasons="physical", review_due_at=NOW
        )
    )
    add_response(session, cycle, 3, status=ResponseStatus.IN_PROGRESS, agency_name="Draft Org")
    session.commit()
    return cycle


def count(session: Session, model: type[Base]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_wide_export_has_submitted_responses_only_and_withholds_disclosures(
    session: Session, cycle: Cycle, definition: SurveyDefinition
) -> None:
    header, rows = exports.export_rows(session, cycle, definition, layout="wide")
    table = [dict(zip(header, row, strict=True)) for row in rows]
    assert [row["Response reference"] for row in table] == ["LL-TEST-0001", "LL-TEST-0002"]
    assert [row["Organisation name"] for row in table] == ["North Police", "Anonymous"]
    assert table[0]["evidence"] == "Training is yearly."
    assert table[1]["evidence"] == exports.WITHHELD
    assert table[1]["agency_name"] == "Anon"
    data = spreadsheets.write_csv(header, rows)
    assert b"CANARY-51b2" not in data and b"Draft Org" not in data


def test_drafts_are_exported_only_when_asked_for(
    session: Session, cycle: Cycle, definition: SurveyDefinition
) -> None:
    header, rows = exports.export_rows(
        session, cycle, definition, layout="wide", include_drafts=True
    )
    statuses = [row[header.index("Response status")] for row in rows]
    assert sorted(statuses) == ["In progress", "Submitted", "Submitted"]


def test_long_export_keeps_group_rows_and_withholds_disclosures(
    session: Session, cycle: Cycle, definition: SurveyDefinition
) -> None:
    header, rows = exports.export_rows(session, cycle, definition, layout="long")
    assert header == exports.LONG_HEADER
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_id["LL-TEST-0001/actions/2/action"]["value"] == "Audit files"
    assert by_id["LL-TEST-0002/actions/1/status"]["display_value"] == "Done"
    assert by_id["LL-TEST-0002/evidence"]["value"] == exports.WITHHELD
    assert CANARY not in repr(rows)
    with pytest.raises(ValueError, match="unknown layout"):
        exports.export_rows(session, cycle, definition, layout="tall")  # type: ignore[arg-type]


def test_xlsx_export_reads_flags_from_the_database(
    session: Session, cycle: Cycle, definition: SurveyDefinition
) -> None:
    data = exports.export_xlsx(session, cycle, definition)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        text = b"".join(archive.read(name) for name in archive.namelist())
    assert b"CANARY-51b2" not in text and exports.WITHHELD.encode() in text


def test_api_document_withholds_flagged_answers(
    session: Session, cycle: Cycle, definition: SurveyDefinition
) -> None:
    response = session.scalars(select(Response).where(Response.reference == "LL-TEST-0002")).one()
    flags = session.scalars(select(DisclosureFlag).where(DisclosureFlag.response_id == response.id))
    document = api.response_document(response, definition, list(flags))
    assert document["answers"]["evidence"] == exports.WITHHELD
    assert document["withheld"] == ["evidence"]
    assert document["cycle_id"] == cycle.id and document["organisation"] is None
    assert api.cycle_document(cycle)["opens_at"] == (NOW - timedelta(days=30)).isoformat()


def preview_rows(
    definition: SurveyDefinition, rows: list[dict[str, str]]
) -> importing.ImportPreview:
    return importing.preview_import(rows, {key: key for key in rows[0]}, definition)


ROWS = [
    {"agency_name": f"Agency {n}", "sector": "Health", "evidence": f"Evidence {n}"}
    for n in range(5)
]


def test_import_creates_submitted_anonymous_responses_and_screens_them(
    session: Session, cycle: Cycle, definition: SurveyDefinition, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = ROWS[:2] + [{"agency_name": "Agency X", "sector": "education", "evidence": CANARY}]
    preview = preview_rows(definition, rows)
    assert preview.errors == [] and len(preview.valid_rows) == 3

    def screen(_: SurveyDefinition, given: Any) -> list[safeguarding.Finding]:
        found = "CANARY" in str(given.get("evidence"))
        return [safeguarding.Finding("evidence", ("physical",), FlagSource.RULES)] if found else []

    monkeypatch.setattr(safeguarding, "screen_answers", screen)
    created = importing.apply_import(session, cycle, preview, imported_by=None)
    assert len(created) == 3
    stored = session.scalars(select(Response).where(Response.id.in_([r.id for r in created]))).all()
    assert {r.status for r in stored} == {ResponseStatus.SUBMITTED}
    assert {r.organisation_id for r in stored} == {None}
    assert len({r.reference for r in stored}) == 3 and all(
        r.reference.startswith("LL-") for r in stored
    )
    assert all(uuid.UUID(r.submission_id).version == 4 for r in stored)
    assert all(r.answers["_source"] == "import" for r in stored)
    flagged = [r for r in stored if r.is_flagged]
    assert len(flagged) == 1
    assert (
        session.scalar(
            select(DisclosureFlag.question_id).where(DisclosureFlag.response_id == flagged[0].id)
        )
        == "evidence"
    )
    audit = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "responses.imported")
    ).one()
    assert audit.detail == "count=3" and audit.object_id == str(cycle.id)
    header, exported = exports.export_rows(session, cycle, definition, layout="wide")
    assert len(exported) == 5 and CANARY not in repr(exported)


def test_a_failure_part_way_through_an_import_writes_nothing(
    session: Session, cycle: Cycle, definition: SurveyDefinition, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (count(session, Response), count(session, AuditEvent), count(session, DisclosureFlag))
    preview = preview_rows(definition, ROWS)
    calls = 0
    real = responses.new_reference

    def clashing_reference() -> str:
        nonlocal calls
        calls += 1
        return "LL-TEST-0001" if calls == 4 else real()  # row 4 collides with a stored reference

    monkeypatch.setattr(responses, "new_reference", clashing_reference)
    with pytest.raises(IntegrityError):
        importing.apply_import(session, cycle, preview)
    assert calls == 4  # rows 1-3 had been flushed inside the transaction
    after = (count(session, Response), count(session, AuditEvent), count(session, DisclosureFlag))
    assert after == before


def test_a_failing_screen_rolls_the_import_back(
    session: Session, cycle: Cycle, definition: SurveyDefinition, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = count(session, Response)
    seen = []

    def broken_screen(_: SurveyDefinition, given: Any) -> list[safeguarding.Finding]:
        seen.append(given)
        if len(seen) == 3:
            raise RuntimeError("screening service failed")
        return []

    monkeypatch.setattr(safeguarding, "screen_answers", broken_screen)
    with pytest.raises(RuntimeError):
        importing.apply_import(session, cycle, preview_rows(definition, ROWS))
    assert count(session, Response) == before


def test_import_refuses_a_preview_for_another_form_version(
    session: Session, cycle: Cycle, definition: SurveyDefinition
) -> None:
    preview = preview_rows(definition, ROWS)
    cycle.definition_version = 2
    with pytest.raises(importing.ImportFileError, match="different form"):
        importing.apply_import(session, cycle, preview)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_our_own_wide_export_imports_back_unchanged(
    session: Session, cycle: Cycle, definition: SurveyDefinition, kind: str
) -> None:
    """Round trip: labels, "; " lists, ISO dates, numbers and quoted formulas all come back."""
    original = session.scalars(select(Response).where(Response.reference == "LL-TEST-0001")).one()
    original.answers = answers(agency_name="=SUM(A1)", lead_role="-Deputy")
    session.commit()
    if kind == "csv":
        header, rows = exports.export_rows(session, cycle, definition, layout="wide")
        table = importing.read_table("export.csv", spreadsheets.write_csv(header, rows))
    else:
        table = importing.read_table("export.xlsx", exports.export_xlsx(session, cycle, definition))
    mapping = importing.propose_mapping(list(table[0]), definition)
    assert mapping["Response reference"] is None and mapping["reference"] == "reference"
    preview = importing.preview_import(table[:1], mapping, definition)
    assert preview.errors == []
    expected = {k: v for k, v in original.answers.items() if k not in ("actions", "_page_versions")}
    assert preview.valid_rows == [expected]
