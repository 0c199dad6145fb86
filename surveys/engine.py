"""The form engine: page forms, the answers they hold, and what is shown.

Public API (no Flask; `answers` is always the response's {question_id: stored answer}):
    FIELD_BUILDERS: QuestionType -> builder(question) -> unbound WTForms field.
    build_page_form(page, formdata=None, *, answers=None, base=wtforms.Form) -> PageForm
    answers_from_form(page, form) -> dict[str, JSONValue]
    form_errors(form) -> list[tuple[str, str]]  (input id to link to, message)
    visible_pages(definition, answers) -> list[Page]
    visible_questions(definition, answers) -> list[Question]
    visible_answers(definition, answers) -> dict[str, JSONValue]: drops hidden questions' answers.
    summary_rows(definition, answers) -> list[SummaryRow]
The last four ask one thing once; a respondent's page, next, previous and progress come from
one `surveys.journey.Journey`, worked out once per request.

A question whose show_if names a question on an earlier page is left out of the page form
when the condition fails; one whose show_if names a question on the same page stays in the
form (for a GOV.UK conditional reveal) and is validated only when the posted answer shows it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from wtforms import Form

from surveys.answer_types import FIELD_BUILDERS, answer_type, build_field
from surveys.answers import answer_from_field, form_value
from surveys.definition import JSONValue, Page, Question, SurveyDefinition
from surveys.journey import Journey, SummaryRow
from surveys.validators import is_blank

__all__ = [
    "FIELD_BUILDERS",
    "PageForm",
    "answers_from_form",
    "build_page_form",
    "form_errors",
    "summary_rows",
    "visible_answers",
    "visible_pages",
    "visible_questions",
]

logger = logging.getLogger(__name__)
Answers = Mapping[str, JSONValue]


def visible_pages(definition: SurveyDefinition, answers: Answers) -> list[Page]:
    """Return the pages to show, in order, given the answers so far."""
    return list(Journey(definition, answers).pages)


def visible_questions(definition: SurveyDefinition, answers: Answers) -> list[Question]:
    """Return the questions to show, in order, given the answers so far."""
    return list(Journey(definition, answers).questions)


def visible_answers(definition: SurveyDefinition, answers: Answers) -> dict[str, JSONValue]:
    """Return only the answers of questions that are shown (what a submission keeps)."""
    return Journey(definition, answers).answers


def summary_rows(definition: SurveyDefinition, answers: Answers) -> list[SummaryRow]:
    """Return a row of "Check your answers" for every shown question."""
    return Journey(definition, answers).summary_rows()


class PageForm(Form):
    """A page's questions as a WTForms form; `questions` are those in the form, in order."""

    page: ClassVar[Page]
    questions: ClassVar[tuple[Question, ...]]

    def active_questions(self) -> list[Question]:
        """Return the questions shown given this form's own data (same-page show_if)."""
        on_page = {question.id for question in self.page.questions}
        seen: dict[str, JSONValue] = {}
        active = []
        for question in self.questions:
            condition = question.show_if
            if condition is not None and condition.question in on_page:
                if not condition.is_met(seen.get(condition.question)):
                    continue
            active.append(question)
            seen[question.id] = answer_from_field(question, self[question.id])
        return active

    def validate(self, extra_validators: Any = None) -> bool:
        """Validate the shown questions (and any fields the app added, such as CSRF)."""
        active = {question.id for question in self.active_questions()}
        return self._validate_only(active, extra_validators)

    def validate_draft(self) -> bool:
        """Validate what was entered, letting questions stay blank (save and come back later).

        Formats, lengths and unsafe characters of every answer given are still checked, so
        nothing stored is corrupt; whether required questions are answered is checked when
        the response is sent for sign-off or submitted.
        """
        entered = {q.id for q in self.active_questions() if not is_blank(self[q.id])}
        set_aside = self._set_aside_blank_row_fields()
        try:
            return self._validate_only(entered, None)
        finally:
            for row_fields, every_field in set_aside:
                row_fields.clear()
                row_fields.update(every_field)

    def _set_aside_blank_row_fields(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """Take blank fields out of repeating-group rows (a half-written action is kept)."""
        set_aside = []
        for question in self.active_questions():
            for entry in getattr(self[question.id], "entries", None) or []:
                row_fields = entry.form._fields
                set_aside.append((row_fields, dict(row_fields)))
                for name, field in list(row_fields.items()):
                    if is_blank(field):
                        del row_fields[name]
        return set_aside

    def _validate_only(self, question_ids: set[str], extra_validators: Any) -> bool:
        every_field = dict(self._fields)
        for question in self.questions:
            if question.id not in question_ids:
                self[question.id].errors = []
                del self._fields[question.id]
        try:
            return bool(super().validate(extra_validators))
        finally:
            self._fields.clear()
            self._fields.update(every_field)

    @property
    def is_adding_row(self) -> bool:
        """Return whether "Add another" was pressed: show the page again instead of saving."""
        return any(getattr(self[q.id], "is_adding_row", False) for q in self.active_questions())


def build_page_form(
    page: Page,
    formdata: Any = None,
    *,
    answers: Answers | None = None,
    base: type[Form] = Form,
) -> PageForm:
    """Build the form for one page, refilled from stored answers when nothing is posted.

    Args:
        page: the page to build.
        formdata: posted data with `getlist` (for files, include the uploaded files), or None.
        answers: the response's answers so far (pass `visible_answers(...)`).
        base: the form class to extend, e.g. FlaskForm for CSRF protection.
    """
    answers = answers or {}
    on_page = {question.id for question in page.questions}
    questions = tuple(
        question
        for question in page.questions
        if question.show_if is None
        or question.show_if.question in on_page
        or question.show_if.is_met(answers.get(question.show_if.question))
    )
    fields: dict[str, Any] = {question.id: build_field(question) for question in questions}
    attributes = {**fields, "page": page, "questions": questions}
    form_class = type(f"PageForm_{page.id}", (PageForm, base), attributes)
    # A posted page replaces its answers, except that an earlier upload stays unless replaced.
    refill = [q for q in questions if formdata is None or answer_type(q).stays_unless_replaced]
    data = {question.id: form_value(question, answers.get(question.id)) for question in refill}
    form: PageForm = form_class(formdata=formdata, data=data)
    return form


def answers_from_form(page: Page, form: PageForm) -> dict[str, JSONValue]:
    """Return every question id on the page with its answer; None for blank or hidden.

    Call after `form.validate()` returned True. Merging the result into stored answers
    clears the answers of questions that are now hidden.
    """
    active = {question.id for question in form.active_questions()}
    return {
        question.id: answer_from_field(question, form[question.id])
        if question.id in active
        else None
        for question in page.questions
    }


def form_errors(form: Form) -> list[tuple[str, str]]:
    """Return (input id, message) pairs for a GOV.UK error summary, in page order."""
    items: list[tuple[str, str]] = []
    for field in form:
        entries = getattr(field, "entries", None)
        if entries is not None:
            for entry in entries:
                items.extend(form_errors(entry.form))
            messages = [error for error in field.errors if isinstance(error, str)]
        else:
            messages = [error for error in field.errors if isinstance(error, str)]
        anchor = getattr(field, "error_anchor", field.id)
        items.extend((anchor, message) for message in messages)
    return items
