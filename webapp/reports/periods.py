"""The period a six-monthly or yearly report covers, read from the query string.

Public API:
    PeriodForm, read_period(args, today), period_errors(form) (six-monthly: two dates)
    YearForm, read_year(args, today), year_errors(chosen) (yearly: a year from April)
    period_of(kind, args, today) -> PeriodForm (`from` and `to`, each kind's default)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from flask import render_template
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from learning.period import Period, last_complete_year, last_six_months, reporting_year
from learning.report_models import ReportKind
from webapp.reports.forms import ReportingYearForm, ReportPeriodForm

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


def _first_box(form: PeriodForm, name: str) -> str:
    field = getattr(form.dates, name, None) if form.dates else None
    parts = field.parts_in_error if field is not None else frozenset()
    return next((part for part in ("day", "month", "year") if part in parts), "day")


def period_errors(form: PeriodForm) -> ResponseReturnValue:
    boxes = {"from": "start", "to": "end"}
    errors = [
        {"text": text, "href": f"#{boxes[name]}-{_first_box(form, boxes[name])}"}
        for name, text in form.errors.items()
    ]
    return render_template("reports/period_error.html", period_form=form, errors=errors), 400


@dataclass
class YearForm:
    """The yearly report's year as chosen, and the form that shows the choice."""

    form: ReportingYearForm
    period: Period | None


def read_year(args: Mapping[str, str], today: date) -> YearForm:
    """Read `year` (the April it starts in); default to the last complete reporting year."""
    latest = last_complete_year(today)
    form = ReportingYearForm(formdata=MultiDict(args) if "year" in args else None, year=latest)
    form.year.choices = [
        (y, f"April {y} to March {y + 1}" + (" (so far)" if y > latest else ""))
        for y in range(latest + 1, latest - 9, -1)
    ]
    if "year" in args and not form.validate():
        form.year.errors = ["Choose a reporting year from the list"]
        return YearForm(form, None)
    return YearForm(form, reporting_year(int(form.year.data or latest)))


def year_errors(chosen: YearForm) -> ResponseReturnValue:
    errors = [{"text": chosen.form.year.errors[0], "href": "#year"}]
    return render_template("reports/year_error.html", year_form=chosen.form, errors=errors), 400


def period_of(kind: ReportKind, args: Mapping[str, str], today: date) -> PeriodForm:
    """Read `from` and `to`; a yearly report without them is the last complete year."""
    if kind is ReportKind.YEARLY and not any(args.get(name) for name in DATE_ERRORS):
        year = reporting_year(last_complete_year(today))
        return PeriodForm({}, period=year)
    return read_period(args, today)
