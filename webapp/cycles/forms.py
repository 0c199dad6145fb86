"""Forms for publishing cycles and adding links."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from webapp.forms import GovDateField, GovForm

LINE_BREAKS = ("\n", "\r", "\t", "\v", "\f", "\x85", "\u2028", "\u2029")


def one_line(form: GovForm, field: StringField) -> None:
    """Refuse line breaks and tabs: a title goes into email subjects and one-line headings."""
    if any(character in (field.data or "") for character in LINE_BREAKS):
        raise ValidationError(f"{field.label.text} must be on one line")


def title_field(description: str | None = None) -> StringField:
    return StringField(
        "Title",
        widget=GovTextInput(),
        description=description,
        validators=[
            DataRequired("Enter a title for this cycle"),  # spaces alone are no title
            Length(max=200, message="Title must be 200 characters or fewer"),
            one_line,
        ],
    )


def opens_on_field(description: str | None = None) -> GovDateField:
    return GovDateField(
        "Opens on",
        description=description,
        required_message="Enter the date the cycle opens",
        name_in_errors="The date the cycle opens",
    )


def closes_on_field(description: str) -> GovDateField:
    return GovDateField(
        "Closes on",
        description=description,
        required_message="Enter the date the cycle closes",
        name_in_errors="The date the cycle closes",
    )


class _OpensBeforeCloses:
    """The closing date must come after the opening date (both forms with the dates)."""

    opens_on: GovDateField

    def validate_closes_on(self, field: GovDateField) -> None:
        if self.opens_on.data and field.data and field.data <= self.opens_on.data:
            raise ValidationError("The closing date must be after the opening date")


class CycleForm(_OpensBeforeCloses, GovForm):
    definition = SelectField(
        "Form", widget=GovSelect(), validators=[InputRequired("Select the form to publish")]
    )
    title = title_field("For example, Section 11 self-assessment 2026 to 2027")
    opens_on = opens_on_field("For example, 27 3 2026")
    closes_on = closes_on_field("Answers are accepted until the end of the day before")
    organisations = SelectMultipleField(
        "Organisations that must return it",
        widget=GovCheckboxesInput(),
        coerce=int,
        description="Only for forms that organisations answer by signing in",
    )
    share_with = SelectMultipleField(
        "Share with other partnerships (optional)",
        widget=GovCheckboxesInput(),
        coerce=int,
        description=(
            "For a regional form agreed with neighbouring partnerships: each is offered to "
            "join, and an organisation that serves several answers one return, signed off once"
        ),
    )
    submit = SubmitField("Publish cycle", widget=GovSubmitInput())


class LinkForm(GovForm):
    label = StringField(
        "Training session or purpose",
        widget=GovTextInput(),
        description="For example, Neglect: recognising and responding, 12 March 2026",
        validators=[
            InputRequired("Enter what this link is for"),
            Length(max=200, message="Enter 200 characters or fewer"),
        ],
    )
    submit = SubmitField("Create link", widget=GovSubmitInput())


class JoinForm(GovForm):
    organisations = SelectMultipleField(
        "Your organisations that must return it",
        widget=GovCheckboxesInput(),
        coerce=int,
        validators=[InputRequired("Select the organisations that must return this form")],
    )
    submit = SubmitField("Join this shared cycle", widget=GovSubmitInput())


class LocalQuestionForm(GovForm):
    label = StringField(
        "Question",
        widget=GovTextInput(),
        description="Organisations answer it in their own words, beside the form's questions",
        validators=[
            DataRequired("Enter the question"),
            Length(max=300, message="The question must be 300 characters or fewer"),
            one_line,
        ],
    )
    hint = StringField(
        "Hint (optional)",
        widget=GovTextInput(),
        validators=[Length(max=600, message="The hint must be 600 characters or fewer"), one_line],
    )
    submit = SubmitField("Add question", widget=GovSubmitInput())


class CycleDatesForm(_OpensBeforeCloses, GovForm):
    title = title_field()
    opens_on = opens_on_field()
    closes_on = closes_on_field(
        "Answers are accepted until the end of the day before. A later date extends the "
        "deadline or reopens a closed cycle"
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class OrganisationsForm(GovForm):
    organisations = SelectMultipleField(
        "Organisations that must return it",
        widget=GovCheckboxesInput(),
        coerce=int,
        description="An organisation that has started its return cannot be removed",
        validators=[InputRequired("Select the organisations that must return this form")],
    )
    submit = SubmitField("Save organisations", widget=GovSubmitInput())


class ExtensionForm(GovForm):
    until = GovDateField(
        "New deadline",
        description="Answers are accepted until the end of the day before",
        required_message="Enter the new deadline",
        name_in_errors="The new deadline",
    )
    submit = SubmitField("Give more time", widget=GovSubmitInput())


class EscalationForm(GovForm):
    organisations = SelectMultipleField(
        "Overdue returns to escalate",
        widget=GovCheckboxesInput(),
        coerce=int,
        validators=[InputRequired("Select the organisations to escalate")],
    )
    until = GovDateField(
        "New date the return is expected by",
        description="Each organisation can go on answering until the end of the day before",
        required_message="Enter the new date the return is expected by",
        name_in_errors="The new date",
    )
    submit = SubmitField("Send overdue reminders", widget=GovSubmitInput())
