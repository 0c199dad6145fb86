"""Update an earlier theming result with new answers instead of re-theming everything.

    update_themes(pipeline, previous, texts, *, answer_ids, removed=()) -> UpdateResult

Re-clustering everything moves themes when 1% more answers arrive (nlp.stability: 0.79 of
themes kept one to one on nhs_fft_phase1). Here the earlier themes stay as they are: the
statements of removed answers leave them, the new answers' statements (split, redacted,
embedded and scored by the same pipeline) join the nearest theme when they are as close as its
members typically are (nlp.assign), and the leftovers that form a cohesive group of the normal
minimum theme size become *emerging* themes, named by the same labeller with names distinct
from the existing ones. The rest stay unthemed. Sizes, shares, keywords, quotes, polarity and
centroids are recomputed; labels of existing themes are kept (they are the same themes).

Theme ids of the earlier result are kept; emerging themes take ids after the largest. The
result's statements are the earlier ones still present (in order), then the new ones.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlp.assign import assign, emerging_groups, fit_themes, min_theme_size
from nlp.clustering import unit_rows
from nlp.labels import PhraseIndex, theme_keywords
from nlp.non_answers import count_forms
from nlp.result import FoundTheme, StatementResult, ThemingResult
from nlp.summaries import summarise_themes, theme_record


@dataclass(frozen=True)
class UpdateSummary:
    """What the update did, in counts; `origin` maps each theme id to its earlier id or None."""

    added_answers: int
    removed_answers: int
    added_statements: int
    removed_statements: int
    assigned: int
    emerging_themes: int
    emerging_statements: int
    unthemed: int
    origin: dict[int, int | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Counts only (for a run's coverage)."""
        return {k: v for k, v in self.__dict__.items() if k != "origin"}


@dataclass
class UpdateResult:
    """The updated result (earlier themes kept, emerging ones added) and what happened."""

    result: ThemingResult
    summary: UpdateSummary


