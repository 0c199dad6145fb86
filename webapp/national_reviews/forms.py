"""Forms for national reviews: the review, a finding, the agencies asked, a gap's action and
the learning. Each field is named as the service's `NationalReviewError.field` names it."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovTextArea, GovTextInput
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from surveys.national_reviews import MAX_STATEMENT
from webapp.forms import GovDateField, GovForm
from webapp.reviews.forms import LearningForm  # one form for learning from any review

__all__ = ["AgenciesForm", "FindingForm", "GapActionForm", "LearningForm", "NationalReviewForm"]


class NationalReviewForm(GovForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the review's title"),
            Length(max=300, message="The title must be 300 characters or fewer"),
        ],
    )
    publisher = StringField(
        "Published by",
        widget=GovTextInput(),
        description="For example, the Child Safeguarding Practice Review Panel",
        validators=[
            InputRequired("Enter who published the review"),
            Length(max=200, message="The publisher must be 200 characters or fewer"),
        ],
    )
    published_on = GovDateField(
        "Date published",
        description="For example, 27 3 2026",
        required_message="Enter the date the review was published",
        name_in_errors="The date published",
    )
    link = StringField(
        "Link to the review",
        widget=GovTextInput(),
        description="Optional. The web address it is published at, starting https://",
        validators=[Length(max=500, message="The link must be 500 characters or fewer")],
    )


class FindingForm(GovForm):
    statement = TextAreaField(
        "Finding",
        widget=GovTextArea(),
        description=(
            f"A short statement, {MAX_STATEMENT} characters or fewer: agencies see it as the "
            "title of the form they answer."
        ),
        validators=[
            InputRequired("Enter the finding"),
            Length(
                max=MAX_STATEMENT,
                message=f"Enter the finding in {MAX_STATEMENT} characters or fewer",
            ),
        ],
    )


class AgenciesForm(GovForm):
    organisations = SelectMultipleField(
        "Which agencies should say how their services measure against the findings?",
        widget=GovCheckboxesInput(),
        coerce=int,
        description="Each answers every finding from its Assessments page.",
    )
    closes_on = GovDateField(
        "Answer by",
        description="For example, 27 3 2027",
        required_message="Enter the date agencies should answer by",
        name_in_errors="The date to answer by",
    )


class GapActionForm(GovForm):
    description = TextAreaField(
        "What the agency will do",
        widget=GovTextArea(),
        validators=[
            InputRequired("Describe the action"),
            Length(max=20000, message="Enter 20,000 characters or fewer"),
        ],
    )
    due_date = GovDateField(
        "Due date",
        description="For example, 27 3 2027",
        required_message="Enter the date the action is due",
        name_in_errors="The due date",
    )
