"""Forms for managing organisations and users."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    Email,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

from surveys.models import OrganisationKind, Role, Sector
from webapp.forms import GovForm

SECTOR_CHOICES = [(sector.value, sector.label) for sector in Sector]
KIND_CHOICES = [(kind.value, kind.label) for kind in OrganisationKind]
ROLE_CHOICES = [(role.value, role.label) for role in Role]
ROLE_HINTS = {
    Role.PARTNERSHIP_ADMIN: "Manages organisations, people, cycles and API tokens",
    Role.QUALITY_GROUP: "Finds themes, keeps the learning log and board, agrees actions",
    Role.ORGANISATION_LEAD: "Signs off and submits their organisation’s returns",
    Role.ORGANISATION_CONTRIBUTOR: "Fills in their organisation’s returns",
    Role.SAFEGUARDING_LEAD: "Reviews possible disclosures",
    Role.REVIEWER: (
        "Scrutinises organisations’ Section 11 and 175 returns: challenges, moderates "
        "ratings and gives feedback, never on their own organisation’s"
    ),
    Role.CASE_REVIEWER: "Works on case reviews, with access to case details",
    Role.TRAINING_LEAD: (
        "Runs the training programme: courses, sessions, attendance, training forms’ "
        "answers and the training dashboard, and nothing else"
    ),
}
# The checkboxes' hints, in the order of ROLE_CHOICES (for the template).
ROLE_ITEMS = [{"hint": {"text": ROLE_HINTS[role]}} for role in Role]


class OrganisationForm(GovForm):
    name = StringField(
        "Organisation name",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the organisation’s name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    kind = RadioField(
        "Type of organisation",
        widget=GovRadioInput(),
        choices=KIND_CHOICES,
        validators=[InputRequired("Select the type of organisation")],
    )
    sector = SelectField(
        "Sector",
        widget=GovSelect(),
        choices=SECTOR_CHOICES,
        validators=[InputRequired("Select the sector")],
    )
    submit = SubmitField("Save organisation", widget=GovSubmitInput())


def _needed_with_a_name(form: EditOrganisationForm, field: EmailField) -> None:
    if (form.senior_contact_name.data or "").strip() and not (field.data or "").strip():
        raise StopValidation("Enter the senior contact’s email address")


class EditOrganisationForm(OrganisationForm):
    is_active = BooleanField(
        "Active in this partnership (its people can work in it and it is sent assessments)",
        widget=GovCheckboxInput(),
    )
    senior_contact_name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[Length(max=200, message="Name must be 200 characters or fewer")],
    )
    senior_contact_job = StringField(
        "Job title (optional)",
        widget=GovTextInput(),
        description="For example, Director of Nursing or Chief Superintendent",
        validators=[Length(max=200, message="Job title must be 200 characters or fewer")],
    )
    senior_contact_email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            _needed_with_a_name,
            Optional(),
            Email(
                "Enter an email address in the correct format, like name@example.com",
                check_deliverability=False,
            ),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )

    def validate_senior_contact_name(self, field: StringField) -> None:
        if self.senior_contact_email.data and not (field.data or "").strip():
            raise ValidationError("Enter the senior contact’s name")


class UserForm(GovForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the person’s full name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    roles = SelectMultipleField(
        "Roles",
        widget=GovCheckboxesInput(),
        choices=ROLE_CHOICES,
        description=(
            "Select all that apply: at most one of organisation lead and organisation "
            "contributor, for the organisation below"
        ),
        validators=[InputRequired("Select at least one role")],
    )
    organisation_id = SelectField(
        "Organisation",
        widget=GovSelect(),
        coerce=str,
        description=(
            "For organisation leads and contributors. For a return reviewer, the organisation "
            "they work for: they never review its returns"
        ),
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class InviteUserForm(UserForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the person’s email address"),
            Email(
                "Enter an email address in the correct format, like name@example.com",
                check_deliverability=False,
            ),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class EditUserForm(UserForm):
    is_active = BooleanField("Active in this partnership", widget=GovCheckboxInput())


class ApiTokenForm(GovForm):
    name = StringField(
        "What will use this token?",
        widget=GovTextInput(),
        description="For example, the ICB’s reporting dashboard",
        validators=[
            InputRequired("Enter what will use this token"),
            Length(max=200, message="Enter 200 characters or fewer"),
        ],
    )
    submit = SubmitField("Create token", widget=GovSubmitInput())
