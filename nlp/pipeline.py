"""ThemingPipeline: answers -> statements -> redacted -> embedded -> themes with evidence."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from nlp.embedding import (
    CachedEmbedder,
    Embedder,
    EmbeddingCache,
    HashingEmbedder,
    MiniLMEmbedder,
    TfidfEmbedder,
    shared_minilm,
)
from nlp.labels import PhraseIndex, theme_keywords
from nlp.non_answers import EXEMPLARS, count_forms, found_in_data, known_form
from nlp.result import FoundTheme, StatementResult, ThemingResult
from nlp.statements import Statement, dedupe, split_answers
from nlp.summaries import summarise_themes, theme_record
from nlp.theming import BertopicThemer, SklearnThemer, ThemeAssignment, Themer

__all__ = ["STEPS", "ThemingResult", "ThemingPipeline"]

Progress = Callable[[str, int, int], None]
# (texts, per-statement question polarity hints) -> score per text in [-1, 1]
PolarityScorer = Callable[[Sequence[str], Sequence[str | None]], Sequence[float]]


class PolarityClassifier(Protocol):
    """nlp.polarity's classifier shape: objects whose results carry a `.score`."""

    def classify(
        self, texts: Sequence[str], *, hints: Sequence[str | None] | None = None
    ) -> Sequence[Any]: ...


class _IdentityRedactor:
    """Redact nothing (used only when nlp.redaction is unavailable)."""

    name = "identity"

    def redact(self, text: str) -> Any:
        from types import SimpleNamespace

        return SimpleNamespace(text=text)


def _default_redactor() -> Any:
    """Return the project's default redactor, or a no-op when it is not installed."""
    try:
        from nlp.redaction import default_redactor
    except ImportError:
        return _IdentityRedactor()
    return default_redactor()


STEPS: dict[str, dict[str, Callable[..., Any]]] = {
    "embedder": {
        "minilm": shared_minilm,  # ONNX Runtime when installed and in agreement, else PyTorch
        "minilm-pytorch": MiniLMEmbedder,
        "tfidf": TfidfEmbedder,
        "hashing": HashingEmbedder,
    },
    "themer": {"bertopic": BertopicThemer, "sklearn": SklearnThemer},
    "redactor": {"default": _default_redactor, "identity": _IdentityRedactor},
}


