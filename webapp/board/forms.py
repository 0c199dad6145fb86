"""Forms for the board: place a theme or an entry in a column, move an item, and say why.

Public API: `PlaceForm`, `MoveForm`.
"""

from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from learning.models import BoardColumn
from webapp.forms import GovForm


class PlaceForm(GovForm):
    """The column something goes in, and the quality group's reasons."""

    column = SelectField(
        "Column", choices=[(c.value, c.label) for c in BoardColumn], validate_choice=False
    )
    why = TextAreaField("Why")

    def validate_column(self, field: SelectField) -> None:
        if field.data not in {c.value for c in BoardColumn}:
            raise ValidationError("Select Created, Stabilised or Changed")


class MoveForm(PlaceForm):
    """A move on the board: the column, the priority in it (1 is highest) and why."""

    priority = StringField("Priority (1 is highest)")

    def validate_priority(self, field: StringField) -> None:
        typed = (field.data or "").strip()
        if typed and not (typed.isdigit() and 1 <= int(typed) <= 10_000):
            raise ValidationError("Enter the priority as a whole number, like 1")

    @property
    def priority_number(self) -> int | None:
        """Return the priority typed, or None to keep the item at the end of its column."""
        typed = (self.priority.data or "").strip()
        return int(typed) if typed else None
