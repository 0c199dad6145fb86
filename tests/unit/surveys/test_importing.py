"""Importing responses from another tool: safe reading of untrusted CSV/XLSX files, column
matching, conversion to stored answers with GOV.UK-style messages, and import refusals."""

from __future__ import annotations

import codecs
import io
import os
import time
import zipfile
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from openpyxl import Workbook

from surveys import importing
from surveys.definition import SurveyDefinition
from surveys.importing import (
    MAX_COLUMNS,
    MAX_ROWS,
    ImportFileError,
    ImportNotReady,
    apply_import,
    preview_import,
    propose_mapping,
    read_table,
)
from surveys.loader import load_definition

FIXTURES = Path(__file__).parent / "fixtures"
IMPORTS = FIXTURES / "import"
ROWS = "Row 4: 'Maybe' is not an option for 'How relevant was the course to your role?'"


@pytest.fixture(scope="module")
def definition() -> SurveyDefinition:
    return load_definition(FIXTURES / "all-types.yaml")


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_part(data: bytes, name: str, content: bytes) -> bytes:
    """Return the archive with one part replaced (or added)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info))
        target.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def zip_with(entries: dict[str, bytes], *, compress: bool = True) -> bytes:
    out = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHARED_STRINGS = f"""<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="{MAIN}" count="2" uniqueCount="2"><si><t>Heading</t></si><si><t>value</t></si></sst>
""".encode()


def with_shared_strings(shared_strings: bytes) -> bytes:
    """Return a minimal hand-made workbook whose two cells come from sharedStrings.xml."""
    content_types = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
    root_rels = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{RELS}"><Relationship Id="rId1" Target="xl/workbook.xml"
 Type="{DOC_RELS}/officeDocument"/></Relationships>"""
    workbook = f"""<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>
<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
    workbook_rels = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{RELS}">
<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
    sheet = f"""<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="{MAIN}"><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>
</sheetData></worksheet>"""
    return zip_with(
        {
            "[Content_Types].xml": content_types.encode(),
            "_rels/.rels": root_rels.encode(),
            "xl/workbook.xml": workbook.encode(),
            "xl/_rels/workbook.xml.rels": workbook_rels.encode(),
            "xl/worksheets/sheet1.xml": sheet.encode(),
            "xl/sharedStrings.xml": shared_strings,
        }
    )


XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2">
<si><t>&xxe;</t></si><si><t>value</t></si></sst>"""

BILLION_LAUGHS = (
    b"""<?xml version="1.0"?>
<!DOCTYPE sst [<!ENTITY lol "lol">
"""
    + b"".join(
        f'<!ENTITY lol{i} "{(f"&lol{i - 1};" if i > 1 else "&lol;") * 10}">\n'.encode()
        for i in range(1, 10)
    )
    + b"""]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2">
<si><t>&lol9;</t></si><si><t>value</t></si></sst>"""
)


# --- reading good files ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["other-tool.csv", "other-tool-cp1252.csv", "other-tool.xlsx"])
def test_files_from_another_tool_are_read(name: str) -> None:
    rows = read_table(name, (IMPORTS / name).read_bytes())
    assert len(rows) == 3
    assert rows[0]["Which sector do you work in?"] == "Police"
    assert rows[1]["What is the lead's role?"] == ""
    assert rows[2]["When was the policy last reviewed?"] == "2024-09-30"


def test_cp1252_text_is_decoded() -> None:
    rows = read_table("x.csv", (IMPORTS / "other-tool-cp1252.csv").read_bytes())
    assert rows[0]["What is the name of your agency?"] == "Café Police – £5"


def test_xlsx_dates_and_numbers_become_plain_text() -> None:
    rows = read_table("x.xlsx", (IMPORTS / "other-tool.xlsx").read_bytes())
    assert rows[0]["Timestamp"] == "2025-03-04 10:15:00"
    assert rows[0]["When was the policy last reviewed?"] == "2024-02-01"
    assert rows[0]["How many staff were trained?"] == "1250"


TEXT = "Name,Answer\nZoë,Café – “quoted” £5\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.encode("cp1252"),
        TEXT.replace("\n", "\r\n").encode("utf-8"),
        TEXT.replace(",", ";").encode("utf-8"),
        TEXT.replace(",", "\t").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16-le", "utf16-be", "cp1252", "crlf", "semicolon", "tab"],
)
def test_csv_encodings_and_delimiters(data: bytes) -> None:
    assert read_table("answers.csv", data) == [{"Name": "Zoë", "Answer": "Café – “quoted” £5"}]


