"""Reports for the quality group: the theme report of a run, the six-monthly report and a
Section 11 / 175 cycle's findings report.

Each report is one Document of blocks (webapp.reports.blocks) shown as a page or downloaded as
PDF, Word or Excel, so every format carries the same figures.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from learning.errors import NotFound
from learning.findings import findings_report
from learning.run_report import finished_runs, run_report
from learning.six_monthly import Period, last_six_months, six_monthly_report
from surveys.models import Role, utcnow
from webapp.access import roles
from webapp.database import get_session
from webapp.findings.views import rated_cycle_or_404
from webapp.form_pages import definition_of, definitions
from webapp.reports import charts
from webapp.reports.blocks import Document
from webapp.reports.downloads import send_document
from webapp.reports.findings_layout import findings_document
from webapp.reports.forms import ReportPeriodForm
from webapp.reports.run_layout import run_document
from webapp.reports.six_monthly_layout import six_monthly_document

bp = Blueprint("reports", __name__, url_prefix="/reports")
allowed = roles(Role.QUALITY_GROUP, Role.PARTNERSHIP_ADMIN)
FORMATS = {"pdf": "PDF", "docx": "Word document", "xlsx": "Excel workbook"}
DATE_ERRORS = {"from": "Start date", "to": "End date"}


@dataclass
class PeriodForm:
    """The six-monthly report's period as typed, and what is wrong with it."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    period: Period | None = None
    dates: ReportPeriodForm | None = None  # the day, month and year boxes people type in


def read_period(args: Mapping[str, str], today: date) -> PeriodForm:
    """Read the period: typed day, month and year boxes, or `from` and `to` (YYYY-MM-DD) from
    the report's own links; default to the last six months."""
    if any(key.startswith(("start-", "end-")) for key in args):
        return _read_typed_period(args, today)
    form = PeriodForm({name: args.get(name, "").strip()[:40] for name in DATE_ERRORS})
    default = last_six_months(today)
    days = {"from": default.start, "to": default.end}
    for name, label in DATE_ERRORS.items():
        if not form.values[name]:
            continue
        try:
            days[name] = date.fromisoformat(form.values[name])
        except ValueError:
            form.errors[name] = f"{label} must be a real date, for example 2026-05-31"
    if not form.errors and days["to"] < days["from"]:
        form.errors["to"] = "End date must be the same as or after the start date"
    if not form.errors:
        form.period = Period(days["from"], days["to"])
    form.dates = ReportPeriodForm(formdata=None, data={"start": days["from"], "end": days["to"]})
    for name, message in form.errors.items():
        box = form.dates.start if name == "from" else form.dates.end
        box.errors = [message]
    return form


def _read_typed_period(args: Mapping[str, str], today: date) -> PeriodForm:
    dates = ReportPeriodForm(formdata=MultiDict(args))
    dates.validate()
    default = last_six_months(today)
    start, end = dates.start.data or default.start, dates.end.data or default.end
    form = PeriodForm({}, dates=dates)
    for name, box in (("from", dates.start), ("to", dates.end)):
        if box.errors:
            form.errors[name] = box.errors[0]
    if not form.errors and end < start:
        form.errors["to"] = "End date must be the same as or after the start date"
        dates.end.errors = [form.errors["to"]]
    if not form.errors:
        form.period = Period(start, end)
    return form


def _page(doc: Document, endpoint: str, args: dict[str, Any], **context: Any) -> str:
    downloads = [
        (f"Download as {name} ({fmt.upper()})", url_for(f"{endpoint}_{fmt}", **args))
        for fmt, name in FORMATS.items()
    ]
    return render_template(
        "reports/document.html", doc=doc, geometry=charts.geometry, downloads=downloads, **context
    )


def _run_document(run_id: int) -> Document:
    try:
        return run_document(run_report(get_session(), run_id))
    except NotFound:
        abort(404)


@bp.get("/")
@allowed
def index() -> ResponseReturnValue:
    return render_template("reports/index.html", runs=finished_runs(get_session()))


@bp.get("/runs/<int:run_id>")
@allowed
def run(run_id: int) -> ResponseReturnValue:
    return _page(_run_document(run_id), "reports.run", {"run_id": run_id})


def _six_monthly_document(form: PeriodForm) -> Document:
    assert form.period is not None
    report = six_monthly_report(
        get_session(), form.period, registry=definitions(), today=utcnow().date()
    )
    return six_monthly_document(report)


def _first_box(form: PeriodForm, name: str) -> str:
    field = getattr(form.dates, name, None) if form.dates else None
    parts = field.parts_in_error if field is not None else frozenset()
    return next((part for part in ("day", "month", "year") if part in parts), "day")


def _period_errors(form: PeriodForm) -> ResponseReturnValue:
    boxes = {"from": "start", "to": "end"}
    errors = [
        {"text": text, "href": f"#{boxes[name]}-{_first_box(form, boxes[name])}"}
        for name, text in form.errors.items()
    ]
    return render_template("reports/period_error.html", period_form=form, errors=errors), 400


@bp.get("/six-monthly")
@allowed
def six_monthly() -> ResponseReturnValue:
    form = read_period(request.args, utcnow().date())
    if form.errors:
        return _period_errors(form)
    assert form.period is not None
    query = {"from": form.period.start.isoformat(), "to": form.period.end.isoformat()}
    doc = _six_monthly_document(form)
    return _page(doc, "reports.six_monthly", query, period_form=form)


def _run_download(fmt: str) -> Callable[[int], ResponseReturnValue]:
    def view(run_id: int) -> ResponseReturnValue:
        return send_document(_run_document(run_id), fmt)

    view.__name__ = f"run_{fmt}"
    view.__doc__ = f"Download a run's theme report as {FORMATS[fmt]}."
    return allowed(view)


def _six_monthly_download(fmt: str) -> Callable[[], ResponseReturnValue]:
    def view() -> ResponseReturnValue:
        form = read_period(request.args, utcnow().date())
        if form.errors:
            return _period_errors(form)
        return send_document(_six_monthly_document(form), fmt)

    view.__name__ = f"six_monthly_{fmt}"
    view.__doc__ = f"Download the six-monthly report as {FORMATS[fmt]}."
    return allowed(view)


def _findings_document(cycle_id: int) -> Document:
    cycle = rated_cycle_or_404(cycle_id)
    report = findings_report(
        get_session(), cycle, definition_of(cycle), definitions(), today=utcnow().date()
    )
    return findings_document(report)


@bp.get("/cycles/<int:cycle_id>/findings")
@allowed
def findings(cycle_id: int) -> ResponseReturnValue:
    back = (
        "Back to ratings by organisation and standard",
        url_for("findings.grid", cycle_id=cycle_id),
    )
    return _page(
        _findings_document(cycle_id), "reports.findings", {"cycle_id": cycle_id}, back=back
    )


def _findings_download(fmt: str) -> Callable[[int], ResponseReturnValue]:
    def view(cycle_id: int) -> ResponseReturnValue:
        return send_document(_findings_document(cycle_id), fmt)

    view.__name__ = f"findings_{fmt}"
    view.__doc__ = f"Download a cycle's findings report as {FORMATS[fmt]}."
    return allowed(view)


# One endpoint per format, so each route has its own row in the access matrix.
for _fmt in FORMATS:
    bp.add_url_rule(f"/runs/<int:run_id>.{_fmt}", view_func=_run_download(_fmt))
    bp.add_url_rule(f"/six-monthly.{_fmt}", view_func=_six_monthly_download(_fmt))
    bp.add_url_rule(f"/cycles/<int:cycle_id>/findings.{_fmt}", view_func=_findings_download(_fmt))
