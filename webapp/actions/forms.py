"""Forms for actions: a new action for an organisation, and an update on its progress.

Public API: `ActionForm`, `ProgressForm`, `new_action_form`.
"""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextArea
from sqlalchemy.orm import Session
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import InputRequired

from learning.models import ActionStatus
from surveys import organisations
from webapp.forms import GovDateField, GovForm, option_label


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


def new_action_form(session: Session, *, is_posted: bool = False) -> ActionForm:
    """Return the action form: bound to the request only when it is the form being posted."""
    form = ActionForm() if is_posted else ActionForm(formdata=None)
    form.organisation.choices = [
        (o.id, o.name) for o in organisations.list_organisations(session, include_inactive=False)
    ]
    return form


class ProgressForm(GovForm):
    """An update on an action's progress, its status and any evidence of impact."""

    text = TextAreaField("Progress update", widget=GovTextArea())
    status = SelectField(
        "Status",
        widget=GovSelect(),
        choices=[(s.value, option_label(s.value)) for s in ActionStatus],
    )
    impact = TextAreaField("Evidence of impact (optional)", widget=GovTextArea())
