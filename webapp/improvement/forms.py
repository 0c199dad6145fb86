"""Forms for the learning log, actions and their progress."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextArea, GovTextInput
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from learning.models import ActionStatus, EntryStatus, SourceKind
from surveys.definition import Stream
from webapp.forms import GovDateField, GovForm


def _label(value: str) -> str:
    return value.replace("_", " ").capitalize()


class EntryForm(GovForm):
    """A learning log entry: what was learnt, where from, who owns it and when to review it."""

    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter a title for the learning"),
            Length(max=200, message="The title must be 200 characters or fewer"),
        ],
    )
    lesson = TextAreaField(
        "Lesson", widget=GovTextArea(), description="What has been learnt, in a sentence or two"
    )
    source_kind = SelectField(
        "Where it came from",
        widget=GovSelect(),
        choices=[(k.value, _label(k.value)) for k in SourceKind],
        default=SourceKind.STREAM.value,
    )
    source_stream = SelectField(
        "Evidence stream",
        widget=GovSelect(),
        choices=[("", "None"), *[(s.value, _label(s.value)) for s in Stream]],
        validate_choice=False,
    )
    source_detail = StringField(
        "Review, cycle or source",
        widget=GovTextInput(),
        description="For example, a case review’s name",
    )
    entry_date = GovDateField(
        "Date", description="For example, 31 3 2026", required_message="Enter the date"
    )
    recommended_action = TextAreaField("Recommended action", widget=GovTextArea())
    owner = StringField("Owner", widget=GovTextInput())
    status = SelectField(
        "Status",
        widget=GovSelect(),
        choices=[(s.value, _label(s.value)) for s in EntryStatus],
        default=EntryStatus.OPEN.value,
    )
    review_date = GovDateField(
        "Review date", description="For example, 30 9 2026", name_in_errors="The review date"
    )

    def validate_source_stream(self, field: SelectField) -> None:
        if self.source_kind.data == SourceKind.STREAM.value and not field.data:
            raise ValidationError("Select the evidence stream the learning came from")

    def validate_source_detail(self, field: StringField) -> None:
        if self.source_kind.data == SourceKind.OTHER.value and not (field.data or "").strip():
            raise ValidationError("Say where the learning came from")

    def field_for(self, message: str) -> StringField | SelectField:
        """Return the field a service's message is about, to show it beside that field."""
        if "stream" in message:
            return self.source_stream
        if "where the learning came from" in message:
            return self.source_detail
        return self.title


class ActionForm(GovForm):
    """A new action for an organisation, from a board item or a learning log entry."""

    description = TextAreaField(
        "What must be done",
        widget=GovTextArea(),
        validators=[InputRequired("Describe the action")],
    )
    organisation = SelectField("Organisation responsible", widget=GovSelect(), coerce=int)
    due_date = GovDateField(
        "Due date",
        description="For example, 30 9 2026",
        required_message="Enter the date the action is due",
        name_in_errors="The due date",
    )
    entry = HiddenField()
    board_item = HiddenField()

    def field_for(self, message: str) -> TextAreaField | SelectField:
        """Return the field a service's message is about."""
        return self.organisation if "organisation" in message else self.description


class ProgressForm(GovForm):
    """An update on an action's progress, its status and any evidence of impact."""

    text = TextAreaField("Progress update", widget=GovTextArea())
    status = SelectField(
        "Status", widget=GovSelect(), choices=[(s.value, _label(s.value)) for s in ActionStatus]
    )
    impact = TextAreaField("Evidence of impact (optional)", widget=GovTextArea())
