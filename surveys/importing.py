"""Import responses collected with another tool (a CSV or XLSX file) into a cycle.

Public API:
    ImportFileError: the file or the mapping cannot be used; the message is for the person.
    ImportNotReady: apply_import was asked to import a preview that still has errors.
    read_table(filename, data) -> list[dict[str, str]]: the rows under the heading row;
        item n is row n + 2 of the sheet (blank rows inside the table are kept as blanks).
    propose_mapping(columns, definition) -> {column: target or None}
    RowError, ImportPreview; preview_import(rows, mapping, definition) -> ImportPreview
    apply_import(session, cycle, preview, *, imported_by=None) -> list[Response]
    FOLLOW_UP_WINDOW: how long after answering a trainee can still be sent the follow-up.

A mapping target is a question id, or `<id>_before` / `<id>_after` for the two halves of a
confidence pair (the column names of our own wide export, so it imports back). Files are
untrusted: limits are checked before anything is parsed, and XLSX archives are inspected
(size, entries, names, macros, DTDs) before openpyxl opens them; defusedxml is the second
guard against entity expansion and external entities.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import logging
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import PurePath

from defusedxml import DefusedXmlException
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from surveys import safeguarding
from surveys.accounts import record_audit
from surveys.definition import JSONValue, Question, QuestionType, SurveyDefinition
from surveys.engine import visible_answers, visible_questions
from surveys.errors import SurveysError
from surveys.exports import FORMULA_PREFIXES, GROUP_FIXED, WIDE_FIXED
from surveys.models import Cycle, FollowUpRequest, Response, ResponseStatus, utcnow
from surveys.responses import FOLLOW_UP_AFTER, new_reference, split_follow_up_email
from surveys.validators import LONG_TEXT_MAX, SHORT_TEXT_MAX, clean_text, parse_number

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5_000
MAX_COLUMNS = 200
MAX_FIELD_CHARS = 100_000
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 500
# Blank rows are skipped but still read: cap them so a sheet claiming a million rows is cheap.
MAX_PHYSICAL_ROWS = 5 * MAX_ROWS
IMPORT_SOURCE_KEY = "_source"  # bookkeeping key in the answers: where the response came from
_FORBIDDEN_XML = [
    marker.encode(encoding)
    for marker in ("<!doctype", "<!entity")
    for encoding in ("ascii", "utf-16-le", "utf-16-be")
]
_MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlsb", ".xlam")
_UNIMPORTABLE = {QuestionType.FILE, QuestionType.REPEATING_GROUP}
_MATCH_THRESHOLD = 0.72
_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y")
_EXPORT_COLUMNS = frozenset(WIDE_FIXED + GROUP_FIXED)
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}
_NOT_APPLICABLE = {"n/a", "na", "not applicable"}
# The follow-up asks about the 6 to 8 weeks after the course: past 8 weeks it is too late.
FOLLOW_UP_WINDOW = timedelta(weeks=8)
# Headings under which tools put when a response was given (folded by _normalise): our own
# export, Google Forms, Microsoft Forms, SurveyMonkey and a plain "Date".
_ANSWERED_AT_HEADINGS = (
    "submitted at",
    "timestamp",
    "completion time",
    "end date",
    "date submitted",
    "date",
)


class ImportFileError(SurveysError):
    """The uploaded file, or the way its columns are matched, cannot be used."""


class ImportNotReady(SurveysError):
    """The preview still has errors, so nothing can be imported."""


# --- Reading the file ----------------------------------------------------------------------


def read_table(filename: str, data: bytes) -> list[dict[str, str]]:
    """Read a CSV or XLSX upload into rows keyed by column heading; raise ImportFileError."""
    suffix = PurePath(filename).suffix.lower()
    if not data:
        raise ImportFileError("The selected file is empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError("The selected file must be smaller than 10MB")
    if suffix in _MACRO_SUFFIXES:
        raise ImportFileError(
            "The selected file contains macros. Save it as an Excel workbook (.xlsx) or a "
            "CSV file, then upload it again"
        )
    if suffix == ".xlsx":
        grid = _read_xlsx(data)
    elif suffix in (".csv", ".txt"):
        grid = _read_csv(data)
    else:
        raise ImportFileError("The selected file must be a CSV or XLSX file")
    return _records(grid)


def _collect(rows: Iterable[Sequence[str]]) -> list[list[str]]:
    """Keep rows up to the last non-blank one, enforcing the row, column and cell limits."""
    kept: list[list[str]] = []
    pending_blanks = 0
    for physical, row in enumerate(rows, start=1):
        if physical > MAX_PHYSICAL_ROWS:
            raise ImportFileError(f"The selected file must have {MAX_ROWS:,} rows or fewer")
        values = list(row)
        while values and not values[-1].strip():
            values.pop()
        if len(values) > MAX_COLUMNS:
            raise ImportFileError(f"The selected file must have {MAX_COLUMNS} columns or fewer")
        for column, value in enumerate(values, start=1):
            if len(value) > MAX_FIELD_CHARS:
                raise ImportFileError(
                    f"Row {physical}, column {get_column_letter(column)}: a cell must be "
                    f"{MAX_FIELD_CHARS:,} characters or fewer"
                )
        if not values:
            pending_blanks += 1 if kept else 0
            continue
        kept.extend([] for _ in range(pending_blanks))
        pending_blanks = 0
        kept.append(values)
        if len(kept) > MAX_ROWS + 1:  # the heading row plus MAX_ROWS rows
            raise ImportFileError(f"The selected file must have {MAX_ROWS:,} rows or fewer")
    return kept


def _records(grid: list[list[str]]) -> list[dict[str, str]]:
    """Turn the heading row and the rows under it into dicts, checking the headings."""
    if not grid:
        raise ImportFileError("The selected file is empty")
    headings = [
        unicodedata.normalize("NFC", cell.replace("\ufeff", "").strip()) for cell in grid[0]
    ]
    rows = grid[1:]
    if not rows:
        raise ImportFileError("The selected file has column headings but no rows of answers")
    seen: dict[str, str] = {}
    for number, heading in enumerate(headings, start=1):
        if not heading and any(len(row) >= number and row[number - 1].strip() for row in rows):
            letter = get_column_letter(number)
            raise ImportFileError(f"Column {letter} has answers but no heading. Add a heading")
        if heading and heading.casefold() in seen:
            raise ImportFileError(
                f"More than one column is headed '{heading}'. Give each column a different heading"
            )
        seen[heading.casefold()] = heading
    width = len(headings)
    records = []
    for number, row in enumerate(rows, start=2):
        if any(value.strip() for value in row[width:]):
            raise ImportFileError(f"Row {number} has answers in a column with no heading")
        records.append({h: (row[i] if i < len(row) else "") for i, h in enumerate(headings) if h})
    return records


def _decode(data: bytes) -> str:
    """Decode CSV bytes: UTF-8 (with or without BOM), UTF-16 with a BOM, or Windows-1252."""
    if data.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            "The selected file is an Excel workbook. Save it with .xlsx at the end"
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    elif data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    else:
        encodings = ["utf-8", "cp1252"]  # Excel on Windows saves "CSV" as Windows-1252
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return text
    raise ImportFileError(
        "The selected file is not a CSV file. Save it as CSV UTF-8, then upload it"
    )


def _looks_binary(text: str) -> bool:
    sample = text[:65_536]
    controls = sum(1 for char in sample if ord(char) < 32 and char not in "\t\r\n")
    return "\x00" in text or controls > len(sample) / 100


def _delimiter(text: str) -> str:
    """Guess the delimiter from the heading line: comma, semicolon (European Excel) or tab."""
    first_line = text.split("\n", 1)[0]
    counts = {mark: first_line.count(mark) for mark in (",", ";", "\t")}
    best = max(counts, key=lambda mark: counts[mark])
    return best if counts[best] else ","


def _read_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    # The csv module's own (process-wide) field limit is left alone; _collect enforces ours.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        return _collect(reader)
    except csv.Error as error:
        if "field limit" in str(error):
            raise ImportFileError(
                f"Row {reader.line_num}: a cell must be {MAX_FIELD_CHARS:,} characters or fewer"
            ) from None
        raise ImportFileError(
            f"Row {reader.line_num} of the selected file cannot be read"
        ) from None


def _is_unsafe_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return (
        name.startswith(("/", "\\"))
        or "\\" in name
        or "\x00" in name
        or ".." in parts
        or bool(re.match(r"^[A-Za-z]:", name))
    )


def _has_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Return whether an XML part declares a DTD or entities (no real workbook does)."""
    tail = b""
    with archive.open(info) as part:
        while chunk := part.read(65_536):
            window = (tail + chunk).lower()
            if any(marker in window for marker in _FORBIDDEN_XML):
                return True
            tail = window[-32:]
    return False