class ThemingPipeline:
    """Find themes in free-text answers, following the recipe in DESIGN.md section 5."""

    def __init__(
        self,
        *,
        embedder: Embedder | None = None,
        themer: Themer | None = None,
        redactor: Any = None,
        cache: EmbeddingCache | None = None,
        polarity: PolarityScorer | PolarityClassifier | None = None,
        seed: int = 0,
        max_words: int = 25,
        n_quotes: int = 4,
    ) -> None:
        self.embedder: Embedder = embedder or shared_minilm()
        self.themer: Themer = themer or BertopicThemer()
        self.redactor = redactor if redactor is not None else _default_redactor()
        self.cache = cache
        self.polarity = polarity
        self.seed = seed
        self.max_words = max_words
        self.n_quotes = n_quotes

    @classmethod
    def from_config(cls, config: Mapping[str, Any], **steps: Any) -> ThemingPipeline:
        """Build a pipeline from step names, e.g. {"embedder": "tfidf", "seed": 1}."""
        built = {kind: STEPS[kind][str(config[kind])]() for kind in STEPS if kind in config}
        options = {k: v for k, v in config.items() if k not in STEPS}
        return cls(**built, **options, **steps)

    def run(
        self,
        texts: Sequence[str],
        *,
        answer_ids: Sequence[str | int] | None = None,
        polarity_hints: Sequence[str | None] | None = None,
        progress: Progress | None = None,
    ) -> ThemingResult:
        """Clean, split, drop non-answers, redact, embed, drop the non-answers found in the data,
        cluster, label, score polarity."""
        ready = self.prepare(
            texts, answer_ids=answer_ids, polarity_hints=polarity_hints, progress=progress
        )
        tick = _Stopwatch(ready.timings)
        assignment = tick("cluster", lambda: self._cluster(ready.safe, ready.vectors, progress))
        themes, subs = tick("label", lambda: self._describe(ready.safe, ready.vectors, assignment))
        tick(
            "summarise",
            lambda: self._summarise(
                ready.safe, ready.vectors, assignment, themes + subs, ready.scores
            ),
        )
        run = _Run(
            ready.statements,
            ready.forms,
            ready.safe,
            assignment,
            ready.scores,
            len(texts),
            ready.timings,
        )
        return self._report(run, themes, subs)

    def prepare(
        self,
        texts: Sequence[str],
        *,
        answer_ids: Sequence[str | int] | None = None,
        polarity_hints: Sequence[str | None] | None = None,
        progress: Progress | None = None,
    ) -> Prepared:
        """Everything before clustering: split, drop non-answers, redact, embed, score."""
        timings: dict[str, float] = {}
        tick = _Stopwatch(timings)
        statements = tick(
            "split", lambda: split_answers(texts, answer_ids=answer_ids, max_words=self.max_words)
        )
        forms = [known_form(s.text) for s in statements]
        kept = [s for s, form in zip(statements, forms, strict=True) if form is None]
        safe = tick("redact", lambda: self._redact(kept, progress))
        vectors = tick("embed", lambda: self.embed_texts(safe, progress))
        found = tick("non_answers", lambda: self._found_non_answers(safe, vectors, kept))
        if found:
            kept_at = [i for i, form in enumerate(forms) if form is None]
            for k, form in found.items():
                forms[kept_at[k]] = form
            stay = [k for k in range(len(kept)) if k not in found]
            kept, safe, vectors = [kept[k] for k in stay], [safe[k] for k in stay], vectors[stay]
        scores = tick("polarity", lambda: self._score(safe, kept, polarity_hints))
        return Prepared(statements, forms, kept, safe, vectors, scores, timings)

    def update(
        self,
        previous: ThemingResult,
        texts: Sequence[str],
        *,
        answer_ids: Sequence[str | int],
        polarity_hints: Sequence[str | None] | None = None,
        removed: Collection[str | int] = (),
        progress: Progress | None = None,
    ) -> Any:
        """Add answers to an earlier result's themes (nlp.update); return an UpdateResult."""
        from nlp.update import update_themes

        return update_themes(
            self,
            previous,
            texts,
            answer_ids=answer_ids,
            polarity_hints=polarity_hints,
            removed=removed,
            progress=progress,
        )

    def _redact(self, kept: list[Statement], progress: Progress | None) -> list[str]:
        """Redact personal data before anything is embedded or stored."""
        texts = [s.text for s in kept]
        if hasattr(self.redactor, "redact_many"):
            safe = [r.text for r in self.redactor.redact_many(texts)]
        else:
            safe = [self.redactor.redact(t).text for t in texts]
        if progress:
            progress("redact", len(safe), len(safe))
        return safe

    def embed_texts(
        self, texts: list[str], progress: Progress | None = None
    ) -> NDArray[np.float32]:
        """Embed each distinct text once, through the cache when there is one."""
        unique, inverse = dedupe(texts)
        embedder = CachedEmbedder(self.embedder, self.cache) if self.cache else self.embedder
        step = (lambda done, total: progress("embed", done, total)) if progress else None
        if not unique:
            return np.zeros((0, 1), dtype=np.float32)
        return embedder.embed(unique, step)[inverse]

    def _found_non_answers(
        self, texts: list[str], vectors: NDArray[np.float32], kept: list[Statement]
    ) -> dict[int, str]:
        """Non-answers the word list does not know: content-free, near-known or placeholders.

        Nearness needs an embedder whose vectors mean the same from run to run; one fitted on
        each corpus (TF-IDF) gives none, and only the word rules apply.
        """
        if not texts:
            return {}
        semantic = getattr(self.embedder, "is_cacheable", True)
        exemplars = _exemplar_vectors(self.embedder) if semantic else np.zeros((0, 1))
        return found_in_data(texts, vectors, exemplars, [s.answer_index for s in kept])

    def _cluster(
        self, texts: list[str], vectors: NDArray[np.float32], progress: Progress | None
    ) -> ThemeAssignment:
        """Group statements into themes (and sub-themes)."""
        if progress:
            progress("cluster", 0, 1)
        if len(texts) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return ThemeAssignment(labels=empty, keywords={}, sub_labels=empty)
        assignment = self.themer.find_themes(texts, vectors, seed=self.seed)
        if progress:
            progress("cluster", 1, 1)
        return assignment

    def _describe(
        self, texts: list[str], vectors: NDArray[np.float32], assignment: ThemeAssignment
    ) -> tuple[list[FoundTheme], list[FoundTheme]]:
        """Label themes and sub-themes and pick their quotes."""
        phrases = PhraseIndex(texts)
        themes = self._themes(texts, vectors, assignment.labels, assignment.keywords, phrases)
        subs: list[FoundTheme] = []
        if assignment.sub_labels is not None and len(assignment.sub_parent):
            sub_keywords = theme_keywords(texts, assignment.sub_labels)
            subs = self._themes(texts, vectors, assignment.sub_labels, sub_keywords, phrases)
            by_id = {t.id: t for t in themes}
            for sub in subs:
                sub.parent = assignment.sub_parent[sub.id]
                by_id[sub.parent].sub_themes.append(sub.id)
        return themes, subs

    def _themes(
        self,
        texts: list[str],
        vectors: NDArray[np.float32],
        labels: NDArray[np.int64],
        keywords: dict[int, list[str]],
        phrases: PhraseIndex,
    ) -> list[FoundTheme]:
        """Build FoundTheme records for one level of the hierarchy."""
        names = phrases.name_themes(labels, keywords)
        return [
            theme_record(
                theme_id,
                names[theme_id],
                keywords.get(theme_id, []),
                np.flatnonzero(labels == theme_id),
                texts,
                vectors,
                self.n_quotes,
            )
            for theme_id in sorted(names)
        ]

    def _summarise(
        self,
        texts: list[str],
        vectors: NDArray[np.float32],
        assignment: ThemeAssignment,
        themes: list[FoundTheme],
        scores: list[float] | None,
    ) -> None:
        """Give each theme its summary sentence and, when scored, quotes for each tone."""
        summarise_themes(themes, texts, vectors, assignment.labels, assignment.sub_labels, scores)

    def _score(
        self, texts: list[str], kept: list[Statement], hints: Sequence[str | None] | None
    ) -> list[float] | None:
        """Score each statement's polarity with the injected classifier, if any."""
        if self.polarity is None or not texts:
            return None
        per_statement = [hints[s.answer_index] if hints else None for s in kept]
        if hasattr(self.polarity, "classify"):  # an nlp.polarity PolarityClassifier
            results = self.polarity.classify(texts, hints=per_statement)
            return [float(p.score) for p in results]
        return [float(v) for v in self.polarity(texts, per_statement)]

    def _report(self, run: _Run, themes: list[FoundTheme], subs: list[FoundTheme]) -> ThemingResult:
        """Assemble per-statement results and attach report-wide indices and polarity."""
        results, kept_index = _statement_results(run)
        for theme in [*themes, *subs]:
            members = run.assignment.labels if theme.parent is None else run.assignment.sub_labels
            rows = np.flatnonzero(np.asarray(members) == theme.id)
            theme.statement_indices = [kept_index[i] for i in rows]
            theme.quote_indices = [kept_index[i] for i in theme.quote_indices]
            if theme.summary_index is not None:
                theme.summary_index = kept_index[theme.summary_index]
            theme.tone_quote_indices = {
                tone: [kept_index[i] for i in found]
                for tone, found in theme.tone_quote_indices.items()
            }
            if run.scores:
                theme.polarity = round(float(np.mean([run.scores[i] for i in rows])), 4)
        forms = count_forms(run.forms)
        return ThemingResult(
            themes=themes,
            sub_themes=subs,
            statements=results,
            n_answers=run.n_answers,
            non_answer_count=sum(forms.values()),
            non_answers=forms,
            outlier_count=int((run.assignment.labels < 0).sum()),
            config=self.config(run.assignment),
            timings=run.timings,
        )

    def config(self, assignment: ThemeAssignment | None = None) -> dict[str, Any]:
        """Describe the steps, their parameters, model versions and the seed."""
        from importlib.metadata import PackageNotFoundError, version

        versions = {}
        for package in ("bertopic", "scikit-learn", "sentence-transformers", "numpy"):
            try:
                versions[package] = version(package)
            except PackageNotFoundError:
                continue
        return {
            "steps": [
                "split",
                "non_answers",
                "redact",
                "embed",
                "non_answers_in_data",
                "cluster",
                "label",
                "polarity",
            ],
            "redactor": type(self.redactor).__name__,
            "embedder": {"class": type(self.embedder).__name__, "model_id": self.embedder.model_id},
            "themer": {"name": self.themer.name, "params": assignment.params if assignment else {}},
            "polarity": getattr(self.polarity, "__name__", type(self.polarity).__name__)
            if self.polarity
            else None,
            "seed": self.seed,
            "max_words": self.max_words,
            "versions": versions,
        }


