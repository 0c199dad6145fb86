"""Writing tables for spreadsheets, CSV or XLSX, so no cell can ever run as a formula.

Public API:
    Cell, Row: what a table holds (text, numbers, None).
    FORMULA_PREFIXES; defuse(value): prefix text a spreadsheet would run as a formula with "'".
    sheet_value(value): a cell's value as an XLSX file can hold it: defused, without the
        control characters XML cannot hold, and cut to Excel's limit for one cell.
    set_cell(cell, value): write a value into an openpyxl cell, text always stored as text
        (for workbooks laid out by hand, e.g. reports with styles and charts).
    Sheet; write_csv(header, rows) -> bytes (UTF-8 with a BOM, so Excel reads it as UTF-8);
    stream_csv(out, header, rows) -> int: the same, row by row to a text stream (big tables);
    write_xlsx(sheets, *, title=None) -> bytes: one sheet per table, header first.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO, TypeAlias

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from surveys.answer_types import Cell

Row: TypeAlias = list[Cell]
# Excel, LibreOffice and Google Sheets start a formula (or DDE call) with these characters.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
XLSX_MAX_TEXT = 32_767  # Excel's limit for one cell; longer text makes Excel "repair" the file


def defuse(value: Cell) -> Cell:
    """Return text a spreadsheet would treat as a formula with a leading "'"; numbers as is."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def sheet_value(value: Cell) -> Cell:
    """Return a value as an XLSX cell can hold it (text defused, cleaned and cut to fit)."""
    if not isinstance(value, str):
        return value  # numbers as numbers; None is a blank cell
    text = str(defuse(value))
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)  # control characters XML cannot hold
    if len(text) > XLSX_MAX_TEXT:
        text = text[: XLSX_MAX_TEXT - 12] + " [truncated]"
    return text


def set_cell(cell: Any, value: Cell) -> None:
    """Write a value into an openpyxl cell; text is stored as text, whatever it starts with."""
    cell.value = sheet_value(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"  # openpyxl would otherwise store text starting "=" as a formula


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """Write a table as CSV bytes, UTF-8 with a BOM, formula-like text made inert."""
    buffer = io.StringIO()
    stream_csv(buffer, header, rows)
    return buffer.getvalue().encode("utf-8-sig")


def stream_csv(out: TextIO, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> int:
    """Write a table as CSV text to a stream, row by row, formula-like text made inert.

    Returns how many rows (after the header) were written. Open a binary stream with
    `io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")` for the BOM Excel needs.
    """
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([defuse(name) for name in header])
    count = 0
    for row in rows:
        writer.writerow(["" if cell is None else defuse(cell) for cell in row])
        count += 1
    return count


@dataclass(frozen=True)
class Sheet:
    """One table of a workbook: its sheet's name, header and rows."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Cell]]


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Cell) -> WriteOnlyCell | Cell:
    if not isinstance(value, str):
        return value  # openpyxl writes numbers as numbers and skips None
    cell = WriteOnlyCell(sheet)
    set_cell(cell, value)
    return cell


def write_xlsx(sheets: Iterable[Sheet], *, title: str | None = None) -> bytes:
    """Write tables as a workbook, a sheet each, whose text can never run as a formula."""
    book = Workbook(write_only=True)
    if title is not None:
        book.properties.title = title[:200]
    for table in sheets:
        sheet = book.create_sheet(table.title)
        sheet.append([_xlsx_cell(sheet, name) for name in table.header])
        for row in table.rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
