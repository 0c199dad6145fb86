"""Forms for publishing cycles and adding links."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import DateField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from webapp.forms import GovForm

LINE_BREAKS = ("\n", "\r", "\t", "\v", "\f", "\x85", "\u2028", "\u2029")


class DayMonthYearField(DateField):
    """A GOV.UK date input read from its three parts; a post without them is simply blank."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if len(valuelist) != 3:  # the page always sends day, month and year: this post did not
            self.raw_data = [*valuelist, "", "", ""][:3]
        super().process_formdata(self.raw_data or [])


def one_line(form: GovForm, field: StringField) -> None:
    """Refuse line breaks and tabs: a title goes into email subjects and one-line headings."""
    if any(character in (field.data or "") for character in LINE_BREAKS):
        raise ValidationError(f"{field.label.text} must be on one line")


class CycleForm(GovForm):
    definition = SelectField(
        "Form", widget=GovSelect(), validators=[InputRequired("Select the form to publish")]
    )
    title = StringField(
        "Title",
        widget=GovTextInput(),
        description="For example, Section 11 self-assessment 2026 to 2027",
        validators=[
            DataRequired("Enter a title for this cycle"),  # spaces alone are no title
            Length(max=200, message="Title must be 200 characters or fewer"),
            one_line,
        ],
    )
    opens_on = DayMonthYearField(
        "Opens on",
        widget=GovDateInput(),
        format="%d %m %Y",
        description="For example, 27 3 2026",
        validators=[InputRequired("Enter the date the cycle opens")],
        invalid_value_message="The date the cycle opens must be a real date",
    )
    closes_on = DayMonthYearField(
        "Closes on",
        widget=GovDateInput(),
        format="%d %m %Y",
        description="Answers are accepted until the end of the day before",
        validators=[InputRequired("Enter the date the cycle closes")],
        invalid_value_message="The date the cycle closes must be a real date",
    )
    organisations = SelectMultipleField(
        "Organisations that must return it",
        widget=GovCheckboxesInput(),
        coerce=int,
        description="Only for forms that organisations answer by signing in",
    )
    submit = SubmitField("Publish cycle", widget=GovSubmitInput())

    def validate_closes_on(self, field: DateField) -> None:
        if self.opens_on.data and field.data and field.data <= self.opens_on.data:
            raise ValidationError("The closing date must be after the opening date")


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
