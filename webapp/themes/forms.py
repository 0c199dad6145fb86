"""The quality group's forms: what to theme, and the edits to a theme.

Public API: `RunForm`, `RenameForm`, `MergeForm`, `MoveStatementsForm`, `EDIT_FORMS`.
"""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput
from wtforms import RadioField, SelectMultipleField, StringField
from wtforms.validators import Optional, ValidationError

from webapp.forms import GovDateField, GovForm, IdsField

RUN_MODES = [
    ("update", "Update the themes with new answers"),
    ("full", "Re-theme everything"),
]


class RunForm(GovForm):
    """What to analyse: streams, cycles, sectors and the dates answers were submitted, and
    whether to update the latest run over the same choices or re-theme everything."""

    streams = SelectMultipleField(
        "Evidence streams", widget=GovCheckboxesInput(), description="Select all that apply"
    )
    cycles = SelectMultipleField("Cycles", widget=GovCheckboxesInput(), coerce=int)
    sectors = SelectMultipleField("Sectors", widget=GovCheckboxesInput())
    date_from = GovDateField(
        "Answers submitted from",
        description="For example, 31 1 2026",
        name_in_errors="The date answers were submitted from",
    )
    date_to = GovDateField(
        "Answers submitted up to",
        name_in_errors="The date answers were submitted up to",
    )

    mode = RadioField(
        "How to find the themes",
        widget=GovRadioInput(),
        choices=RUN_MODES,
        default="update",
        validators=[Optional()],
    )

    def validate_date_to(self, field: GovDateField) -> None:
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError(
                "The date answers were submitted up to must be the same as or after the date "
                "they were submitted from"
            )


class RenameForm(GovForm):
    """A theme's new name (the service checks its length and wording)."""

    label = StringField("Rename")


class MergeForm(GovForm):
    """The other themes of the run to merge into this one."""

    others = IdsField("Merge other themes into this one", coerce=int)

    def validate_others(self, field: IdsField) -> None:
        if not field.data:
            raise ValidationError("Select the themes to merge into this one")


class MoveStatementsForm(GovForm):
    """Statements of this theme to move, and the theme of the same run to move them to."""

    statements = IdsField("Select statements to move", coerce=int)
    to_theme = StringField("Move them to")

    def validate_statements(self, field: IdsField) -> None:
        if not field.data or not (self.to_theme.data or "").isdigit():
            raise ValidationError("Select statements and the theme to move them to")


EDIT_FORMS: dict[str, type[GovForm]] = {
    "rename": RenameForm,
    "merge": MergeForm,
    "move": MoveStatementsForm,
    "split": GovForm,
    "discard": GovForm,
}
