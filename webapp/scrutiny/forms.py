"""Forms of the scrutiny pages: decide on a standard, close a challenge, give feedback, name
reviewers, record a meeting and its outcomes, and an organisation's answer.

Forms that share a page carry a prefix, so every field id on the page is its own and the
error summary links to the right one.
"""

from __future__ import annotations

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from surveys import ratings
from surveys.definition import Question
from surveys.models import ChallengeKind, MeetingKind
from webapp.forms import GovDateField, GovForm, IdsField

LONG_TEXT = Length(max=10_000, message="Enter 10,000 characters or fewer")


class AcceptForm(GovForm):
    submit = SubmitField("Accept this standard", widget=GovSubmitInput())


class ChallengeForm(GovForm):
    kind = RadioField(
        "What are you asking for?",
        widget=GovRadioInput(),
        choices=[(kind.value, kind.label) for kind in ChallengeKind],
        validators=[InputRequired("Select whether you are asking a question or for evidence")],
    )
    question = TextAreaField(
        "Your question or request",
        widget=GovTextArea(),
        description="The organisation reads this and answers it in Learning Loop",
        validators=[InputRequired("Enter your question for the organisation"), LONG_TEXT],
    )
    submit = SubmitField("Send the challenge", widget=GovSubmitInput())


class ModerationForm(GovForm):
    rating = RadioField(
        "Moderated rating",
        widget=GovRadioInput(),
        validators=[InputRequired("Select the moderated rating")],
    )
    reason = TextAreaField(
        "Why is the rating moderated?",
        widget=GovTextArea(),
        description="The organisation sees this beside its own rating",
        validators=[InputRequired("Enter why the rating is moderated"), LONG_TEXT],
    )
    submit = SubmitField("Save the moderated rating", widget=GovSubmitInput())


def moderation_form(question: Question, **kwargs: object) -> ModerationForm:
    """The moderation form of a standard, offering the levels of its own rating scale."""
    form = ModerationForm(prefix="moderation", **kwargs)  # type: ignore[arg-type]
    scale = question.scale
    assert scale is not None
    choices = [(level.value, level.label) for level in scale.levels]
    if scale.allow_not_applicable:
        choices.append((ratings.NOT_APPLICABLE, scale.not_applicable_label or "Not applicable"))
    form.rating.choices = choices
    return form


class CloseChallengeForm(GovForm):
    outcome = TextAreaField(
        "Outcome",
        widget=GovTextArea(),
        description="For example, what the answer showed, or what was agreed",
        validators=[InputRequired("Enter the outcome of the challenge"), LONG_TEXT],
    )
    submit = SubmitField("Close the challenge", widget=GovSubmitInput())


class AssureForm(GovForm):
    submit = SubmitField("Mark the return as assured", widget=GovSubmitInput())


class FeedbackForm(GovForm):
    feedback = TextAreaField(
        "Feedback to the organisation",
        widget=GovTextArea(),
        description=(
            "What the partnership found: strengths, what must improve, and what happens next. "
            "The organisation's leads are emailed that feedback has been given (the email "
            "does not include it)"
        ),
        validators=[InputRequired("Enter your feedback to the organisation"), LONG_TEXT],
    )
    submit = SubmitField("Give feedback", widget=GovSubmitInput())


class CycleReviewersForm(GovForm):
    people = IdsField(
        "Reviewers for this cycle",
        widget=GovCheckboxesInput(),
        description=(
            "They may review this cycle's returns, except their own organisation's. People "
            "with the return reviewer role review every cycle"
        ),
    )
    submit = SubmitField("Save reviewers", widget=GovSubmitInput())


class MeetingForm(GovForm):
    kind = RadioField(
        "Type of meeting",
        widget=GovRadioInput(),
        choices=[(kind.value, kind.label) for kind in MeetingKind],
        validators=[InputRequired("Select the type of meeting")],
    )
    held_on = GovDateField(
        "Date held",
        description="For example, 14 3 2027",
        required_message="Enter the date the meeting was held",
        name_in_errors="The date held",
    )
    attendees = TextAreaField(
        "Who attended",
        widget=GovTextArea(),
        description="One person a line, with their organisation or role",
        validators=[InputRequired("Enter who attended"), LONG_TEXT],
    )
    cycle = SelectField("Cycle discussed (optional)", widget=GovSelect(), coerce=str)
    organisations = IdsField("Organisations covered", widget=GovCheckboxesInput())
    submit = SubmitField("Record the meeting", widget=GovSubmitInput())


class OutcomeForm(GovForm):
    outcome = TextAreaField(
        "Outcome",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the outcome for this organisation"), LONG_TEXT],
    )
    submit = SubmitField("Save the outcome", widget=GovSubmitInput())


class AnswerForm(GovForm):
    answer = TextAreaField(
        "Your answer",
        widget=GovTextArea(),
        description="Do not include the names of children or families",
        validators=[InputRequired("Enter your answer"), LONG_TEXT],
    )
    evidence = FileField(
        "Upload evidence (optional)",
        widget=GovFileInput(),
        description=(
            "A PDF, DOCX, XLSX, PPTX, ODT, ODS, CSV, TXT, PNG or JPG file, smaller than 10MB"
        ),
    )
    submit = SubmitField("Send your answer", widget=GovSubmitInput())


def _stripped(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class ProposalForm(GovForm):
    """An organisation's action for a standard of its return: what, who leads it, by when."""

    description = TextAreaField(
        "What will you do?",
        widget=GovTextArea(),
        description="The partnership’s reviewer reads this and agrees it with you",
        filters=[_stripped],
        validators=[DataRequired("Describe the action"), LONG_TEXT],
    )
    owner = StringField(
        "Who will lead it?",
        widget=GovTextInput(),
        description="A role, not a name. For example, Head of Safeguarding",
        filters=[_stripped],
        validators=[
            DataRequired("Enter who will lead the action"),
            Length(max=200, message="Enter 200 characters or fewer"),
        ],
    )
    due_date = GovDateField(
        "When will it be done?",
        description="For example, 31 3 2027",
        required_message="Enter the date the action is due",
        name_in_errors="The due date",
    )
    challenge = HiddenField()
    submit = SubmitField("Propose the action", widget=GovSubmitInput())

    def field_for(self, message: str) -> TextAreaField | StringField | GovDateField:
        """Return the field a service's message is about."""
        if "lead" in message:
            return self.owner
        return self.due_date if "date" in message else self.description


class AgreeForm(GovForm):
    submit = SubmitField("Agree this action", widget=GovSubmitInput())
