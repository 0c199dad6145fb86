"""An entry's one-page learning briefing for practitioners: its page (a preview and the
quality group's wording) and one download per format (PDF, Word), each audited.

Routes on the log blueprint: `briefing` (GET, POST), `briefing_pdf`, `briefing_docx`.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from learning import briefing as briefings
from learning import errors, log
from surveys.models import utcnow
from webapp.database import get_session
from webapp.log.forms import BriefingForm
from webapp.log.views import bp, quality_group
from webapp.reports import charts
from webapp.reports.blocks import Document
from webapp.reports.briefing_layout import PRINT_CLASS, briefing_document
from webapp.reports.downloads import send_document

FORMATS = {"pdf": "PDF", "docx": "Word"}


def _document(entry_id: int) -> Document:
    try:
        found = briefings.briefing_for(get_session(), entry_id, today=utcnow().date())
    except errors.NotFound:
        abort(404)
    return briefing_document(found)


@bp.route("/learning-log/<int:entry_id>/briefing", methods=["GET", "POST"])
@quality_group
def briefing(entry_id: int) -> ResponseReturnValue:
    doc = _document(entry_id)  # 404 before anything is read or saved
    form = BriefingForm(obj=log.get_entry(get_session(), entry_id))
    if form.validate_on_submit():
        wording = briefings.BriefingWording(
            why=form.briefing_why.data or "",
            do=form.briefing_do.data or "",
            questions=form.briefing_questions.data or "",
            more=form.briefing_more.data or "",
        )
        try:
            briefings.change_wording(get_session(), entry_id, wording)
        except errors.InvalidInput as error:  # the form's own checks make this rare
            form.field_for(str(error)).errors.append(str(error))
        else:
            flash("The briefing’s wording has been saved")
            return redirect(url_for("log.briefing", entry_id=entry_id))
    downloads = [
        (f"Download learning briefing ({name})", url_for(f"log.briefing_{fmt}", entry_id=entry_id))
        for fmt, name in FORMATS.items()
    ]
    return render_template(
        "log/briefing.html",
        entry_id=entry_id,
        doc=doc,
        form=form,
        downloads=downloads,
        geometry=charts.geometry,
    ), 400 if form.errors else 200


def _download(fmt: str) -> Callable[[int], ResponseReturnValue]:
    def view(entry_id: int) -> ResponseReturnValue:
        doc = _document(entry_id)
        briefings.record_download(get_session(), entry_id, user_id=g.user.id, fmt=fmt)
        return send_document(doc, fmt, print_class=PRINT_CLASS, compact=True)

    view.__name__ = f"briefing_{fmt}"
    view.__doc__ = f"Download an entry's learning briefing as {FORMATS[fmt]}."
    return quality_group(view)


# One endpoint per format, so each route has its own row in the access matrix.
for _fmt in FORMATS:
    bp.add_url_rule(f"/learning-log/<int:entry_id>/briefing.{_fmt}", view_func=_download(_fmt))
