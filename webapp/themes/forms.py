"""The quality group's choice of what to theme."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput
from wtforms import SelectMultipleField
from wtforms.validators import ValidationError

from webapp.forms import GovDateField, GovForm


class RunForm(GovForm):
    """What to analyse: streams, cycles, sectors and the dates answers were submitted."""

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

    def validate_date_to(self, field: GovDateField) -> None:
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError(
                "The date answers were submitted up to must be the same as or after the date "
                "they were submitted from"
            )