def _check_archive(data: bytes) -> None:
    """Refuse a workbook archive that is damaged, too big, has macros or unsafe parts."""
    invalid = "The selected file is not a valid Excel workbook. Save it as .xlsx or CSV"
    if not data.startswith(b"PK\x03\x04"):
        raise ImportFileError(invalid)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise ImportFileError(invalid)
            if sum(info.file_size for info in entries) > MAX_UNZIPPED_BYTES:
                raise ImportFileError("The selected file is too large once unzipped (over 50MB)")
            names = {info.filename.lower() for info in entries}
            if any(_is_unsafe_name(info.filename) for info in entries):
                raise ImportFileError(invalid)
            if any(name.endswith("vbaproject.bin") for name in names):
                raise ImportFileError("The selected file contains macros. Save it without macros")
            if "xl/workbook.xml" not in names or "[content_types].xml" not in names:
                raise ImportFileError(invalid)
            for info in entries:
                # Every part but media (SVG images may carry a DOCTYPE): the parser finds
                # parts through relationships, so a name need not end in .xml.
                if not info.filename.lower().startswith("xl/media/") and _has_dtd(archive, info):
                    raise ImportFileError(
                        "The selected file contains XML features that are not allowed. Save "
                        "it again from Excel or as CSV"
                    )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError):
        raise ImportFileError(invalid) from None
    except (ValueError, RuntimeError):  # zlib errors, encrypted entries
        raise ImportFileError(invalid) from None


