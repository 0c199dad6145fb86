"""A respondent's way through a form: which pages and questions show, and where to go next.

Public API (no Flask; `answers` is always the response's {question_id: stored answer}):
    Journey(definition, answers): worked out once, when made; every question below reads it.
        .answers       the answers of questions still shown (what pages refill from)
        .pages         the pages to show, in order
        .questions     the questions to show, in order
        .shows(page_id) -> bool
        .next_page_id(page_id) -> str | None      (None: go to Check your answers)
        .previous_page_id(page_id) -> str | None  (None: this is the first page)
        .progress(page_id) -> tuple[int, int]     (page n of total)
        .summary_rows() -> list[SummaryRow]       (Check your answers)
        .missing_answers() -> list[tuple[str, str]]  (page id, question id) left blank
        .page_statuses() -> list[tuple[Page, str]]   completed, in_progress or new
    SummaryRow: one row of "Check your answers".
    is_unanswered(value) -> bool: whether a stored answer is empty.

A page or question with a show_if is shown when the answer it names is shown and meets the
condition, so hiding a question also hides whatever hangs on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from surveys.answers import display_values
from surveys.definition import JSONValue, Page, Question, SurveyDefinition
from surveys.errors import UnknownPage

__all__ = ["Journey", "SummaryRow", "is_unanswered"]

Answers = Mapping[str, JSONValue]


@dataclass(frozen=True)
class SummaryRow:
    """One row of "Check your answers"."""

    question_id: str
    label: str
    values: tuple[str, ...]
    page_id: str

    @property
    def is_answered(self) -> bool:
        return bool(self.values)


def is_unanswered(value: JSONValue) -> bool:
    """Return whether a stored answer is empty."""
    return value is None or value == "" or value == [] or value == {}


class Journey:
    """The pages and questions a respondent sees given their answers, worked out once."""

    def __init__(self, definition: SurveyDefinition, answers: Answers) -> None:
        self.definition = definition
        self._shown = _visibility(definition, answers)
        self.pages: tuple[Page, ...] = tuple(page for page, _ in self._shown)
        self.questions: tuple[Question, ...] = tuple(q for _, qs in self._shown for q in qs)
        self.answers: dict[str, JSONValue] = {
            q.id: answers[q.id] for q in self.questions if q.id in answers
        }
        self._order = {page.id: index for index, page in enumerate(definition.pages)}
        self._shown_indexes = [self._order[page.id] for page in self.pages]  # in form order

    def shows(self, page_id: str) -> bool:
        """Return whether this page is one to show."""
        return any(page.id == page_id for page in self.pages)

    def next_page_id(self, page_id: str) -> str | None:
        """Return the next page to show after this one, or None when it is time to check answers."""
        here = self._index(page_id)
        later = [index for index in self._shown_indexes if index > here]
        return self.definition.pages[later[0]].id if later else None

    def previous_page_id(self, page_id: str) -> str | None:
        """Return the page shown before this one, or None when this is the first."""
        here = self._index(page_id)
        earlier = [index for index in self._shown_indexes if index < here]
        return self.definition.pages[earlier[-1]].id if earlier else None

    def progress(self, page_id: str) -> tuple[int, int]:
        """Return (this page's number, number of pages) among the pages to show."""
        here = self._index(page_id)
        number = sum(1 for index in self._shown_indexes if index < here) + 1
        return number, max(len(self._shown_indexes), number)

    def summary_rows(self) -> list[SummaryRow]:
        """Return a row for every shown question; `values` is empty when it was not answered."""
        labels = self.definition.labels
        return [
            SummaryRow(
                question.id,
                question.label,
                display_values(question, self.answers.get(question.id), labels),
                page.id,
            )
            for page, questions in self._shown
            for question in questions
        ]

    def missing_answers(self) -> list[tuple[str, str]]:
        """Return (page id, question id) of required, shown questions left unanswered."""
        return [
            (page.id, question.id)
            for page, questions in self._shown
            for question in questions
            if question.required and is_unanswered(self.answers.get(question.id))
        ]

    def page_statuses(self) -> list[tuple[Page, str]]:
        """Return each shown page with its status: completed, in_progress or new."""
        statuses = []
        for page, questions in self._shown:
            answered = [q for q in questions if not is_unanswered(self.answers.get(q.id))]
            complete = all(
                not is_unanswered(self.answers.get(q.id)) for q in questions if q.required
            )
            status = "completed" if answered and complete else "in_progress" if answered else "new"
            statuses.append((page, status))
        return statuses

    def _index(self, page_id: str) -> int:
        try:
            return self._order[page_id]
        except KeyError:
            raise UnknownPage(f"survey {self.definition.key!r} has no page {page_id!r}") from None


def _visibility(
    definition: SurveyDefinition, answers: Answers
) -> tuple[tuple[Page, tuple[Question, ...]], ...]:
    # Only answers of shown questions count, so hiding a question also hides what hangs on it.
    shown: dict[str, JSONValue] = {}
    result: list[tuple[Page, tuple[Question, ...]]] = []
    for page in definition.pages:
        if page.show_if is not None and not page.show_if.is_met(shown.get(page.show_if.question)):
            continue
        questions = []
        for question in page.questions:
            condition = question.show_if
            if condition is None or condition.is_met(shown.get(condition.question)):
                questions.append(question)
                shown[question.id] = answers.get(question.id)
        if questions:
            result.append((page, tuple(questions)))
    return tuple(result)