def update_themes(
    pipeline: Any,
    previous: ThemingResult,
    texts: Sequence[str],
    *,
    answer_ids: Sequence[str | int],
    polarity_hints: Sequence[str | None] | None = None,
    removed: Collection[str | int] = (),
    progress: Any = None,
    n_quotes: int = 4,
) -> UpdateResult:
    """Add `texts` (new answers) to `previous`'s themes; drop statements of `removed` answers.

    `pipeline` is an nlp.pipeline.ThemingPipeline (its `prepare` and `embed_texts` are used).
    """
    gone = {str(a) for a in removed}
    old = [s for s in previous.statements if str(s.answer_id) not in gone]
    ready = pipeline.prepare(
        texts, answer_ids=list(answer_ids), polarity_hints=polarity_hints, progress=progress
    )
    old_kept = [s for s in old if not s.is_non_answer]
    texts_all = [s.text for s in old_kept] + list(ready.safe)
    # One call, so a corpus-fitted embedder puts old and new in one space (the cache makes the
    # earlier statements' vectors free for a model).
    vectors = unit_rows(pipeline.embed_texts(texts_all)) if texts_all else np.zeros((0, 1))
    n_old = len(old_kept)
    labels = np.array([-1 if s.theme is None else s.theme for s in old_kept], dtype=np.int64)
    subs = np.array([-1 if s.sub_theme is None else s.sub_theme for s in old_kept], dtype=np.int64)
    known = {t.id for t in previous.themes}
    labels = np.where(np.isin(labels, list(known)), labels, -1)
    fit = fit_themes(vectors[:n_old], labels)
    new_labels = assign(fit, vectors[n_old:])
    sizes = [int((labels == t).sum()) for t in fit.ids]
    left = np.flatnonzero(new_labels < 0)
    groups = emerging_groups(
        vectors[n_old:][left],
        min_size=min_theme_size(sizes),
        cohesion=fit.typical_cohesion,
        floor=fit.typical_threshold,
    )
    next_id = max(known, default=-1) + 1
    emerging = sorted({int(g) for g in groups if g >= 0})
    for g in emerging:
        new_labels[left[groups == g]] = next_id + g
    new_subs = _nearest_sub(previous, vectors[:n_old], subs, vectors[n_old:], new_labels)
    all_labels = np.concatenate([labels, new_labels])
    all_subs = np.concatenate([subs, new_subs])
    builder = _Builder(previous, texts_all, vectors, all_labels, all_subs, n_quotes)
    themes, sub_themes = builder.themes([next_id + g for g in emerging])
    polarity = [s.polarity for s in old_kept] + (ready.scores or [None] * len(ready.safe))
    scored = None if any(p is None for p in polarity) else polarity
    summarise_themes([*themes, *sub_themes], texts_all, vectors, all_labels, all_subs, scored)
    statements, position = _statements(old, ready, all_labels, all_subs, n_old)
    for theme in [*themes, *sub_themes]:
        theme.statement_indices = [position[i] for i in theme.statement_indices]
        theme.quote_indices = [position[i] for i in theme.quote_indices]
        if theme.summary_index is not None:
            theme.summary_index = position[theme.summary_index]
        theme.tone_quote_indices = {
            tone: [position[i] for i in rows] for tone, rows in theme.tone_quote_indices.items()
        }
    _set_polarity([*themes, *sub_themes], polarity, all_labels, all_subs)
    old_answers = {str(s.answer_id) for s in previous.statements}
    summary = UpdateSummary(
        added_answers=len(texts),
        removed_answers=len(old_answers & gone),
        added_statements=len(ready.safe),
        removed_statements=len(previous.statements) - len(old),
        assigned=int(np.isin(new_labels, fit.ids).sum()),
        emerging_themes=len(emerging),
        emerging_statements=int((groups >= 0).sum()),
        unthemed=int((new_labels < 0).sum()),
        origin={t.id: (t.id if t.id in known else None) for t in themes},
    )
    forms = [s.text for s in old if s.is_non_answer] + [f for f in ready.forms if f is not None]
    answers = list(dict.fromkeys(str(s.answer_id) for s in statements))
    result = ThemingResult(
        themes=themes,
        sub_themes=sub_themes,
        statements=_with_answer_index(statements, answers),
        n_answers=len(answers),
        non_answer_count=len(forms),
        non_answers=count_forms(forms),
        outlier_count=int((all_labels < 0).sum()),
        config={**previous.config, "mode": "update", "update": summary.to_dict()},
        timings=ready.timings,
    )
    return UpdateResult(result, summary)


