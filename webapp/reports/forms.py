"""The reports' forms: the six-monthly period, the reporting year, the quality group's written
sections, the chair's sign-off and reopening a signed-off report."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextArea, GovTextInput
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from webapp.forms import GovDateField, GovForm

SECTION_LIMIT = 10_000


class ReportPeriodForm(GovForm):
    """Start and end dates of the report; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    start = GovDateField("Start date", description="For example, 1 6 2026")
    end = GovDateField("End date", description="For example, 30 11 2026")


class ReportingYearForm(GovForm):
    """The yearly report's year, April to March; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    year = SelectField(
        "Reporting year",
        widget=GovSelect(),
        coerce=int,
        validate_choice=True,
    )


def _section(label: str, hint: str) -> TextAreaField:
    return TextAreaField(
        label,
        widget=GovTextArea(),
        description=hint,
        validators=[
            Length(
                max=SECTION_LIMIT,
                message=f"{label} must be {SECTION_LIMIT:,} characters or fewer",
            )
        ],
    )


class NarrativeForm(GovForm):
    """The quality group's own sections of a report."""

    summary = _section("Summary", "What the executive most needs to know about this period")
    learned = _section("What we learned", "The lessons the evidence shows")
    will_do = _section("What we will do", "The actions the partnership will take, and who leads")
    changed = _section(
        "What changed since last time", "What is different because of the last report's actions"
    )


class SignOffForm(GovForm):
    """The chair's sign-off, recorded by a member of the quality group."""

    chair_name = StringField(
        "Chair's name",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the chair's name"),
            Length(max=200, message="The chair's name must be 200 characters or fewer"),
        ],
    )
    chair_role = StringField(
        "Role or title",
        widget=GovTextInput(),
        description="For example, Independent Chair",
        validators=[
            InputRequired("Enter the chair's role or title"),
            Length(max=200, message="The role or title must be 200 characters or fewer"),
        ],
    )
    signed_on = GovDateField(
        "Date of sign-off",
        description="For example, 30 11 2026",
        required_message="Enter the date the chair signed off the report",
        name_in_errors="The date of sign-off",
    )


class ReopenForm(GovForm):
    """Reopen a signed-off report (a button, with its CSRF token)."""
