"""The base form every staff-facing form uses, and the one date field every date uses."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.gov_form_base import GovFormBase
from wtforms import Field, SelectMultipleField
from wtforms.utils import unset_value
from wtforms.validators import StopValidation

# NUL is refused by PostgreSQL text; other C0 controls have no place in a one-line answer.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class GovForm(FlaskForm):
    """Validate as usual, then refuse control characters and store text NFC-normalised."""

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        is_valid = super().validate(extra_validators)
        for field in self:
            if not isinstance(field.data, str):
                continue
            if CONTROL_CHARACTERS.search(field.data):
                field.errors = [
                    *field.errors,
                    f"{field.label.text} must not contain hidden control characters",
                ]
                is_valid = False
            else:
                field.data = unicodedata.normalize("NFC", field.data)
        return is_valid


DATE_PARTS = ("day", "month", "year")


class GovDateParts(GovFormBase):
    """Render a GovDateField as the GOV.UK date input: day, month and year boxes.

    The boxes are named `<name>-day`, `<name>-month` and `<name>-year`; call the field with
    `id=...` to give one form's boxes unique ids when it appears several times on a page.
    """

    template = "govuk_frontend_wtf/date.html"

    def map_gov_params(self, field: GovDateField, **kwargs: Any) -> dict[str, Any]:  # type: ignore[override]
        box_id = kwargs.pop("id", None) or field.name
        params = kwargs.pop("params", {})
        legend = {"text": field.label.text, "classes": "govuk-fieldset__legend--s"}
        values = dict(zip(DATE_PARTS, field.parts, strict=True))
        items = [
            {
                "name": part,
                "label": part.capitalize(),
                "id": f"{box_id}-{part}",
                "value": values[part],
                "classes": " ".join(
                    [
                        "govuk-input--width-4" if part == "year" else "govuk-input--width-2",
                        "govuk-input--error" if part in field.parts_in_error else "",
                    ]
                ).strip(),
            }
            for part in DATE_PARTS
        ]
        base = {
            "id": box_id,
            "namePrefix": field.name,
            "fieldset": {"legend": legend},
            "hint": {"text": field.description} if field.description else None,
            "errorMessage": {"text": field.errors[0]} if field.errors else None,
            "items": items,
        }
        for key, value in params.items():  # the template's own legend, hint or classes win
            base[key] = {**base[key], **value} if isinstance(base.get(key), dict) else value
        return base  # GovFormBase renders the macro, which escapes every value it is given


class GovDateField(Field):
    """A date typed as day, month and year, with the GOV.UK error messages.

    `name_in_errors` starts each message ("The review date must include a month"); the
    label is used if it is not given. Every box keeps what was typed when the page returns.
    """

    widget = GovDateParts()

    def __init__(
        self,
        label: str | None = None,
        validators: Sequence[Any] | None = None,
        *,
        required_message: str | None = None,
        name_in_errors: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.required_message = required_message
        self.name_in_errors = name_in_errors
        self.parts: tuple[str, str, str] = ("", "", "")
        self.parts_in_error: frozenset[str] = frozenset()
        self._problem: tuple[str, frozenset[str]] | None = None

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        super().process(None, data, extra_filters)
        if isinstance(self.data, date):
            self.parts = (str(self.data.day), str(self.data.month), str(self.data.year))
        if formdata is None:
            return
        typed = [str(formdata.get(f"{self.name}-{part}", "")).strip() for part in DATE_PARTS]
        self.parts = (typed[0], typed[1], typed[2])
        self.raw_data = list(self.parts)
        self.data, self._problem = self._read(self.parts)

    def _read(self, parts: tuple[str, str, str]) -> tuple[date | None, Any]:
        name = self.name_in_errors or self.label.text
        missing = [part for part, value in zip(DATE_PARTS, parts, strict=True) if not value]
        if len(missing) == len(DATE_PARTS):
            if self.required_message:
                return None, (self.required_message, frozenset(DATE_PARTS))
            return None, None
        if missing:
            return None, (f"{name} must include a {' and '.join(missing)}", frozenset(missing))
        if not all(value.isdigit() for value in parts):
            return None, (f"{name} must be a real date", frozenset(DATE_PARTS))
        if len(parts[2]) != 4:
            return None, (f"{name} must include a year with 4 numbers", frozenset({"year"}))
        try:
            return date(int(parts[2]), int(parts[1]), int(parts[0])), None
        except (ValueError, OverflowError):  # 31 2 2026, or a day of 99999999999999999999
            return None, (f"{name} must be a real date", frozenset(DATE_PARTS))

    def pre_validate(self, form: Any) -> None:
        if self._problem is None and self.data is None and self.required_message:
            self._problem = (self.required_message, frozenset(DATE_PARTS))  # posted with no form
        if self._problem is not None:
            message, self.parts_in_error = self._problem
            raise StopValidation(message)

    def post_validate(self, form: Any, validation_stopped: bool) -> None:
        if self.errors and not self.parts_in_error:
            self.parts_in_error = frozenset(DATE_PARTS)
        # The error summary links to the first box in error, as GOV.UK asks.
        first = next((p for p in DATE_PARTS if p in self.parts_in_error), "day")
        self.id = f"{self.name}-{first}"


def option_label(value: str) -> str:
    """Return how an enum value reads in a list of options: "in_progress" as "In progress"."""
    return value.replace("_", " ").capitalize()


def first_problem(form: FlaskForm) -> tuple[str, str] | None:
    """Return the first field in error and its message, for a page of several small forms."""
    for name, messages in form.errors.items():
        if messages:
            return name, str(messages[0])
    return None


class IdsField(SelectMultipleField):
    """Ids chosen from a list; anything that is not a number is left out."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = [int(v) for v in valuelist if str(v).isdigit()]

    def pre_validate(self, form: Any) -> None:
        """Accept any ids: the service checks they exist."""
