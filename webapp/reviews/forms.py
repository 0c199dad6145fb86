"""Forms for case reviews: the notification, agencies asked, meetings, the decision, the local
review, recommendations and their actions, learning, and the restricted case details.

Each field is named as the service's `CaseReviewError.field` names it, so a service's message
is shown beside its field (`show_error`).
"""

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

from surveys.errors import CaseReviewError
from surveys.models import PublicationDecision, ReviewDecision
from webapp.forms import GovDateField, GovForm

FOR_EXAMPLE = "For example, 27 3 2026"
LONG = [Length(max=20000, message="Enter 20,000 characters or fewer")]


def _optional_date(label: str, hint: str = FOR_EXAMPLE) -> GovDateField:
    return GovDateField(
        label, description=hint, name_in_errors=f"The {label[0].lower()}{label[1:]}"
    )


def _date(label: str, required: str, hint: str = FOR_EXAMPLE) -> GovDateField:
    return GovDateField(
        label,
        description=hint,
        required_message=required,
        name_in_errors=f"The {label[0].lower()}{label[1:]}",
    )


class NotificationForm(GovForm):
    reference = StringField(
        "Review reference",
        widget=GovTextInput(),
        description="For example, RR-2026-003. Never the child’s name.",
        validators=[InputRequired("Enter the review reference")],
    )
    became_aware_on = _date(
        "Date the partnership became aware of the incident",
        "Enter the date the partnership became aware of the incident",
    )
    incident_summary = TextAreaField(
        "What happened",
        widget=GovTextArea(),
        description=(
            "A few lines, without names: the child’s details are recorded separately and seen "
            "only by case review officers."
        ),
        validators=LONG,
    )
    owner_id = SelectField("Who owns this review", widget=GovSelect(), coerce=int)
    panel_notified_on = _optional_date(
        "Date the national panel was notified", "Leave blank if it has not been notified yet"
    )
    ofsted_notified_on = _optional_date("Date Ofsted was told", "Leave blank if not yet")


class AgenciesForm(GovForm):
    organisations = SelectMultipleField(
        "Which agencies must send an information return?",
        widget=GovCheckboxesInput(),
        coerce=int,
        description="Each answers the rapid review information form from its Assessments page.",
    )


class MeetingForm(GovForm):
    held_on = _date("Date of the meeting", "Enter the date of the meeting")
    attended_by = TextAreaField(
        "Who attended",
        widget=GovTextArea(),
        description="Agencies and roles",
        validators=[InputRequired("Enter who attended (agencies and roles)"), *LONG],
    )
    notes = TextAreaField("What the meeting found", widget=GovTextArea(), validators=LONG)


class DecisionForm(GovForm):
    decision = RadioField(
        "What did the rapid review decide?",
        widget=GovRadioInput(),
        choices=[(d.value, d.label) for d in ReviewDecision],
        validate_choice=False,
        validators=[
            InputRequired("Select what the rapid review decided"),
            AnyOf([d.value for d in ReviewDecision], "Select what the rapid review decided"),
        ],
    )
    reasons = TextAreaField(
        "Reasons for the decision",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the reasons for the decision"), *LONG],
    )
    decided_on = _date("Date of the decision", "Enter the date of the decision")
    peer_challenge = TextAreaField(
        "Peer challenge",
        widget=GovTextArea(),
        description="Who was asked to challenge the decision, and what they said",
        validators=LONG,
    )
    panel_view = TextAreaField("The national panel’s view", widget=GovTextArea(), validators=LONG)


class LocalReviewForm(GovForm):
    terms_of_reference = TextAreaField("Terms of reference", widget=GovTextArea(), validators=LONG)
    lead_reviewer = StringField(
        "Lead reviewer",
        widget=GovTextInput(),
        validators=[Length(max=200, message="Enter 200 characters or fewer")],
    )
    lead_reviewer_is_independent = RadioField(
        "Is the lead reviewer independent of the agencies involved?",
        widget=GovRadioInput(),
        choices=[("yes", "Yes"), ("no", "No")],
        validate_choice=False,
    )
    agencies_involved = TextAreaField("Agencies involved", widget=GovTextArea(), validators=LONG)
    practitioners_involved = TextAreaField(
        "Practitioners involved",
        widget=GovTextArea(),
        description="Roles and agencies, and how they took part",
        validators=LONG,
    )
    family_involvement = TextAreaField(
        "How the family was involved", widget=GovTextArea(), validators=LONG
    )
    publication_decision = RadioField(
        "Publication decision",
        widget=GovRadioInput(),
        choices=[(d.value, d.label) for d in PublicationDecision],
        validate_choice=False,
    )
    publication_reasons = TextAreaField(
        "Reasons for the publication decision", widget=GovTextArea(), validators=LONG
    )
    published_on = _optional_date("Date published")
    published_until = _optional_date(
        "Published until", "At least 12 months after it was published. For example, 27 3 2027"
    )


class RecommendationForm(GovForm):
    text = TextAreaField(
        "Recommendation",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the recommendation"), *LONG],
    )


class RecommendationActionForm(GovForm):
    organisation = SelectField("Organisation responsible", widget=GovSelect(), coerce=int)
    due_date = _date("Due date", "Enter the date the action is due")


class LearningForm(GovForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter a title for the learning"),
            Length(max=200, message="The title must be 200 characters or fewer"),
        ],
    )
    lesson = TextAreaField(
        "What has been learnt",
        widget=GovTextArea(),
        validators=[InputRequired("Describe what has been learnt"), *LONG],
    )


class CaseDetailsForm(GovForm):
    child_name = StringField(
        "Child’s name",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the child’s name"),
            Length(max=200, message="Enter 200 characters or fewer"),
        ],
    )
    date_of_birth = _optional_date("Date of birth")
    address = TextAreaField("Address", widget=GovTextArea(), validators=LONG)
    ethnicity = StringField(
        "Ethnicity",
        widget=GovTextInput(),
        description="As recorded by children’s social care",
        validators=[Length(max=100, message="Enter 100 characters or fewer")],
    )
    remove_on = _date(
        "Remove these details on",
        "Enter the date to remove these details",
        "They are deleted on this date. For example, 27 3 2033",
    )


def show_error(form: GovForm, error: CaseReviewError) -> None:
    """Show a service's message beside the field it is about (or the first field)."""
    field = form._fields.get(error.field or "") or next(
        f for f in form if f.type not in ("CSRFTokenField", "HiddenField")
    )
    field.errors = [*field.errors, str(error)]