def _nearest_sub(
    previous: ThemingResult,
    old_vectors: NDArray[np.float64],
    old_subs: NDArray[np.int64],
    new_vectors: NDArray[np.float64],
    new_labels: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Give each new statement its theme's nearest sub-theme (-1 when the theme has none)."""
    result = np.full(len(new_vectors), -1, dtype=np.int64)
    parents = {s.id: s.parent for s in previous.sub_themes}
    for theme in {int(t) for t in new_labels if t >= 0}:
        ids = [s for s, p in parents.items() if p == theme and (old_subs == s).any()]
        if not ids:
            continue
        cents = unit_rows(np.vstack([old_vectors[old_subs == s].mean(0) for s in ids]))
        rows = np.flatnonzero(new_labels == theme)
        result[rows] = np.array(ids)[np.argmax(new_vectors[rows] @ cents.T, axis=1)]
    return result


class _Builder:
    """Rebuild FoundTheme records over the updated membership."""

    def __init__(
        self,
        previous: ThemingResult,
        texts: list[str],
        vectors: NDArray[np.float64],
        labels: NDArray[np.int64],
        subs: NDArray[np.int64],
        n_quotes: int,
    ) -> None:
        self.previous, self.texts, self.vectors = previous, texts, vectors
        self.labels, self.subs, self.n_quotes = labels, subs, n_quotes

    def themes(self, emerging: list[int]) -> tuple[list[FoundTheme], list[FoundTheme]]:
        """Top-level themes (earlier ones that still hold statements, then emerging ones)."""
        keywords = theme_keywords(self.texts, self.labels) if self.texts else {}
        names = {t.id: t.label for t in self.previous.themes}
        if emerging:
            only = np.where(np.isin(self.labels, emerging), self.labels, -1)
            named = PhraseIndex(self.texts).name_themes(only, keywords, taken=list(names.values()))
            names.update(named)
        ids = [t.id for t in self.previous.themes] + emerging
        themes = [
            self._theme(i, names[i], keywords.get(i, []), self.labels)
            for i in ids
            if (self.labels == i).any()
        ]
        kept = {t.id for t in themes}
        sub_keywords = theme_keywords(self.texts, self.subs) if (self.subs >= 0).any() else {}
        sub_themes = []
        for sub in self.previous.sub_themes:
            if sub.parent in kept and (self.subs == sub.id).any():
                found = self._theme(sub.id, sub.label, sub_keywords.get(sub.id, []), self.subs)
                found.parent = sub.parent
                sub_themes.append(found)
        by_id = {t.id: t for t in themes}
        for sub in sub_themes:
            by_id[sub.parent or 0].sub_themes.append(sub.id)
        return themes, sub_themes

    def _theme(
        self, theme_id: int, label: str, keywords: list[str], labels: NDArray[np.int64]
    ) -> FoundTheme:
        rows = np.flatnonzero(labels == theme_id)
        return theme_record(
            theme_id, label, keywords, rows, self.texts, self.vectors, self.n_quotes
        )


def _statements(
    old: list[StatementResult],
    ready: Any,
    labels: NDArray[np.int64],
    subs: NDArray[np.int64],
    n_old: int,
) -> tuple[list[StatementResult], dict[int, int]]:
    """Earlier statements still present, then the new ones, and each clustered statement's row."""
    result: list[StatementResult] = []
    k = 0
    position: dict[int, int] = {}
    for s in old:
        if s.is_non_answer:
            result.append(s)
            continue
        position[k] = len(result)
        result.append(_placed(s, labels[k], subs[k], s.polarity))
        k += 1
    new_kept = 0
    for statement, form in zip(ready.statements, ready.forms, strict=True):
        link = (statement.answer_index, statement.answer_id)
        if form is not None:
            result.append(StatementResult(form, *link, theme=None, is_non_answer=True))
            continue
        k = n_old + new_kept
        score = ready.scores[new_kept] if ready.scores else None
        position[k] = len(result)
        base = StatementResult(ready.safe[new_kept], *link, None, None, False, score)
        result.append(_placed(base, labels[k], subs[k], score))
        new_kept += 1
    return result, position


def _placed(s: StatementResult, theme: int, sub: int, polarity: float | None) -> StatementResult:
    return StatementResult(
        s.text,
        s.answer_index,
        s.answer_id,
        int(theme) if theme >= 0 else None,
        int(sub) if sub >= 0 else None,
        False,
        polarity,
    )


def _set_polarity(
    themes: list[FoundTheme],
    polarity: Sequence[float | None],
    labels: NDArray[np.int64],
    subs: NDArray[np.int64],
) -> None:
    for theme in themes:
        members = labels if theme.parent is None else subs
        scores = [polarity[i] for i in np.flatnonzero(members == theme.id)]
        known = [p for p in scores if p is not None]
        theme.polarity = round(float(np.mean(known)), 4) if known else None


def _with_answer_index(
    statements: list[StatementResult], answers: list[str]
) -> list[StatementResult]:
    index = {a: i for i, a in enumerate(answers)}
    for s in statements:
        s.answer_index = index[str(s.answer_id)]
    return statements