def test_blank_rows_keep_sheet_row_numbers_and_trailing_blanks_go() -> None:
    rows = read_table("a.csv", b"A,B\n1,2\n,\n3,4\n,,\n\n")
    assert rows == [{"A": "1", "B": "2"}, {"A": "", "B": ""}, {"A": "3", "B": "4"}]


def test_exactly_the_row_limit_is_accepted_with_trailing_blank_rows() -> None:
    rows = read_table("a.csv", b"A\n" + b"1\n" * MAX_ROWS + b",\n,\n")
    assert len(rows) == MAX_ROWS


def test_quoted_cells_may_hold_commas_and_new_lines() -> None:
    rows = read_table("a.csv", b'A,B\n"one, two","line 1\nline 2"\n')
    assert rows == [{"A": "one, two", "B": "line 1\nline 2"}]


# --- refusing bad files (each with a message for the person) --------------------------------


def many_entries() -> bytes:
    return zip_with({f"xl/part{i}.xml": b"<a/>" for i in range(600)})


def zip_bomb() -> bytes:
    good = xlsx_bytes([["A"], ["1"]])
    return rewrite_part(good, "xl/media/padding.bin", b"\0" * (51 * 1024 * 1024))


def zip_slip() -> bytes:
    return rewrite_part(xlsx_bytes([["A"], ["1"]]), "../../etc/cron.d/evil.xml", b"<a/>")


def macro_workbook() -> bytes:
    return rewrite_part(xlsx_bytes([["A"], ["1"]]), "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0")


MALFORMED: list[tuple[str, str, Any, str]] = [
    ("empty csv", "a.csv", lambda: b"", "is empty"),
    ("empty xlsx", "a.xlsx", lambda: b"", "is empty"),
    ("not a zip", "a.xlsx", lambda: b"Name,Answer\nx,y\n", "not a valid Excel workbook"),
    ("truncated zip", "a.xlsx", lambda: xlsx_bytes([["A"], ["1"]])[:700], "not a valid Excel"),
    ("xlsm name", "a.xlsm", lambda: xlsx_bytes([["A"], ["1"]]), "contains macros"),
    ("vba inside xlsx", "a.xlsx", macro_workbook, "contains macros"),
    ("zip bomb", "a.xlsx", zip_bomb, "too large once unzipped"),
    ("too many entries", "a.xlsx", many_entries, "not a valid Excel workbook"),
    ("zip slip", "a.xlsx", zip_slip, "not a valid Excel workbook"),
    ("zip without workbook", "a.xlsx", lambda: zip_with({"a.txt": b"x"}), "not a valid Excel"),
    ("xxe", "a.xlsx", lambda: with_shared_strings(XXE), "XML features that are not allowed"),
    (
        "xxe in a part not named .xml",
        "a.xlsx",
        lambda: rewrite_part(with_shared_strings(SHARED_STRINGS), "xl/strings.dat", XXE),
        "XML features that are not allowed",
    ),
    ("billion laughs", "a.xlsx", lambda: with_shared_strings(BILLION_LAUGHS), "not allowed"),
    (
        "100k columns csv",
        "a.csv",
        lambda: ",".join(f"c{i}" for i in range(100_000)).encode(),
        f"{MAX_COLUMNS} columns",
    ),
    ("2 MB field", "a.csv", lambda: b"A\n" + b"x" * 2_000_000 + b"\n", "100,000 characters"),
    ("100k+1 chars", "a.csv", lambda: b"A\n" + b"x" * 100_001 + b"\n", "100,000 characters"),
    ("binary junk csv", "a.csv", lambda: os.urandom(4096) + b"\0", "not a CSV file"),
    ("control junk", "a.csv", lambda: bytes(range(1, 9)) * 200, "not a CSV file"),
    ("xlsx named csv", "a.csv", lambda: xlsx_bytes([["A"], ["1"]]), "Excel workbook"),
    ("header only", "a.csv", lambda: b"Name,Answer\n", "no rows of answers"),
    (
        "duplicate headings",
        "a.csv",
        lambda: b"Name,name\nx,y\n",
        "More than one column is headed 'name'",
    ),
    (
        "answers without heading",
        "a.csv",
        lambda: b"Name,,Age\nx,y,3\n",
        "Column B has answers but no heading",
    ),
    (
        "answers past the headings",
        "a.csv",
        lambda: b"Name,\nx,y\n",
        "Row 2 has answers in a column",
    ),
    ("too many rows", "a.csv", lambda: b"A\n" + b"1\n" * (MAX_ROWS + 1), f"{MAX_ROWS:,} rows"),
    (
        "wider row",
        "a.csv",
        lambda: b"A,B\n1,2,3\n",
        "Row 2 has answers in a column with no heading",
    ),
    ("pdf", "a.pdf", lambda: b"%PDF-1.4", "must be a CSV or XLSX"),
    ("over 10MB", "a.csv", lambda: b"A\n" + b"1\n" * (5_300_000), "smaller than 10MB"),
    (
        "100k columns xlsx",
        "a.xlsx",
        lambda: xlsx_bytes([list(range(MAX_COLUMNS + 5))]),
        f"{MAX_COLUMNS} columns",
    ),
    ("unclosed quote", "a.csv", lambda: b'A\n"' + b"x" * 200_000, "100,000 characters"),
]


