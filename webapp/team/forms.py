"""Forms an organisation lead uses for their team: the admin's invitation, limited."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.validators import InputRequired

from surveys.models import Role
from webapp.admin.forms import InviteUserForm
from webapp.forms import GovForm

TEAM_ROLE_CHOICES = [
    (
        Role.ORGANISATION_CONTRIBUTOR.value,
        "Contributor: fills in returns and sends them to a lead to sign off",
    ),
    (
        Role.ORGANISATION_LEAD.value,
        "Lead: also signs off and submits returns, and manages the team",
    ),
]


ROLE_ERROR = "Select whether they will be a contributor or a lead"


class TeamInviteForm(InviteUserForm):
    """The partnership admin's invitation for a lead: one of their own organisation's two roles."""

    role = RadioField(
        "What will they do?",
        widget=GovRadioInput(),
        choices=TEAM_ROLE_CHOICES,
        validators=[InputRequired(ROLE_ERROR)],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.roles  # one organisation role, chosen above
        del self.organisation_id  # always the lead's own


class TeamMemberForm(GovForm):
    is_active = RadioField(
        "Can they work on your organisation’s returns?",
        widget=GovRadioInput(),
        choices=[
            ("yes", "Yes, they are in the team"),
            ("no", "No, deactivate them: they can no longer sign in to work for it"),
        ],
        validators=[InputRequired("Select whether they can work on your organisation’s returns")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())
