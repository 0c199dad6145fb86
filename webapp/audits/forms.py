"""Forms for case audits (programmes, days, cases, agencies, voices, findings) and for the
triage of practice concerns. Fields are named as the services' `AuditError.field` names them,
so a service's message is shown beside its field (`webapp.reviews.forms.show_error`)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length

from surveys.models import FindingKind, TriageStatus
from webapp.forms import GovDateField, GovForm

LONG = [Length(max=20000, message="Enter 20,000 characters or fewer")]


class ProgrammeForm(GovForm):
    title = StringField(
        "Name of the audit programme",
        widget=GovTextInput(),
        description="For example, Multi-agency case audits 2026 to 2027",
        validators=[InputRequired("Enter a name for the audit programme")],
    )
    topics = TextAreaField(
        "Topics",
        widget=GovTextArea(),
        description="The topics the quality group chose, one a line: for example, Neglect",
        validators=[InputRequired("Enter at least one topic, one a line"), *LONG],
    )


class DayForm(GovForm):
    held_on = GovDateField(
        "Date of the audit day",
        description="For example, 12 3 2026",
        required_message="Enter the date of the audit day",
        name_in_errors="The date of the audit day",
    )
    topic = RadioField(
        "Topic",
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired("Select the day’s topic")],
    )


class AgenciesForm(GovForm):
    organisations = SelectMultipleField(
        "Which agencies were involved in the case?",
        widget=GovCheckboxesInput(),
        coerce=int,
        description="Each is emailed and completes the audit tool for this case.",
    )


class CaseForm(GovForm):
    reference = StringField(
        "Audit reference",
        widget=GovTextInput(),
        description=(
            "For example, NEG-2026-01. Never the child’s name or date of birth: the case is "
            "known here by this reference only."
        ),
        validators=[InputRequired("Enter the audit reference")],
    )
    organisations = SelectMultipleField(
        "Which agencies were involved in the case?",
        widget=GovCheckboxesInput(),
        coerce=int,
        description="Each is emailed and completes the audit tool for this case.",
    )


class VoicesForm(GovForm):
    forum_notes = TextAreaField(
        "The practitioner forum’s notes",
        widget=GovTextArea(),
        description="What practitioners who worked with the family said. Use roles, not names.",
        validators=LONG,
    )
    family_views = TextAreaField(
        "The family’s views",
        widget=GovTextArea(),
        description="What the family said when they were visited. Do not write names.",
        validators=LONG,
    )


class FindingForm(GovForm):
    kind = RadioField(
        "What kind of finding is it?",
        widget=GovRadioInput(),
        choices=[(k.value, k.label) for k in FindingKind],
        validate_choice=False,
        validators=[
            InputRequired("Select what kind of finding it is"),
            AnyOf([k.value for k in FindingKind], "Select what kind of finding it is"),
        ],
    )
    day_id = SelectField("Which audit day is it from?", widget=GovSelect(), coerce=int)
    text = TextAreaField(
        "Finding",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the finding"), *LONG],
    )


class LearningForm(GovForm):
    title = StringField(
        "Title for the learning log",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter a title for the learning"),
            Length(max=200, message="The title must be 200 characters or fewer"),
        ],
    )


class TriageForm(GovForm):
    status = RadioField(
        "Where has the concern got to?",
        widget=GovRadioInput(),
        choices=[(s.value, s.label) for s in TriageStatus],
        validate_choice=False,
        validators=[
            InputRequired("Select where the concern has got to"),
            AnyOf([s.value for s in TriageStatus], "Select where the concern has got to"),
        ],
    )
    case_review_id = SelectField(
        "Case review it was referred to",
        widget=GovSelect(),
        coerce=int,
        description="Only if it was referred to a review",
    )
    reason = TextAreaField(
        "Reason or notes",
        widget=GovTextArea(),
        description="Needed when you close a concern",
        validators=LONG,
    )
