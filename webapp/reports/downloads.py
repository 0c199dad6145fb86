"""Send a laid-out Document as a download: PDF from the print page, Word or Excel.

Public API:
    send_document(doc, fmt, *, print_class="", compact=False) -> a download response
    print_html(doc, *, print_class="") -> the page WeasyPrint lays out
"""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from surveys.models import utcnow
from webapp.reports import charts, render
from webapp.reports.blocks import Document, day


def send_document(
    doc: Document, fmt: str, *, print_class: str = "", compact: bool = False
) -> ResponseReturnValue:
    """Answer with the document in `fmt` ("pdf", "docx" or "xlsx") as an attachment.

    `print_class` adds a layout's own print rules to the PDF; `compact` is Word's equivalent
    for a one-page document (narrow margins, small type).
    """
    if fmt == "pdf":
        body = render.pdf(print_html(doc, print_class=print_class))
    else:
        body = render.docx(doc, compact=compact) if fmt == "docx" else render.xlsx(doc)
    headers = {
        "Content-Type": render.MIME[fmt],
        "Content-Disposition": f"attachment; filename={doc.filename}.{fmt}",
    }
    return body, 200, headers


def print_html(doc: Document, *, print_class: str = "") -> str:
    """Return the page WeasyPrint lays out (`print_class` adds a layout's own print rules)."""
    return render_template(
        "reports/print.html",
        doc=doc,
        geometry=charts.geometry,
        produced_on=day(utcnow()),
        print_class=print_class,
    )
