"""Write a laid-out report as PDF (WeasyPrint, from the print HTML), Word or Excel.

Every piece of user-written text goes in as text: python-docx runs, and Excel cells forced
to the string type with formula prefixes neutralised (`surveys.spreadsheets.set_cell`).
WeasyPrint may read only files under the static folder: nothing is fetched from elsewhere.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill

from surveys.spreadsheets import set_cell
from webapp.reports import charts
from webapp.reports.blocks import Cell, Chart, Document, Facts, Heading, Paragraph, Quotes, Table

STATIC = Path(__file__).resolve().parent.parent / "static"
MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
HIGHLIGHT = PatternFill("solid", fgColor="F4CDC6")


def _local_fetcher() -> Any:
    """Return a WeasyPrint fetcher that reads only files under the static folder."""
    from weasyprint.urls import URLFetcher

    class LocalFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            check_local(url)
            return super().fetch(url, headers)

    return LocalFetcher(allowed_protocols=("file",))


def check_local(url: str) -> None:
    """Refuse any URL but a file under the static folder (fonts, the stylesheet)."""
    parsed = urlparse(url)
    path = Path(unquote(parsed.path)).resolve()
    if parsed.scheme != "file" or not path.is_relative_to(STATIC):
        raise ValueError("reports load only local static files")


def pdf(html: str) -> bytes:
    """Render the print HTML to a tagged PDF with the report stylesheet and local fonts."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher, fonts = _local_fetcher(), FontConfiguration()  # @font-face needs a font config
    stylesheet = CSS(filename=str(STATIC / "reports.css"), url_fetcher=fetcher, font_config=fonts)
    document = HTML(string=html, base_url=str(STATIC) + "/", url_fetcher=fetcher)
    pdf = document.write_pdf(stylesheets=[stylesheet], font_config=fonts, pdf_tags=True)
    return pdf or b""


# Word -------------------------------------------------------------------------------------


def docx(doc: Document, *, compact: bool = False) -> bytes:
    """Write the report as a Word document: headings, tables, charts as pictures, quotes.

    `compact` narrows the margins and the type for a one-page document (a learning briefing).
    """
    from docx import Document as WordDocument
    from docx.shared import Cm

    word = WordDocument()
    if compact:
        _compact(word)
    word.core_properties.title = doc.title
    word.add_heading(doc.title, level=0)
    word.add_paragraph(doc.subtitle)
    for block in doc.blocks:
        if isinstance(block, Heading):
            word.add_heading(block.text, level=min(block.level - 1, 4))
        elif isinstance(block, Paragraph):
            word.add_paragraph(block.text)
        elif isinstance(block, Facts):
            _word_table(word, ("", ""), block.rows, caption=None)
        elif isinstance(block, Table):
            _word_table(word, block.header, block.rows, caption=block.caption)
        elif isinstance(block, Chart):
            word.add_picture(io.BytesIO(charts.png(block)), width=Cm(16))
            _describe_picture(word, f"{block.title}. {block.description}")
            _word_table(word, block.table.header, block.table.rows, caption=block.table.caption)
        elif isinstance(block, Quotes):
            word.add_paragraph(block.title).runs[0].bold = True
            for quote in block.items or (block.empty,):
                word.add_paragraph(f"“{quote}”", style="Quote")
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _compact(word: Any) -> None:
    from docx.shared import Cm, Pt

    for section in word.sections:
        section.top_margin = section.bottom_margin = Cm(1.4)
        section.left_margin = section.right_margin = Cm(1.6)
    sizes = {"Normal": 9.5, "Title": 18, "Heading 1": 12, "Heading 2": 11, "Quote": 9.5}
    for name, size in sizes.items():
        style = word.styles[name]
        style.font.size = Pt(size)
        style.paragraph_format.space_before = Pt(4 if name.startswith("Heading") else 0)
        style.paragraph_format.space_after = Pt(2)