@pytest.mark.parametrize(
    ("filename", "make", "message"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_malformed_uploads_are_refused_with_a_clear_message(
    filename: str, make: Any, message: str
) -> None:
    data = make()
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as raised:
        read_table(filename, data)
    assert message in str(raised.value)
    assert time.perf_counter() - started < 10  # refused promptly, no hang
    assert "Traceback" not in str(raised.value) and "/etc/passwd" not in str(raised.value)


def test_the_hand_made_workbook_is_readable_without_a_dtd() -> None:
    """Control for the two tests below: the same workbook without a DTD imports fine."""
    assert read_table("a.xlsx", with_shared_strings(SHARED_STRINGS)) == [{"Heading": "value"}]


def test_an_svg_image_with_a_doctype_does_not_block_the_workbook() -> None:
    svg = b'<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd"><svg/>'
    data = rewrite_part(with_shared_strings(SHARED_STRINGS), "xl/media/image1.svg", svg)
    assert read_table("a.xlsx", data) == [{"Heading": "value"}]


@pytest.mark.parametrize("payload", [XXE, BILLION_LAUGHS], ids=["xxe", "billion laughs"])
def test_defusedxml_is_the_second_guard_behind_the_dtd_check(payload: bytes) -> None:
    """Even if the archive check missed the DTD, openpyxl (with defusedxml) must refuse it."""
    with (
        mock.patch.object(importing.files, "_check_archive"),
        pytest.raises(ImportFileError) as raised,
    ):
        read_table("a.xlsx", with_shared_strings(payload))
    assert "XML features that are not allowed" in str(raised.value)


def test_a_forged_sheet_dimension_does_not_make_huge_rows() -> None:
    data = xlsx_bytes([["A", "B"], ["1", "2"]])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    forged = sheet.replace(b'<dimension ref="A1:B2"/>', b'<dimension ref="A1:XFD1048576"/>')
    assert forged != sheet
    started = time.perf_counter()
    rows = read_table("a.xlsx", rewrite_part(data, "xl/worksheets/sheet1.xml", forged))
    assert rows == [{"A": "1", "B": "2"}]
    assert time.perf_counter() - started < 5


# --- matching columns -----------------------------------------------------------------------


def test_columns_are_matched_by_label_or_id(definition: SurveyDefinition) -> None:
    columns = [
        "Timestamp",
        "Email address",
        "Which sector do you work in",
        "HOW RELEVANT WAS THE COURSE",
        "staff_trained",
        "confidence_before",
        "How confident do you feel? [After the course]",
        "How well does your agency meet this standard?",
    ]
    assert propose_mapping(columns, definition) == {
        "Timestamp": None,
        "Email address": None,
        "Which sector do you work in": "sector",
        "HOW RELEVANT WAS THE COURSE": "relevance",
        "staff_trained": "staff_trained",
        "confidence_before": "confidence_before",
        "How confident do you feel? [After the course]": "confidence_after",
        "How well does your agency meet this standard?": "rating",
    }


def test_each_question_gets_at_most_one_column(definition: SurveyDefinition) -> None:
    mapping = propose_mapping(["sector", "Sector ", "Which sector?"], definition)
    assert list(mapping.values()).count("sector") == 1
    assert mapping["sector"] == "sector"


def test_files_and_repeating_groups_are_never_proposed(definition: SurveyDefinition) -> None:
    mapping = propose_mapping(["policy_file", "Action plan", "actions"], definition)
    assert set(mapping.values()) == {None}


# --- previewing rows ------------------------------------------------------------------------


def preview_of(definition: SurveyDefinition, rows: list[dict[str, str]]) -> importing.ImportPreview:
    columns = list(rows[0])
    return preview_import(rows, propose_mapping(columns, definition), definition)


def test_fixture_preview_reports_the_bad_option_by_row(definition: SurveyDefinition) -> None:
    rows = read_table("a.csv", (IMPORTS / "other-tool.csv").read_bytes())
    preview = preview_import(rows, propose_mapping(list(rows[0]), definition), definition)
    assert [error.message for error in preview.errors] == [ROWS]
    assert preview.errors[0].row_number == 4
    assert preview.errors[0].column == "How relevant was the course to your role?"
    assert preview.row_numbers == [2, 3] and not preview.is_ready
    first, second = preview.valid_rows
    assert first == {
        "agency_name": "North Police",
        "evidence": "Training is yearly, audited by the board.",
        "sector": "police",
        "topics": ["neglect", "online"],
        "relevance": "3",
        "feeling": "happy",
        "rating": {"value": "met", "scale_version": 2},
        "has_lead": "yes",
        "lead_role": "DSL",
        "staff_trained": 1250,
        "review_date": "2024-02-01",
        "confidence": {"before": 1, "after": 3},
    }
    assert second["feeling"] == "okay"  # matched by its emoji
    assert second["confidence"] == {"before": 1, "after": 2}  # matched by level labels
    assert "staff_trained" not in second  # page hidden: has_lead is no


@pytest.mark.parametrize(
    ("column", "cell", "expected"),
    [
        ("topics", "Neglect; Online safety", ["neglect", "online"]),
        ("topics", "online,neglect", ["neglect", "online"]),
        ("topics", "Exploitation", ["exploitation"]),
        ("has_lead", "Y", "yes"),
        ("has_lead", "TRUE", "yes"),
        ("has_lead", "no", "no"),
        ("rating", "n/a", "not_applicable"),
        ("rating", "Not applicable", "not_applicable"),
        ("rating", "partially_met", {"value": "partially_met", "scale_version": 2}),
        ("review_date", "3/2/2024", "2024-02-03"),
        ("review_date", "2024-02-03", "2024-02-03"),
        ("review_date", "03/02/2024 00:00:00", "2024-02-03"),
        ("review_date", "3 February 2024", "2024-02-03"),
        ("staff_trained", "1,250", 1250),
        ("staff_trained", " 7 ", 7),
        ("sector", "HEALTH", "health"),
        ("locality", "South", "south"),
        ("agency_name", "'=Our agency", "=Our agency"),
        ("agency_name", "  Café\r\nteam ", "Café\nteam"),
    ],
)
def test_cells_become_stored_answers(
    definition: SurveyDefinition, column: str, cell: str, expected: object
) -> None:
    row = {"has_lead": "yes", column: cell}
    preview = preview_import([row], {key: key for key in row}, definition)
    assert preview.errors == []
    assert preview.valid_rows[0][column] == expected


@pytest.mark.parametrize(
    ("column", "cell", "message"),
    [
        (
            "relevance",
            "Maybe",
            "Row 2: 'Maybe' is not an option for 'How relevant was the course to your role?'",
        ),
        (
            "topics",
            "Neglect; Cooking",
            "Row 2: 'Cooking' is not an option for 'Which topics did the course cover?'",
        ),
        (
            "has_lead",
            "perhaps",
            "Row 2: 'perhaps' is not an option for 'Do you have a named lead?'. Enter yes or no",
        ),
        ("staff_trained", "lots", "Row 2: Enter a number for 'How many staff were trained?'"),
        ("staff_trained", "2.5", "Row 2: Enter a whole number for 'How many staff were trained?'"),
        ("staff_trained", "-3", "Row 2: 'How many staff were trained?' must be 0 or more"),
        (
            "review_date",
            "31/02/2024",
            "Row 2: '31/02/2024' is not a real date for 'When was the policy last reviewed?'. "
            "Enter a date like 27/3/2025",
        ),
        (
            "review_date",
            "01/01/2999",
            "Row 2: 'When was the policy last reviewed?' must be today or in the past",
        ),
        ("agency_name", "x" * 41, "Row 2: Agency name must be 40 characters or fewer"),
        ("reference", "12AB", "Row 2: Enter a case reference like AB1234"),
        (
            "rating",
            "Exceeded",
            "Row 2: 'Exceeded' is not an option for "
            "'How well does your agency meet this standard?'",
        ),
        (
            "evidence",
            "bad\x00text",
            "Row 2: The answer to 'Describe your evidence' contains a hidden character",
        ),
        ("relevance", "y" * 80, "Row 2: '" + "y" * 39 + "…' is not an option"),
    ],
)
def test_bad_cells_give_govuk_style_messages(
    definition: SurveyDefinition, column: str, cell: str, message: str
) -> None:
    row = {"has_lead": "yes", column: cell}
    preview = preview_import([row], {key: key for key in row}, definition)
    assert [error.message[: len(message)] for error in preview.errors] == [message]
    assert preview.valid_rows == []


def test_confidence_pair_needs_both_columns(definition: SurveyDefinition) -> None:
    mapping = {"before": "confidence_before", "after": "confidence_after"}
    preview = preview_import([{"before": "3", "after": ""}], mapping, definition)
    assert [error.message for error in preview.errors] == [
        "Row 2: Enter the after answer for 'How confident do you feel?'"
    ]
    preview = preview_import([{"before": "9", "after": "1"}], mapping, definition)
    assert preview.errors[0].message == (
        "Row 2: '9' is not an option for 'How confident do you feel?' (Before the course)"
    )


def test_no_question_is_required_by_an_import(definition: SurveyDefinition) -> None:
    # Past years' files come from other forms: a required question's blank cell or missing
    # column leaves it unanswered; only a row with nothing at all is skipped, as blank.
    rows = [{"sector": "", "agency_name": "North"}, {"sector": "", "agency_name": ""}]
    preview = preview_import(rows, {"sector": "sector", "agency_name": "agency_name"}, definition)
    assert preview.errors == []
    assert preview.valid_rows == [{"agency_name": "North"}]
    assert preview.blank_rows == 1
    assert "Describe your evidence" in preview.unmatched  # required, no column: left blank
    assert "Which sector do you work in?" not in preview.unmatched


def test_answers_to_hidden_questions_are_dropped(definition: SurveyDefinition) -> None:
    row = {"has_lead": "no", "lead_role": "Head"}
    preview = preview_import([row], {key: key for key in row}, definition)
    assert preview.valid_rows == [{"has_lead": "no"}]


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"a": "sector", "b": "sector"}, "Columns 'a' and 'b' are both matched to 'Which sector"),
        ({"a": "no_such_question"}, "Column 'a' is matched to a question this form does not have"),
        ({"a": "policy_file"}, "does not have"),
        ({"a": "confidence_before"}, "one to the after answer"),
    ],
)
def test_impossible_mappings_are_refused(
    definition: SurveyDefinition, mapping: dict[str, str | None], message: str
) -> None:
    with pytest.raises(ImportFileError, match=message):
        preview_import([{"a": "1", "b": "2"}], mapping, definition)


