"""Forms for platform admins: a new partnership and an invitation to administer one."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import EmailField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length

from webapp.forms import GovForm


class AdminForm(GovForm):
    admin_name = StringField(
        "Full name of its partnership admin",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the partnership admin’s full name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    admin_email = EmailField(
        "Email address of its partnership admin",
        widget=GovTextInput(),
        description="We will email them an invitation. If they already use Learning Loop, "
        "the partnership is added to their account",
        validators=[
            InputRequired("Enter the partnership admin’s email address"),
            Email(
                "Enter an email address in the correct format, like name@example.com",
                check_deliverability=False,
            ),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class PartnershipForm(AdminForm):
    name = StringField(
        "Partnership name",
        widget=GovTextInput(),
        description="As it appears on every page and form, like Riverside Safeguarding "
        "Children Partnership",
        validators=[
            InputRequired("Enter the partnership’s name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    front_door_name = StringField(
        "Name of its front door",
        widget=GovTextInput(),
        description="The children’s services contact point named on child and family forms, "
        "like Riverside Children’s Front Door",
        validators=[Length(max=200, message="Name must be 200 characters or fewer")],
    )
    front_door_phone = StringField(
        "Front door telephone number",
        widget=GovTextInput(),
        validators=[Length(max=40, message="Telephone number must be 40 characters or fewer")],
    )
    submit = SubmitField("Add partnership", widget=GovSubmitInput())
