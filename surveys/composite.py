"""WTForms fields that read more than one posted name: date, confidence pair, file, group.

Public API:
    DatePartsField: `<id>-day`, `<id>-month`, `<id>-year` -> ISO date text.
    ConfidencePairField: `<id>-before`, `<id>-after` -> {"before": n, "after": n}.
    UploadField: the files of a question, a list of {"filename", "content_type", "size",
        "file_id"}: a new upload (or several, `multiple`) is added to the list kept from
        before, and `<id>-remove` names files to take off it (stored_files reads the list).
    RepeatingGroupField: rows `<id>-<n>-<field>`; `<id>-add` asks for one more row.

Each composite field has `is_blank`; parts fields also have `parts` (the raw text to show
again), `problem` (the GOV.UK message) and `error_anchor` (the input an error links to).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import date
from typing import Any

from wtforms import Form
from wtforms.fields import Field, FieldList
from wtforms.utils import unset_value

from surveys.definition import Question
from surveys.validators import clean_text, is_blank

_PART_MAX = 20
_MONTHS = {
    name: number
    for number, month in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"],
        start=1,
    )
    for name in (month, month[:3])
}  # fmt: skip
_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_CONTROL_OR_SEPARATOR = re.compile(r"[\x00-\x1f\x7f/\\]")


def _posted_part(formdata: Any, name: str) -> str:
    values = formdata.getlist(name)
    value = clean_text(values[0]) if values else None
    return (value or "")[:_PART_MAX]


class PartsField(Field):
    """A question answered through several inputs named `<id>-<part>`."""

    part_names: tuple[str, ...] = ()

    def __init__(
        self, label: str | None = None, validators: Any = None, *, question: Question, **kwargs: Any
    ):
        super().__init__(label, validators, **kwargs)
        self.question = question
        self.parts: dict[str, str] = dict.fromkeys(self.part_names, "")
        self.problem: str | None = None
        self.problem_part: str | None = None

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        """Read the parts from posted data, or from a stored answer when nothing was posted."""
        self.process_errors: list[str] = []
        self.object_data = None if data is unset_value else data
        if formdata is not None:
            self.parts = {
                part: _posted_part(formdata, f"{self.name}-{part}") for part in self.part_names
            }
            self.raw_data = list(self.parts.values())
        else:
            self.parts = self.parts_from_answer(self.object_data)
        self.data, self.problem, self.problem_part = self.parse(self.parts)

    @property
    def is_blank(self) -> bool:
        return not any(self.parts.values())

    @property
    def error_anchor(self) -> str:
        return f"{self.id}-{self.problem_part or self.part_names[0]}"

    def parts_from_answer(self, answer: Any) -> dict[str, str]:
        raise NotImplementedError

    def parse(self, parts: dict[str, str]) -> tuple[Any, str | None, str | None]:
        raise NotImplementedError


def _whole(text: str, max_digits: int) -> int | None:
    if not text.isascii() or not text.isdigit() or len(text) > max_digits:
        return None
    return int(text)


class DatePartsField(PartsField):
    """A GOV.UK date input; data is the ISO date text once the parts make a real date."""

    part_names = ("day", "month", "year")

    def parts_from_answer(self, answer: Any) -> dict[str, str]:
        match = _ISO_DATE.match(answer) if isinstance(answer, str) else None
        if match is None:
            return dict.fromkeys(self.part_names, "")
        year, month, day = match.groups()
        return {"day": str(int(day)), "month": str(int(month)), "year": year}

    def parse(self, parts: dict[str, str]) -> tuple[str | None, str | None, str | None]:
        missing = [part for part in self.part_names if not parts[part]]
        if len(missing) == len(self.part_names):
            return None, None, None
        if missing:
            return None, f"Date must include a {' and '.join(missing)}", missing[0]
        day = _whole(parts["day"], 2)
        month = _MONTHS.get(parts["month"].lower()) or _whole(parts["month"], 2)
        year = _whole(parts["year"], 4)
        if year is None or len(parts["year"]) != 4:
            return None, "Year must include 4 numbers", "year"
        try:
            value = date(year, month or 0, day or 0)
        except ValueError:
            return None, "Date must be a real date", "day"
        return value.isoformat(), self._range_problem(value), "day"

    def _range_problem(self, value: date) -> str | None:
        rules = self.question.validation
        if rules.not_in_future and value > date.today():
            return rules.error_too_large or "Date must be today or in the past"
        if rules.not_in_past and value < date.today():
            return rules.error_too_small or "Date must be today or in the future"
        return None


class ConfidencePairField(PartsField):
    """Two ratings on one scale: before and after (e.g. a course)."""

    part_names = ("before", "after")

    def parts_from_answer(self, answer: Any) -> dict[str, str]:
        if not isinstance(answer, dict):
            return dict.fromkeys(self.part_names, "")
        return {part: str(answer.get(part, "")) for part in self.part_names}

    def parse(self, parts: dict[str, str]) -> tuple[dict[str, int] | None, str | None, str | None]:
        pair = self.question.confidence
        assert pair is not None  # guaranteed by the definition's validation
        levels = {str(level.value): level.value for level in pair.levels}
        if not any(parts.values()):
            return None, None, None
        messages = {
            "before": pair.error_before
            or self.question.error_required
            or "Select a rating for before",
            "after": pair.error_after
            or self.question.error_required
            or "Select a rating for after",
        }
        for part in self.part_names:
            if parts[part] not in levels:
                return None, messages[part], part
        return {part: levels[parts[part]] for part in self.part_names}, None, None


def _is_upload(value: Any) -> bool:
    name = getattr(value, "filename", None)
    return isinstance(name, str) and bool(name) and hasattr(value, "read")


def _safe_filename(name: str) -> str:
    base = re.split(r"[/\\]", name)[-1]
    base = unicodedata.normalize("NFC", _CONTROL_OR_SEPARATOR.sub("", base)).strip()
    return base.encode("utf-8", "ignore").decode("utf-8")[:200] or "upload"


def _upload_size(upload: Any) -> int:
    stream = getattr(upload, "stream", upload)
    try:
        position = stream.tell()
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(position)
        return int(size)
    except (AttributeError, OSError, ValueError, TypeError):
        length = getattr(upload, "content_length", 0)
        return length if isinstance(length, int) else 0


def describe_upload(upload: Any) -> dict[str, Any]:
    """Return the stored metadata of an uploaded file: safe name, type and size in bytes."""
    kind = getattr(upload, "mimetype", None) or getattr(upload, "content_type", None)
    kind = kind if isinstance(kind, str) and kind.isascii() else "application/octet-stream"
    return {
        "filename": _safe_filename(upload.filename),
        "content_type": kind[:100],
        "size": _upload_size(upload),
    }


def stored_files(answer: Any) -> list[dict[str, Any]]:
    """Return the files of a file answer: a list, oldest first (one stored before several were
    kept is a single dict)."""
    items = [answer] if isinstance(answer, dict) else answer if isinstance(answer, list) else []
    return [i for i in items if isinstance(i, dict) and isinstance(i.get("filename"), str)]


def file_key(file: dict[str, Any], index: int) -> str:
    """Return what a Remove checkbox posts for a file: its id, or its place for one without."""
    file_id = file.get("file_id")
    return str(file_id) if isinstance(file_id, int) else f"n{index}"


class UploadField(Field):
    """A file input that keeps a list of files: new uploads are added, ticked ones removed.

    `uploads` are the new file objects (the app stores their bytes), `new_files` their
    metadata at the end of `data`, and `removed` the files taken off this time.
    """

    uploads: list[Any]
    new_files: list[dict[str, Any]]
    removed: list[dict[str, Any]]

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self.removed = []
        super().process(formdata, data, extra_filters)
        if formdata is None:
            return
        ticked = set(formdata.getlist(f"{self.name}-remove"))
        keep = [(file_key(f, i) not in ticked, f) for i, f in enumerate(self.data)]
        self.removed = [file for kept, file in keep if not kept]
        self.data = [file for kept, file in keep if kept]

    def process_data(self, value: Any) -> None:
        self.uploads, self.new_files = [], []
        self.data = stored_files(value)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.uploads = [value for value in valuelist if _is_upload(value)]
        self.new_files = [describe_upload(upload) for upload in self.uploads]

    @property
    def files(self) -> list[dict[str, Any]]:
        """Return the question's files after this post: kept ones, then new ones."""
        return [*self.data, *self.new_files]

    @property
    def is_blank(self) -> bool:
        return not self.files

    def _value(self) -> str:
        return ""