def test_a_preview_with_errors_cannot_be_imported(definition: SurveyDefinition) -> None:
    preview = preview_import([{"sector": "Maybe"}], {"sector": "sector"}, definition)
    session = mock.Mock()
    with pytest.raises(ImportNotReady):
        apply_import(session, mock.Mock(), preview)
    assert session.method_calls == []  # nothing was even added


@pytest.mark.parametrize(
    ("heading", "cell", "expected"),
    [
        ("Timestamp", "04/03/2025 09:12:44", date(2025, 3, 4)),  # Google Forms
        ("Submitted at", "2025-03-04T09:12:00+00:00", date(2025, 3, 4)),  # our own export
        ("Completion time", "2025-03-04 9:12", date(2025, 3, 4)),  # Microsoft Forms
        ("End Date", "4 March 2025", date(2025, 3, 4)),  # SurveyMonkey
        ("Timestamp", "yesterday", None),
        ("Timestamp", "", None),
    ],
)
def test_the_day_each_row_was_answered_is_read_from_an_unmatched_timestamp_column(
    definition: SurveyDefinition, heading: str, cell: str, expected: date | None
) -> None:
    row = {"agency_name": "North Police", heading: cell}
    mapping = {"agency_name": "agency_name", heading: None}
    preview = preview_import([row], mapping, definition)
    assert preview.answered_on == [expected]


def test_a_date_column_matched_to_a_question_is_not_taken_as_the_answering_day(
    definition: SurveyDefinition,
) -> None:
    row = {"agency_name": "North Police", "Date": "01/02/2024"}
    preview = preview_import(
        [row], {"agency_name": "agency_name", "Date": "review_date"}, definition
    )
    assert preview.errors == [] and preview.answered_on == [None]