_EXEMPLAR_VECTORS: dict[str, NDArray[np.float32]] = {}


def _exemplar_vectors(embedder: Embedder) -> NDArray[np.float32]:
    """The known non-answers embedded once per model and process (a model's vectors are fixed)."""
    if embedder.model_id not in _EXEMPLAR_VECTORS:
        _EXEMPLAR_VECTORS[embedder.model_id] = embedder.embed(list(EXEMPLARS))
    return _EXEMPLAR_VECTORS[embedder.model_id]


@dataclass
class Prepared:
    """A batch of answers made ready for theming: statements, redacted texts, vectors, scores.

    `forms[i]` is the non-answer form of `statements[i]` (None when kept); `kept`, `safe`,
    `vectors` and `scores` follow the kept statements in order.
    """

    statements: list[Statement]
    forms: list[str | None]
    kept: list[Statement]
    safe: list[str]
    vectors: NDArray[np.float32]
    scores: list[float] | None
    timings: dict[str, float]


@dataclass
class _Run:
    """What one run has produced so far, handed from step to step."""

    statements: list[Statement]
    forms: list[str | None]
    safe: list[str]
    assignment: ThemeAssignment
    scores: list[float] | None
    n_answers: int
    timings: dict[str, float]


def _statement_results(run: _Run) -> tuple[list[StatementResult], list[int]]:
    """Return per-statement results and, per clustered statement, its report index."""
    results: list[StatementResult] = []
    kept_index: list[int] = []
    subs = run.assignment.sub_labels
    for statement, form in zip(run.statements, run.forms, strict=True):
        link = (statement.answer_index, statement.answer_id)
        if form is not None:  # only the form is kept ("n a", or the redacted placeholder)
            results.append(StatementResult(form, *link, theme=None, is_non_answer=True))
            continue
        k = len(kept_index)
        kept_index.append(len(results))
        sub = int(subs[k]) if subs is not None and subs[k] >= 0 else None
        score = run.scores[k] if run.scores else None
        theme = int(run.assignment.labels[k])
        results.append(StatementResult(run.safe[k], *link, theme, sub, False, score))
    return results, kept_index


class _Stopwatch:
    """Time each stage into a dict."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings

    def __call__(self, stage: str, work: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = work()
        self.timings[stage] = round(time.perf_counter() - start, 3)
        return result
