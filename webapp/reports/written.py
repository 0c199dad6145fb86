"""The quality group's written sections of a six-monthly or yearly report, the chair's
sign-off, and reopening a signed-off report. One set of routes per kind of report, so each has
its own row in the access matrix; the period is the report's `from` and `to`.

Public API:
    register(bp, allowed): add the routes to the reports blueprint
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from learning import narratives
from learning.errors import InvalidInput
from learning.narratives import NarrativeLocked, NarrativeText, SignOff
from learning.period import Period
from learning.report_models import ReportKind
from surveys.models import utcnow
from webapp.database import get_session
from webapp.reports.blocks import day
from webapp.reports.forms import NarrativeForm, ReopenForm, SignOffForm
from webapp.reports.periods import period_errors, period_of

SLUGS = {ReportKind.SIX_MONTHLY: "six_monthly", ReportKind.YEARLY: "yearly"}
NAMES = {ReportKind.SIX_MONTHLY: "six-monthly report", ReportKind.YEARLY: "yearly report"}


def _report_url(kind: ReportKind, period: Period) -> str:
    if kind is ReportKind.YEARLY:
        return url_for("reports.yearly", year=period.start.year)
    return url_for("reports.six_monthly", **{"from": period.start, "to": period.end})


def _context(kind: ReportKind, period: Period) -> dict[str, Any]:
    return {
        "kind": kind,
        "report_name": NAMES[kind],
        "period_text": f"{day(period.start)} to {day(period.end)}",
        "report_url": _report_url(kind, period),
        "args": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "prefix": f"reports.{SLUGS[kind]}",
    }


def _period(kind: ReportKind) -> Period | ResponseReturnValue:
    found = period_of(kind, request.args, utcnow().date())
    return found.period if found.period is not None else period_errors(found)


def _written(kind: ReportKind) -> Callable[[], ResponseReturnValue]:
    def view() -> ResponseReturnValue:
        period = _period(kind)
        if not isinstance(period, Period):
            return period
        session = get_session()
        current = narratives.narrative_of(session, kind, period)
        form = NarrativeForm(data=current.text.__dict__)
        context = _context(kind, period) | {"narrative": current, "reopen_form": ReopenForm()}
        if request.method == "POST" and form.validate_on_submit():
            text = NarrativeText(**{name: form[name].data or "" for name, _ in narratives.SECTIONS})
            try:
                narratives.save_narrative(session, kind, period, text, edited_by=g.user)
            except NarrativeLocked as error:  # signed off meanwhile: nothing saved, say so
                context["narrative"] = narratives.narrative_of(session, kind, period)
                errors = [{"text": str(error), "href": "#reopen"}]
                page = render_template("reports/written.html", form=form, errors=errors, **context)
                return page, 409
            except InvalidInput as error:
                form.summary.errors = [*form.summary.errors, str(error)]
            else:
                flash("The quality group’s sections are saved")
                return redirect(context["report_url"])
        status = 400 if form.errors else 200
        return render_template("reports/written.html", form=form, **context), status

    view.__name__ = f"{SLUGS[kind]}_written"
    view.__doc__ = f"Write the quality group's sections of the {NAMES[kind]}."
    return view


def _sign_off(kind: ReportKind) -> Callable[[], ResponseReturnValue]:
    def view() -> ResponseReturnValue:
        period = _period(kind)
        if not isinstance(period, Period):
            return period
        session = get_session()
        current = narratives.narrative_of(session, kind, period)
        form = SignOffForm()
        context = _context(kind, period) | {"narrative": current}
        if current.text.is_empty:  # nothing to sign off yet: the page says what to do first
            status = 400 if request.method == "POST" else 200
            return render_template("reports/sign_off.html", form=form, **context), status
        if request.method == "POST" and form.validate_on_submit():
            signed = SignOff(form.chair_name.data, form.chair_role.data, form.signed_on.data)
            try:
                narratives.sign_off(session, kind, period, signed, recorded_by=g.user)
            except (InvalidInput, NarrativeLocked) as error:
                problem = str(error)
                box = form.signed_on if "date" in problem else form.chair_name
                box.errors = [*box.errors, problem]
            else:
                flash("The chair’s sign-off is recorded")
                return redirect(_report_url(kind, period))
        if request.method == "GET" and form.signed_on.data is None:
            form.signed_on.process(None, utcnow().date())
        status = 400 if form.errors else 200
        return render_template("reports/sign_off.html", form=form, **context), status

    view.__name__ = f"{SLUGS[kind]}_sign_off"
    view.__doc__ = f"Record the chair's sign-off of the {NAMES[kind]}."
    return view


def _reopen(kind: ReportKind) -> Callable[[], ResponseReturnValue]:
    def view() -> ResponseReturnValue:
        period = _period(kind)
        if not isinstance(period, Period):
            return period
        if ReopenForm().validate_on_submit():
            try:
                narratives.reopen(get_session(), kind, period, reopened_by=g.user)
            except InvalidInput as error:
                flash(str(error), "error")
            else:
                flash("The report is reopened: the chair’s sign-off is cleared")
        return redirect(_report_url(kind, period))

    view.__name__ = f"{SLUGS[kind]}_reopen"
    view.__doc__ = f"Reopen the signed-off {NAMES[kind]}, clearing the sign-off."
    return view


def register(bp: Blueprint, allowed: Callable[[Any], Any]) -> None:
    """Add the written-section, sign-off and reopen routes of each kind of report."""
    for kind, slug in SLUGS.items():
        path = f"/{slug.replace('_', '-')}"
        both = ["GET", "POST"]
        bp.add_url_rule(f"{path}/written", view_func=allowed(_written(kind)), methods=both)
        bp.add_url_rule(f"{path}/sign-off", view_func=allowed(_sign_off(kind)), methods=both)
        bp.add_url_rule(f"{path}/reopen", view_func=allowed(_reopen(kind)), methods=["POST"])