class RepeatingGroupField(FieldList):
    """Rows of sub-fields; blank rows are ignored, filled rows are validated."""

    def __init__(
        self, unbound_field: Any, label: str | None = None, *, question: Question, **kwargs: Any
    ):
        min_entries = max(question.min_rows, 1)
        super().__init__(
            unbound_field, label, min_entries=min_entries, max_entries=question.max_rows, **kwargs
        )
        self.question = question
        self.is_adding_row = False

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        """Read posted rows (or stored rows), then add a row if `<id>-add` was pressed."""
        rows = data if isinstance(data, list) else []
        rows = [row if isinstance(row, dict) else {} for row in rows][: self.question.max_rows]
        super().process(formdata, rows or unset_value, extra_filters)
        self.is_adding_row = formdata is not None and bool(formdata.getlist(f"{self.name}-add"))
        if self.is_adding_row and len(self.entries) < self.question.max_rows:
            self.append_entry()

    def _extract_indices(self, prefix: str, formdata: Any) -> Iterator[int]:
        # Strict ASCII indices: int() of "²" or a 5,000-digit key would raise.
        pattern = re.compile(rf"^{re.escape(prefix)}-([0-9]{{1,3}})-")
        for key in formdata:
            match = pattern.match(key) if isinstance(key, str) else None
            if match is not None:
                yield int(match[1])

    def filled_rows(self) -> list[Any]:
        """Return the row entries that hold at least one answer."""
        return [entry for entry in self.entries if not all(is_blank(sub) for sub in entry.form)]

    @property
    def is_blank(self) -> bool:
        return not self.filled_rows()

    def validate(self, form: Form, extra_validators: Any = ()) -> bool:
        """Validate filled rows, then the number of rows."""
        filled = {id(entry) for entry in self.filled_rows()}
        self.errors = []
        for entry in self.entries:
            self.errors.append(
                entry.errors if id(entry) in filled and not entry.validate(form) else {}
            )
        if not any(self.errors):
            self.errors = []
        needed = self.question.min_rows or (1 if self.question.required else 0)
        if len(filled) < needed:
            default = f"Add at least {needed} {'row' if needed == 1 else 'rows'}"
            message = self.question.error_required if not filled else None
            self.errors.append(message or default)
        return not self.errors