def _cell_text(value: object) -> str:
    """Return a cell's value as the text a person typed (dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    return str(value)


def _read_xlsx(data: bytes) -> list[list[str]]:
    _check_archive(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            if not book.worksheets:
                raise ImportFileError("The selected file has no sheets")
            sheet = book.worksheets[0]
            # Bounds stop a forged <dimension> (A1:XFD1048576) making us pad huge rows.
            rows = sheet.iter_rows(
                max_row=MAX_PHYSICAL_ROWS + 1, max_col=MAX_COLUMNS + 1, values_only=True
            )
            return _collect([_cell_text(value) for value in row] for row in rows)
        finally:
            book.close()
    except ImportFileError:
        raise
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        if _caused_by_defusedxml(error):
            raise ImportFileError(
                "The selected file contains XML features that are not allowed. Save it again "
                "from Excel or as CSV"
            ) from None
        # Only the error's type: its message may quote the file's contents.
        log.warning("workbook could not be read", extra={"error": type(error).__name__})
        raise ImportFileError(
            "The selected file cannot be read. Save it again as .xlsx or CSV"
        ) from None


def _caused_by_defusedxml(error: BaseException | None) -> bool:
    """Return whether defusedxml refused the XML (openpyxl wraps it in a ValueError)."""
    for _ in range(10):  # chains are short; a bound avoids cycles
        if error is None:
            return False
        if isinstance(error, DefusedXmlException):
            return True
        error = error.__cause__ or error.__context__
    return False


# --- Matching columns to questions ---------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    key: str
    question: Question
    half: str | None  # "before" or "after" for a half of a confidence pair
    names: tuple[str, ...]


def _targets(definition: SurveyDefinition) -> dict[str, _Target]:
    """Return every importable answer slot by mapping key, in the definition's order."""
    targets: dict[str, _Target] = {}
    for page in definition.pages:
        for question in page.questions:
            if question.type in _UNIMPORTABLE:
                continue
            if question.type is QuestionType.CONFIDENCE_PAIR and question.confidence is not None:
                pair = question.confidence
                for half, label in (("before", pair.before_label), ("after", pair.after_label)):
                    key = f"{question.id}_{half}"
                    names = (key, f"{question.label} {label}", f"{label} {question.label}")
                    targets[key] = _Target(key, question, half, names)
            else:
                targets[question.id] = _Target(
                    question.id, question, None, (question.id, question.label)
                )
    return targets


