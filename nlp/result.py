"""ThemingResult: the plain result of the theming pipeline, with the config that made it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class FoundTheme:
    """One theme (or sub-theme): its label, evidence and members."""

    id: int
    label: str
    keywords: list[str]
    size: int
    share: float
    statement_indices: list[int]
    quotes: list[str]
    quote_indices: list[int]
    centroid: list[float]
    sub_themes: list[int] = field(default_factory=list)
    parent: int | None = None
    polarity: float | None = None
    summary: str = ""  # the most central readable statement (nlp.summaries), suggested
    summary_index: int | None = None  # the statement it is
    tone_quote_indices: dict[str, list[int]] = field(default_factory=dict)  # praise / criticism


@dataclass
class StatementResult:
    """One statement: its (redacted) text, its answer, and where it landed."""

    text: str
    answer_index: int
    answer_id: str | int
    theme: int | None
    sub_theme: int | None = None
    is_non_answer: bool = False
    polarity: float | None = None


@dataclass
class ThemingResult:
    """Themes, sub-themes, per-statement assignment, counts and the run's config."""

    themes: list[FoundTheme]
    sub_themes: list[FoundTheme]
    statements: list[StatementResult]
    n_answers: int
    non_answer_count: int
    non_answers: dict[str, int]
    outlier_count: int
    config: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def outlier_rate(self) -> float:
        """Share of clustered statements (non-answers excluded) left without a theme."""
        clustered = sum(1 for s in self.statements if not s.is_non_answer)
        return self.outlier_count / clustered if clustered else 0.0

    def answer_themes(self) -> list[int | None]:
        """Give each answer the theme of its longest statement (None for non-answers)."""
        best: dict[int, tuple[int, int | None]] = {}
        for s in self.statements:
            if s.is_non_answer:
                continue
            length = len(s.text)
            if s.answer_index not in best or length > best[s.answer_index][0]:
                best[s.answer_index] = (length, s.theme)
        return [best[i][1] if i in best else None for i in range(self.n_answers)]

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready dicts and lists."""
        return asdict(self)

    def to_json(self, *, indent: int | None = 2) -> str:
        """Serialise the result to JSON."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)
