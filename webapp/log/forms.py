"""Forms for the learning log: an entry, and the search over entries.

Public API: `EntryForm`, `SearchForm`, `BriefingForm`.
"""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextArea, GovTextInput
from wtforms import Form, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from learning.briefing import LIMITS, MAX_QUESTIONS
from learning.models import EntryStatus, SourceKind
from surveys.definition import Stream
from webapp.forms import GovDateField, GovForm, IdsField, option_label


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
        choices=[(k.value, option_label(k.value)) for k in SourceKind],
        default=SourceKind.STREAM.value,
    )
    source_stream = SelectField(
        "Evidence stream",
        widget=GovSelect(),
        choices=[("", "None"), *[(s.value, option_label(s.value)) for s in Stream]],
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
        choices=[(s.value, option_label(s.value)) for s in EntryStatus],
        default=EntryStatus.OPEN.value,
    )
    review_date = GovDateField(
        "Review date", description="For example, 30 9 2026", name_in_errors="The review date"
    )

    organisations = IdsField("Organisations", coerce=int)

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


class SearchForm(Form):
    """The learning log's filters, read from the query string: words, stream and status.

    A filter that is not one of the choices is ignored, as a search should be forgiving.
    """

    q = StringField("Search")
    stream = SelectField("Stream", choices=[("", "Any"), *[(s.value, s.value) for s in Stream]])
    status = SelectField(
        "Status", choices=[("", "Any"), *[(s.value, s.value) for s in EntryStatus]]
    )

    @property
    def text(self) -> str | None:
        return (self.q.data or "").strip() or None

    @property
    def stream_value(self) -> str | None:
        return self.stream.data or None

    @property
    def status_value(self) -> str | None:
        return self.status.data if self.status.data in {s.value for s in EntryStatus} else None

    def as_args(self) -> dict[str, str]:
        """Return the filters typed, for the page's links and the search boxes."""
        return {f.name: f.data for f in (self.q, self.stream, self.status) if f.data}


def _wording(label: str, key: str, hint: str) -> TextAreaField:
    limit = LIMITS[key]
    return TextAreaField(
        label,
        widget=GovTextArea(),
        description=f"{hint} Up to {limit} characters.",
        validators=[Length(max=limit, message=f"{label} must be {limit} characters or fewer")],
    )


class BriefingForm(GovForm):
    """The learning briefing's words for practitioners; a box left empty is worded for you."""

    briefing_why = _wording(
        "Why it matters", "why", "Leave empty to say where the learning came from."
    )
    briefing_do = _wording(
        "What to do differently", "do", "Leave empty to use the entry’s recommended action."
    )
    briefing_questions = _wording(
        "Questions to reflect on",
        "questions",
        f"One question on each line, {MAX_QUESTIONS} at most. Leave empty for three general ones.",
    )
    briefing_more = _wording(
        "Where to find out more", "more", "Leave empty to point to the learning log."
    )

    def field_for(self, message: str) -> TextAreaField:
        """Return the box a service's message is about, to show it beside that box."""
        if "questions" in message:
            return self.briefing_questions
        for field in (self.briefing_do, self.briefing_more):
            if message.startswith(str(field.label.text)):
                return field
        return self.briefing_why

    def validate_briefing_questions(self, field: TextAreaField) -> None:
        lines = [line for line in (field.data or "").splitlines() if line.strip()]
        if len(lines) > MAX_QUESTIONS:
            raise ValidationError(f"Write {MAX_QUESTIONS} questions or fewer, one on each line")
