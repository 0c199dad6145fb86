"""Match a file's columns to the questions they answer.

Public API:
    Target: one answer slot an import can fill (a question, or one half of a confidence pair).
    targets(definition) -> {mapping key: Target}, in the definition's order.
    target_choices(definition) -> [(mapping key, words for a person)], for choosing a column's
        question: a confidence pair offers its two halves ("… (Before the course)").
    propose_mapping(columns, definition) -> {column: target key or None}
    check_mapping(mapping, targets) -> {target key: column}; raise ImportFileError.

A mapping target is a question id, or `<id>_before` / `<id>_after` for the two halves of a
confidence pair (the column names of our own wide export, so it imports back). Which
columns a question has is its answer type's `import_columns` (`surveys.answer_types`).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from surveys.answer_types import AnswerType, ImportColumn, answer_type
from surveys.cells import fold
from surveys.definition import Question, SurveyDefinition
from surveys.exports import GROUP_FIXED, WIDE_FIXED
from surveys.importing.errors import ImportFileError

_MATCH_THRESHOLD = 0.72
_EXPORT_COLUMNS = frozenset(WIDE_FIXED + GROUP_FIXED)


@dataclass(frozen=True)
class Target:
    question: Question
    column: ImportColumn

    @property
    def key(self) -> str:
        return self.column.key

    @property
    def part(self) -> str | None:
        return self.column.part

    @property
    def answer_type(self) -> AnswerType:
        return answer_type(self.question)

    @property
    def label(self) -> str:
        """The question's label, with the half for one half of a confidence pair."""
        pair = self.question.confidence
        if self.part is None or pair is None:
            return self.question.label
        half = pair.before_label if self.part == "before" else pair.after_label
        return f"{self.question.label} ({half})"


def targets(definition: SurveyDefinition) -> dict[str, Target]:
    """Return every importable answer slot by mapping key, in the definition's order."""
    return {
        column.key: Target(question, column)
        for page in definition.pages
        for question in page.questions
        for column in answer_type(question).import_columns(question)
    }


def target_choices(definition: SurveyDefinition) -> list[tuple[str, str]]:
    """Return each importable slot's mapping key and label, to choose a column's question."""
    return [(key, target.label) for key, target in targets(definition).items()]


def _similarity(column: str, name: str) -> float:
    if not column or not name:
        return 0.0
    if column == name:
        return 1.0
    score = difflib.SequenceMatcher(None, column, name).ratio()
    shorter, longer = sorted((column, name), key=len)
    if len(shorter.split()) >= 3 and f" {shorter} " in f" {longer} ":
        score = max(score, 0.9)  # "How relevant was the course" within the full question
    return score


def propose_mapping(columns: Sequence[str], definition: SurveyDefinition) -> dict[str, str | None]:
    """Propose which question each column answers, by similarity of heading to id or label."""
    slots = targets(definition)
    candidates = []
    for column_order, column in enumerate(columns):
        if column in _EXPORT_COLUMNS:  # our own export's bookkeeping, never an answer
            continue
        folded = fold(column)
        for target_order, target in enumerate(slots.values()):
            score = max(_similarity(folded, fold(name)) for name in target.column.names)
            if score >= _MATCH_THRESHOLD:
                candidates.append((-score, column_order, target_order, column, target.key))
    mapping: dict[str, str | None] = dict.fromkeys(columns)
    taken: set[str] = set()
    for _, _, _, column, key in sorted(candidates):  # best pairs first, each used once
        if mapping[column] is None and key not in taken:
            mapping[column] = key
            taken.add(key)
    return mapping


def check_mapping(mapping: Mapping[str, str | None], slots: dict[str, Target]) -> dict[str, str]:
    """Return {target key: column}; raise ImportFileError for an impossible mapping."""
    columns: dict[str, str] = {}
    for column, key in mapping.items():
        if key is None:
            continue
        if key not in slots:
            raise ImportFileError(
                f"Column '{column}' is matched to a question this form does not have"
            )
        if key in columns:
            label = slots[key].question.label
            raise ImportFileError(
                f"Columns '{columns[key]}' and '{column}' are both matched to '{label}'. "
                "Match each question to one column"
            )
        columns[key] = column
    for key, target in slots.items():
        siblings = target.answer_type.import_columns(target.question)
        if target.part and key in columns and any(s.key not in columns for s in siblings):
            raise ImportFileError(
                f"Match one column to the before answer and one to the after answer for "
                f"'{target.question.label}'"
            )
    return columns