def _normalise(text: str) -> str:
    """Return text folded for comparison: no accents, case or punctuation."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[\W_]+", " ", bare.casefold()).strip()


def _similarity(column: str, name: str) -> float:
    if not column or not name:
        return 0.0
    if column == name:
        return 1.0
    score = difflib.SequenceMatcher(None, column, name).ratio()
    shorter, longer = sorted((column, name), key=len)
    if len(shorter.split()) >= 3 and f" {shorter} " in f" {longer} ":
        score = max(score, 0.9)  # "How relevant was the course" within the full question
    return score


def propose_mapping(columns: Sequence[str], definition: SurveyDefinition) -> dict[str, str | None]:
    """Propose which question each column answers, by similarity of heading to id or label."""
    targets = _targets(definition)
    candidates = []
    for column_order, column in enumerate(columns):
        if column in _EXPORT_COLUMNS:  # our own export's bookkeeping, never an answer
            continue
        folded = _normalise(column)
        for target_order, target in enumerate(targets.values()):
            score = max(_similarity(folded, _normalise(name)) for name in target.names)
            if score >= _MATCH_THRESHOLD:
                candidates.append((-score, column_order, target_order, column, target.key))
    mapping: dict[str, str | None] = dict.fromkeys(columns)
    taken: set[str] = set()
    for _, _, _, column, key in sorted(candidates):  # best pairs first, each used once
        if mapping[column] is None and key not in taken:
            mapping[column] = key
            taken.add(key)
    return mapping


# --- Checking the rows ---------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row_number: int
    column: str
    message: str  # "Row 12: 'Maybe' is not an option for 'How relevant was the course?'"


@dataclass(frozen=True)
class ImportPreview:
    definition: SurveyDefinition
    valid_rows: list[dict[str, JSONValue]]
    errors: list[RowError]
    row_numbers: list[int] = field(default_factory=list)  # the sheet row of each valid row
    blank_rows: int = 0
    unmatched_required: list[str] = field(default_factory=list)  # labels with no column
    answered_on: list[date | None] = field(default_factory=list)  # per valid row, if known

    @property
    def is_ready(self) -> bool:
        return not self.errors and bool(self.valid_rows)


class _CellProblem(ValueError):
    """One cell cannot be turned into an answer; the message is for the person."""


def _quoted(text: str) -> str:
    return f"'{text if len(text) <= 40 else text[:39] + '…'}'"


def _check_mapping(
    mapping: Mapping[str, str | None], targets: dict[str, _Target]
) -> dict[str, str]:
    """Return {target key: column}; raise ImportFileError for an impossible mapping."""
    columns: dict[str, str] = {}
    for column, key in mapping.items():
        if key is None:
            continue
        if key not in targets:
            raise ImportFileError(
                f"Column '{column}' is matched to a question this form does not have"
            )
        if key in columns:
            label = targets[key].question.label
            raise ImportFileError(
                f"Columns '{columns[key]}' and '{column}' are both matched to '{label}'. "
                "Match each question to one column"
            )
        columns[key] = column
    for key, target in targets.items():
        other = f"{target.question.id}_{'after' if target.half == 'before' else 'before'}"
        if target.half and key in columns and other not in columns:
            raise ImportFileError(
                f"Match one column to the before answer and one to the after answer for "
                f"'{target.question.label}'"
            )
    return columns


def preview_import(
    rows: Sequence[Mapping[str, str]],
    mapping: Mapping[str, str | None],
    definition: SurveyDefinition,
) -> ImportPreview:
    """Convert each row's cells into stored answers, collecting every problem by row."""
    targets = _targets(definition)
    columns = _check_mapping(mapping, targets)
    valid: list[dict[str, JSONValue]] = []
    numbers: list[int] = []
    answered_on: list[date | None] = []
    errors: list[RowError] = []
    blanks = 0
    answered_column = _answered_at_column(rows[0] if rows else {}, mapping)
    for number, record in enumerate(rows, start=2):
        cells = {
            key: _unquote((record.get(column) or "").strip()) for key, column in columns.items()
        }
        if not any(cells.values()):
            blanks += 1
            continue
        answers, problems = _convert_row(cells, targets)
        problems += _missing(definition, answers, columns, {key for key, _ in problems})
        if problems:
            errors += [
                RowError(number, columns.get(k, ""), f"Row {number}: {m}") for k, m in problems
            ]
            continue
        valid.append(visible_answers(definition, answers))
        numbers.append(number)
        answered_on.append(_parse_answered_at(record.get(answered_column or "") or ""))
    unmatched = [
        t.question.label for t in targets.values() if t.question.required and t.key not in columns
    ]
    return ImportPreview(
        definition,
        valid,
        errors,
        numbers,
        blanks,
        list(dict.fromkeys(unmatched)),
        answered_on,
    )


