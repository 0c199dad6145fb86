"""Reports for the quality group: the theme report of a run, the six-monthly and yearly
reports (`period_layout`, with the group's written sections and sign-off: `written`) and a
Section 11 / 175 cycle's findings report.

Each report is one Document of blocks (webapp.reports.blocks) shown as a page or downloaded as
PDF, Word or Excel, so every format carries the same figures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue

from learning.errors import NotFound
from learning.findings import findings_report
from learning.narratives import written_reports
from learning.period import Period, last_complete_year, last_six_months, reporting_year
from learning.period_report import PeriodReport, six_monthly_report, yearly_report
from learning.report_models import ReportKind
from learning.run_report import finished_runs, run_report
from surveys.models import Role, utcnow
from webapp.access import roles
from webapp.database import get_session
from webapp.findings.views import rated_cycle_or_404
from webapp.form_pages import definition_of, definitions
from webapp.reports import charts, written
from webapp.reports.blocks import Document
from webapp.reports.downloads import send_document
from webapp.reports.findings_layout import findings_document
from webapp.reports.forms import ReopenForm
from webapp.reports.period_layout import period_document
from webapp.reports.periods import PeriodForm, period_errors, read_period, read_year, year_errors
from webapp.reports.run_layout import run_document

bp = Blueprint("reports", __name__, url_prefix="/reports")
allowed = roles(Role.QUALITY_GROUP, Role.PARTNERSHIP_ADMIN)
REPORT_ENDPOINTS = {
    ReportKind.SIX_MONTHLY: "reports.six_monthly",
    ReportKind.YEARLY: "reports.yearly",
}
FORMATS = {"pdf": "PDF", "docx": "Word document", "xlsx": "Excel workbook"}


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
    today = utcnow().date()
    return render_template(
        "reports/index.html",
        runs=finished_runs(get_session()),
        written=written_reports(get_session()),
        six_months=last_six_months(today),
        year=reporting_year(last_complete_year(today)),
        endpoints={
            ReportKind.SIX_MONTHLY: "reports.six_monthly",
            ReportKind.YEARLY: "reports.yearly",
        },
    )


@bp.get("/runs/<int:run_id>")
@allowed
def run(run_id: int) -> ResponseReturnValue:
    return _page(_run_document(run_id), "reports.run", {"run_id": run_id})


def period_report_of(kind: ReportKind, period: Period) -> PeriodReport:
    """Build the six-monthly or yearly report of a period."""
    build = six_monthly_report if kind is ReportKind.SIX_MONTHLY else yearly_report
    return build(get_session(), period, registry=definitions(), today=utcnow().date())


def _six_monthly_document(form: PeriodForm) -> Document:
    assert form.period is not None
    return period_document(period_report_of(ReportKind.SIX_MONTHLY, form.period))


def _report_page(kind: ReportKind, period: Period, **context: Any) -> str:
    """The report's page, with its written sections' status and what may be done next."""
    report = period_report_of(kind, period)
    query = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    endpoint = "reports.six_monthly" if kind is ReportKind.SIX_MONTHLY else "reports.yearly"
    args = query if kind is ReportKind.SIX_MONTHLY else {"year": period.start.year}
    return _page(
        period_document(report),
        endpoint,
        args,
        report=report,
        written_args=query,
        written_prefix=endpoint,
        reopen_form=ReopenForm(),
        **context,
    )


@bp.get("/six-monthly")
@allowed
def six_monthly() -> ResponseReturnValue:
    form = read_period(request.args, utcnow().date())
    if form.errors:
        return period_errors(form)
    assert form.period is not None
    return _report_page(ReportKind.SIX_MONTHLY, form.period, period_form=form)


@bp.get("/yearly")
@allowed
def yearly() -> ResponseReturnValue:
    chosen = read_year(request.args, utcnow().date())
    if chosen.period is None:
        return year_errors(chosen)
    return _report_page(ReportKind.YEARLY, chosen.period, year_form=chosen.form)


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
            return period_errors(form)
        return send_document(_six_monthly_document(form), fmt)

    view.__name__ = f"six_monthly_{fmt}"
    view.__doc__ = f"Download the six-monthly report as {FORMATS[fmt]}."
    return allowed(view)


def _yearly_download(fmt: str) -> Callable[[], ResponseReturnValue]:
    def view() -> ResponseReturnValue:
        chosen = read_year(request.args, utcnow().date())
        if chosen.period is None:
            return year_errors(chosen)
        return send_document(
            period_document(period_report_of(ReportKind.YEARLY, chosen.period)), fmt
        )

    view.__name__ = f"yearly_{fmt}"
    view.__doc__ = f"Download the yearly report as {FORMATS[fmt]}."
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
    bp.add_url_rule(f"/yearly.{_fmt}", view_func=_yearly_download(_fmt))
    bp.add_url_rule(f"/cycles/<int:cycle_id>/findings.{_fmt}", view_func=_findings_download(_fmt))


written.register(bp, allowed)  # the group's sections, the chair's sign-off, reopening