def _word_table(
    word: Any,
    header: tuple[str, ...],
    rows: tuple[tuple[Cell, ...], ...],
    *,
    caption: str | None,
) -> None:
    if caption:
        word.add_paragraph(caption).runs[0].bold = True
    has_header = any(header)
    table = word.add_table(rows=len(rows) + has_header, cols=len(header))
    table.style = "Table Grid"
    if has_header:
        for cell, name in zip(table.rows[0].cells, header, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(_docx_text(name)).bold = True
    for row, values in zip(table.rows[has_header:], rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = _docx_text(value)
    word.add_paragraph()


def _docx_text(value: Cell) -> str:
    """Return text Word's XML can hold (control characters replaced)."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))


def _describe_picture(word: Any, text: str) -> None:
    """Give the last picture alternative text (python-docx has no API for it)."""
    inline = word.inline_shapes[-1]._inline
    inline.docPr.set("descr", text)
    inline.docPr.set("title", text[:100])


# Excel ------------------------------------------------------------------------------------


class _Sheets:
    """Append blocks to named sheets, remembering the next free row of each."""

    def __init__(self, title: str, subtitle: str) -> None:
        self.book = Workbook()
        first: Any = self.book.active
        first.title = "Summary"
        self.rows = {"Summary": 1}
        self.line("Summary", (title,), bold=True)
        self.line("Summary", (subtitle,))
        self.rows["Summary"] += 1

    def sheet(self, name: str) -> Any:
        if name not in self.rows:
            self.book.create_sheet(name)
            self.rows[name] = 1
        return self.book[name]

    def line(
        self, name: str, values: tuple[Cell, ...], *, bold: bool = False, fill: bool = False
    ) -> int:
        sheet, row = self.sheet(name), self.rows[name]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column)
            set_cell(cell, value)  # text, never a formula, whatever it starts with
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if bold:
                cell.font = Font(bold=True)
            if fill:
                cell.fill = HIGHLIGHT
        self.rows[name] = row + 1
        return row

    def table(self, table: Table) -> tuple[int, int]:
        """Write a table under its caption; return its header row and last row."""
        self.line(table.sheet, (table.caption,), bold=True)
        first = self.line(table.sheet, table.header, bold=True)
        for index, values in enumerate(table.rows):
            highlighted = bool(table.highlight) and table.highlight[index]
            self.line(table.sheet, values, fill=highlighted)
        self.rows[table.sheet] += 1
        return first, first + len(table.rows)

    def chart(self, chart: Chart) -> None:
        first, last = self.table(chart.table)
        if last == first:
            return
        sheet = self.sheet(chart.table.sheet)
        bars = BarChart()
        bars.type, bars.title = "bar", chart.title[:200]
        bars.grouping = "stacked" if len(chart.value_columns) > 1 else "clustered"
        if bars.grouping == "stacked":
            bars.overlap = 100
        for column in chart.value_columns:
            data = Reference(sheet, min_col=column + 1, min_row=first, max_row=last)
            bars.add_data(data, titles_from_data=True)
        bars.set_categories(Reference(sheet, min_col=1, min_row=first + 1, max_row=last))
        bars.height, bars.width = max(6, 0.8 * (last - first) + 3), 18
        sheet.add_chart(bars, f"{chr(ord('A') + len(chart.table.header) + 1)}{first}")


def xlsx(doc: Document) -> bytes:
    """Write the report as an Excel workbook, a sheet per part, charts beside their tables."""
    sheets = _Sheets(doc.title, doc.subtitle)
    heading, labelled = "", set()
    for block in doc.blocks:
        sheet = getattr(block, "sheet", None) or getattr(getattr(block, "table", None), "sheet", "")
        if sheet and sheet != "Summary" and (sheet, heading) not in labelled:
            sheets.line(sheet, (heading,), bold=True)  # say which part the rows below belong to
            labelled.add((sheet, heading))
        if isinstance(block, Heading):
            heading = block.text
            sheets.line("Summary", (block.text,), bold=True)
        elif isinstance(block, Paragraph):
            sheets.line("Summary", (block.text,))
        elif isinstance(block, Facts):
            for values in block.rows:
                sheets.line(block.sheet, values)
            sheets.rows[block.sheet] += 1
        elif isinstance(block, Table):
            sheets.table(block)
        elif isinstance(block, Chart):
            sheets.chart(block)
        elif isinstance(block, Quotes):
            if "Quotes" not in sheets.rows:
                sheets.line("Quotes", ("Theme", "Tone", "Quote"), bold=True)
            for quote in block.items:
                sheets.line("Quotes", (block.theme, block.tone or "typical", quote))
    for sheet in sheets.book.worksheets:
        sheet.column_dimensions["A"].width = 45
        for letter in "BCDEFGH":
            sheet.column_dimensions[letter].width = 22
    buffer = io.BytesIO()
    sheets.book.save(buffer)
    return buffer.getvalue()
