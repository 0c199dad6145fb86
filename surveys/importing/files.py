"""Read an uploaded CSV or XLSX file into rows keyed by column heading, safely.

Public API:
    read_table(filename, data) -> list[dict[str, str]]: the rows under the heading row;
        item n is row n + 2 of the sheet (blank rows inside the table are kept as blanks).
    MAX_UPLOAD_BYTES, MAX_ROWS, MAX_COLUMNS, MAX_FIELD_CHARS: the limits.

Files are untrusted: limits are checked before anything is parsed, and XLSX archives are
inspected (size, entries, names, macros, DTDs) before openpyxl opens them; defusedxml is the
second guard against entity expansion and external entities.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from pathlib import PurePath

from defusedxml import DefusedXmlException
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from surveys.importing.errors import ImportFileError

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5_000
MAX_COLUMNS = 200
MAX_FIELD_CHARS = 100_000
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 500
# Blank rows are skipped but still read: cap them so a sheet claiming a million rows is cheap.
MAX_PHYSICAL_ROWS = 5 * MAX_ROWS
_FORBIDDEN_XML = [
    marker.encode(encoding)
    for marker in ("<!doctype", "<!entity")
    for encoding in ("ascii", "utf-16-le", "utf-16-be")
]
_MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlsb", ".xlam")


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
