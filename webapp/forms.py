"""The base form every staff-facing form uses: CSRF, NFC text and no control characters."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from flask_wtf import FlaskForm

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