def _answered_at_column(record: Mapping[str, str], mapping: Mapping[str, str | None]) -> str | None:
    """Return the unmatched column saying when each response was given, if the file has one."""
    free = {_normalise(column): column for column in record if not mapping.get(column)}
    return next((free[name] for name in _ANSWERED_AT_HEADINGS if name in free), None)


def _parse_answered_at(text: str) -> date | None:
    """Return the day a timestamp cell names ("2025-03-04 09:12", "04/03/2025 09:12:00")."""
    text = text.strip()
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    text = re.sub(r"\s+\d{1,2}:\d{2}(:\d{2})?(\s*[AaPp][Mm])?$", "", text)
    return _parse_date(text) if text else None


def _unquote(text: str) -> str:
    """Drop the "'" our exports put before formula-like text, so an export imports back."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _convert_row(
    cells: dict[str, str], targets: dict[str, _Target]
) -> tuple[dict[str, JSONValue], list[tuple[str, str]]]:
    answers: dict[str, JSONValue] = {}
    halves: dict[str, dict[str, JSONValue]] = {}
    problems: list[tuple[str, str]] = []
    for key, text in cells.items():
        if not text:
            continue
        target = targets[key]
        try:
            value = _convert(target, text)
        except _CellProblem as problem:
            problems.append((key, str(problem)))
            continue
        if value is None:
            continue
        if target.half:
            halves.setdefault(target.question.id, {})[target.half] = value
        else:
            answers[target.question.id] = value
    for question_id, pair in halves.items():
        if len(pair) == 2:
            answers[question_id] = {"before": pair["before"], "after": pair["after"]}
        else:
            missing = "after" if "before" in pair else "before"
            label = targets[f"{question_id}_{missing}"].question.label
            problems.append(
                (f"{question_id}_{missing}", f"Enter the {missing} answer for '{label}'")
            )
    return answers, problems


def _missing(
    definition: SurveyDefinition,
    answers: dict[str, JSONValue],
    columns: dict[str, str],
    failed: set[str],
) -> list[tuple[str, str]]:
    """Return problems for required, shown questions whose column is empty in this row."""
    problems = []
    for question in visible_questions(definition, answers):
        keys = [question.id, f"{question.id}_before", f"{question.id}_after"]
        mapped = [key for key in keys if key in columns]
        if not question.required or question.id in answers or not mapped or failed & set(keys):
            continue
        message = question.error_required or f"Answer '{question.label}'"
        problems.append((mapped[0], message))
    return problems


def _convert(target: _Target, text: str) -> JSONValue:
    """Return the stored answer for one cell; raise _CellProblem when it cannot be one."""
    question, kind = target.question, target.question.type
    if target.half is not None:
        return _confidence_level(question, target.half, text)
    if kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
        return _text(question, text)
    if kind in (
        QuestionType.RADIOS,
        QuestionType.SELECT,
        QuestionType.SCALE,
        QuestionType.EMOJI_SCALE,
    ):
        return _choice(question, text)
    if kind is QuestionType.CHECKBOXES:
        return _checkboxes(question, text)
    if kind is QuestionType.YES_NO:
        return _yes_no(question, text)
    if kind is QuestionType.COMPLIANCE_RATING:
        return _rating(question, text)
    if kind is QuestionType.NUMBER:
        return _number(question, text)
    if kind is QuestionType.DATE:
        return _date(question, text)
    raise _CellProblem(f"Answers to '{question.label}' cannot be imported")


def _text(question: Question, text: str) -> JSONValue:
    value = clean_text(text)
    if value is None:
        return None
    if re.search("[\x00\ud800-\udfff]", value):
        raise _CellProblem(f"The answer to '{question.label}' contains a hidden character")
    rules = question.validation
    limit = rules.max_length or (
        LONG_TEXT_MAX if question.type is QuestionType.LONG_TEXT else SHORT_TEXT_MAX
    )
    if len(value) > limit:
        raise _CellProblem(
            rules.error_too_long or f"'{question.label}' must be {limit:,} characters or fewer"
        )
    if rules.min_length is not None and len(value) < rules.min_length:
        default = f"'{question.label}' must be {rules.min_length:,} characters or more"
        raise _CellProblem(rules.error_too_short or default)
    if rules.pattern and not re.fullmatch(rules.pattern, value):
        raise _CellProblem(rules.pattern_error or f"Enter '{question.label}' in the correct format")
    return value


def _options(question: Question) -> dict[str, str]:
    """Return a lookup from folded value, label or emoji to the stored value."""
    lookup: dict[str, str] = {}
    for option in question.options:
        lookup[_normalise(option.label)] = option.value
        if option.emoji:
            lookup[option.emoji] = option.value
    for option in question.options:  # a value wins over another option's label
        lookup[_normalise(option.value)] = option.value
    lookup.pop("", None)
    return lookup


def _match(lookup: dict[str, str], text: str) -> str | None:
    return lookup.get(text.strip()) or lookup.get(_normalise(text))


def _choice(question: Question, text: str) -> JSONValue:
    value = _match(_options(question), text)
    if value is None:
        raise _CellProblem(f"{_quoted(text)} is not an option for '{question.label}'")
    return value


def _checkboxes(question: Question, text: str) -> JSONValue:
    lookup = _options(question)
    chosen = [value] if (value := _match(lookup, text)) else None
    separators = [mark for mark in (";", "\n", ",") if mark in text]
    for mark in separators:
        if chosen:
            break
        parts = [part for part in text.split(mark) if part.strip()]
        matched = [_match(lookup, part) for part in parts]
        if all(matched):
            chosen = [value for value in matched if value]
    if not chosen:
        parts = text.split(separators[0]) if separators else [text]
        bad = next(part.strip() for part in parts if part.strip() and not _match(lookup, part))
        raise _CellProblem(f"{_quoted(bad)} is not an option for '{question.label}'")
    order = [option.value for option in question.options]
    result: list[JSONValue] = [value for value in order if value in chosen]
    least = question.validation.min_selected or 0
    if len(result) < least:
        default = f"Select at least {least} options for '{question.label}'"
        raise _CellProblem(question.validation.error_too_short or default)
    return result


def _yes_no(question: Question, text: str) -> JSONValue:
    folded = _normalise(text)
    if folded in _YES:
        return "yes"
    if folded in _NO:
        return "no"
    raise _CellProblem(f"{_quoted(text)} is not an option for '{question.label}'. Enter yes or no")


def _rating(question: Question, text: str) -> JSONValue:
    scale = question.scale
    assert scale is not None  # guaranteed by the definition's validation
    folded = _normalise(text)
    if scale.allow_not_applicable and (
        text.strip().casefold() in _NOT_APPLICABLE
        or folded in {"not applicable", _normalise(scale.not_applicable_label)}
    ):
        return "not_applicable"
    for level in scale.levels:
        if folded in (_normalise(level.value), _normalise(level.label)):
            return {"value": level.value, "scale_version": scale.version}
    raise _CellProblem(f"{_quoted(text)} is not an option for '{question.label}'")


def _number(question: Question, text: str) -> JSONValue:
    rules, label = question.validation, question.label
    number = parse_number(text)
    if number is None:
        raise _CellProblem(rules.error_invalid or f"Enter a number for '{label}'")
    if rules.whole_number and not isinstance(number, int):
        raise _CellProblem(rules.error_invalid or f"Enter a whole number for '{label}'")
    if rules.min_value is not None and number < rules.min_value:
        raise _CellProblem(
            rules.error_too_small or f"'{label}' must be {rules.min_value:g} or more"
        )
    if rules.max_value is not None and number > rules.max_value:
        raise _CellProblem(
            rules.error_too_large or f"'{label}' must be {rules.max_value:g} or less"
        )
    return number


def _parse_date(text: str) -> date | None:
    text = re.sub(r"[ T]00:00(:00(\.0+)?)?$", "", text.strip())
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    return None


def _date(question: Question, text: str) -> JSONValue:
    value, rules = _parse_date(text), question.validation
    if value is None:
        raise _CellProblem(
            f"{_quoted(text)} is not a real date for '{question.label}'. "
            "Enter a date like 27/3/2025"
        )
    today = date.today()
    if rules.not_in_future and value > today:
        raise _CellProblem(
            rules.error_invalid or f"'{question.label}' must be today or in the past"
        )
    if rules.not_in_past and value < today:
        raise _CellProblem(
            rules.error_invalid or f"'{question.label}' must be today or in the future"
        )
    return value.isoformat()


def _confidence_level(question: Question, half: str, text: str) -> JSONValue:
    pair = question.confidence
    assert pair is not None  # guaranteed by the definition's validation
    folded, number = _normalise(text), parse_number(text)
    for level in pair.levels:
        if number == level.value or folded == _normalise(level.label):
            return level.value
    side = pair.before_label if half == "before" else pair.after_label
    raise _CellProblem(f"{_quoted(text)} is not an option for '{question.label}' ({side})")


# --- Importing -----------------------------------------------------------------------------


def apply_import(
    session: Session,
    cycle: Cycle,
    preview: ImportPreview,
    *,
    imported_by: int | None = None,
) -> list[Response]:
    """Create one submitted, anonymous response per valid row, all or nothing.

    Each row is screened for disclosures like any submission (surveys.safeguarding), so a
    flagged row alerts the DSLs; a failure anywhere rolls the whole import back.
    A trainee's follow-up email never enters the stored answers: see _follow_up_due.
    """
    definition = preview.definition
    if preview.errors:
        raise ImportNotReady("Fix the problems in the file, then upload it again")
    if (cycle.definition_key, cycle.definition_version) != (definition.key, definition.version):
        raise ImportFileError("The file was checked against a different form. Upload it again")
    if not preview.valid_rows:
        raise ImportFileError("The selected file has no rows of answers to import")
    now, created = utcnow(), []
    try:
        answered_on = preview.answered_on or [None] * len(preview.valid_rows)
        for row, day in zip(preview.valid_rows, answered_on, strict=True):
            answers, email = split_follow_up_email(definition, row)
            response = _imported_response(cycle, answers, now)
            session.add(response)
            session.flush()  # a failing row fails here, inside the one transaction
            due = _follow_up_due(day, now)
            if email and due is not None:
                session.add(FollowUpRequest(response_id=response.id, email=email, due_at=due))
            safeguarding.flag_response(session, response, definition, answers, now=now)
            created.append(response)
        record_audit(
            session,
            user_id=imported_by,
            action="responses.imported",
            object_type="cycle",
            object_id=cycle.id,
            detail=f"count={len(created)}",
        )
        session.commit()
    except Exception:
        session.rollback()
        raise
    log.info("responses imported", extra={"cycle_id": cycle.id, "count": len(created)})
    return created


def _follow_up_due(answered_on: date | None, now: datetime) -> datetime | None:
    """Return when to send an imported trainee's follow-up, or None to drop their email.

    The follow-up asks how the course changed practice 6 to 8 weeks on, and the trainee
    gave their address for that one email only. So an imported email is kept only when the
    file says when they answered (a timestamp column such as "Submitted at" or "Timestamp")
    and that was at most 8 weeks ago: the link goes 6 weeks after they answered, or at once
    if that day has passed. Without a date (the course may have been last year) or later
    than that, the address has no use left and is dropped without being stored.
    """
    if answered_on is None:
        return None
    answered = datetime.combine(answered_on, time(), tzinfo=UTC)
    if answered > now or now - answered > FOLLOW_UP_WINDOW:
        return None
    return max(answered + FOLLOW_UP_AFTER, now)


def _imported_response(cycle: Cycle, answers: dict[str, JSONValue], now: datetime) -> Response:
    return Response(
        cycle_id=cycle.id,
        organisation_id=None,
        public_link_id=None,
        submission_id=str(uuid.uuid4()),
        reference=new_reference(),
        definition_key=cycle.definition_key,
        definition_version=cycle.definition_version,
        status=ResponseStatus.SUBMITTED,
        answers={**answers, IMPORT_SOURCE_KEY: "import"},
        version=1,
        created_at=now,
        last_saved_at=now,
        submitted_at=now,
        is_flagged=False,
    )
