"""Classify feedback statements by polarity: what works well, what must change, or neutral.

Three classifiers share one `PolarityClassifier` protocol:

- `LexiconPolarity`: VADER plus feedback rules. Suggestion and shortfall phrases ("would be
  good to", "not enough", "too long") are removed before VADER scores the text, because VADER
  reads the "good" in "would be good to have more case studies" as praise, and each adds a fixed
  negative weight; "nothing to improve"-style phrases add a positive weight. A cue preceded by a
  negator in the same clause ("I don't think it needs to change") is cancelled.
- `EmbeddingPolarity`: cosine similarity to two sets of anchor statements we wrote.
- `HybridPolarity` (default): a weighted mean of the two scores.

A question's declared polarity (the `hints`) dominates; see `_apply_hint` for the rules. The
score is in [-1, 1]: negative means "must change", positive "works well".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

EmbedFn = Callable[[Sequence[str]], NDArray[np.floating]]

# Weights of the feedback rules, added to VADER's compound score (which lies in [-1, 1]).
CHANGE_CUE_WEIGHT = 0.8  # a suggestion outweighs all but the strongest praise around it
PROBLEM_TERM_WEIGHT = 0.3  # "waiting", "delay": weaker, they also appear in neutral reports
NON_CRITICISM_WEIGHT = 0.6
# Where a hint overrides the classifier, the score is at least this far from zero.
HINT_FLOOR = 0.3
# Under a hint, a classifier score this strong (and no change cue) still wins.
STRONG_SCORE = 0.3

_NEGATORS = frozenset({"not", "no", "never", "nothing", "without", "hardly", "nobody", "none"})
_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?")
_CLAUSE_BREAK = re.compile(r"[.;:!?,\n]|\bbut\b")
_NON_ANSWER = re.compile(
    r"^\W*(?:n/?a|not applicable|no comments?|(?:i )?(?:don'?t|do not) know|not sure|unsure|"
    r"no idea|\?+)\W*$"
)
_NOTHING_ANSWER = re.compile(
    r"^\W*(?:(?:absolutely|honestly|really|definitely|in my opinion|to be honest|um+|erm+)\W+)?"
    r"(?:nothing|none|no|nope|nil|nought|nowt|not really|not a (?:single )?thing|not a lot|"
    r"not much|definitely not|(?:i )?(?:don'?t|do not) think so|there'?s nothing|"
    r"(?:i )?(?:can'?t|cannot) (?:immediately |really )?think of anything|"
    r"nothing (?:comes?|springs) to mind|"
    r"nothing (?:that )?i can think of|not that i can think of|nothing to my knowledge)"
    r"(?:\W+(?:really|at all|else|thanks?|thank you|to say|to add|to report|comes to mind))*\W*$"
)

# A leading "Nothing," answers an improvement question; VADER would negate what follows it.
_NOTHING_PREFIX = re.compile(
    r"^\W*(?:(?:nothing|none|nope|no)(?: (?:at all|really|much|else))?\s*[,.!;:-]+\s*|"
    r"(?:nothing|none)(?: (?:at all|really|much|else))? (?=(?:thanks?|thank|very|been|all|a|great|"
    r"good|excellent|everything|happy|fantastic|brilliant|perfect|it was|i was|i am|i'm|i've)\b))"
)


class PolarityLabel(StrEnum):
    """What a statement is about."""

    WORKS_WELL = "works_well"
    MUST_CHANGE = "must_change"
    NEUTRAL = "neutral"


class QuestionPolarity(StrEnum):
    """The polarity a question declares in its form definition."""

    STRENGTHS = "strengths"
    AREAS_FOR_DEVELOPMENT = "areas_for_development"
    NEUTRAL = "neutral"


@dataclass(frozen=True)
class Polarity:
    """A statement's polarity label and its score in [-1, 1] (negative: must change)."""

    label: PolarityLabel
    score: float


class PolarityClassifier(Protocol):
    """Label each statement; a non-None hint is the question's declared polarity."""

    def classify(
        self, texts: Sequence[str], *, hints: Sequence[str | None] | None = None
    ) -> list[Polarity]: ...


@dataclass(frozen=True)
class FeedbackCues:
    """What the feedback rules found in one statement."""

    change: int = 0
    problems: int = 0
    non_criticism: int = 0
    is_nothing_answer: bool = False
    is_non_answer: bool = False


@cache
def read_resource_lines(name: str) -> tuple[str, ...]:
    """Return the non-blank, non-comment lines of a polarity resource file."""
    text = resources.files("nlp").joinpath("resources", "polarity", name).read_text("utf-8")
    lines = (line.strip() for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


@cache
def _phrase_pattern(name: str) -> re.Pattern[str]:
    body = "|".join(f"(?:{line})" for line in read_resource_lines(name))
    return re.compile(rf"\b(?:{body})\b")


@cache
def _opener_pattern() -> re.Pattern[str]:
    words = "|".join(read_resource_lines("suggestion_openers.txt"))
    # "Better than expected" compares, it does not ask for a change.
    return re.compile(rf"^\W*(?:{words})\b(?! than\b)")


def normalise(text: str) -> str:
    """Lower-case and straighten quotes so the rules see one spelling."""
    return text.replace("\u2019", "'").replace("\u2018", "'").lower().strip()


def _is_negated(text: str, start: int) -> bool:
    """Tell whether a negator precedes `start` within three words of the same clause."""
    clause = _CLAUSE_BREAK.split(text[max(0, start - 60) : start])[-1]
    words = _TOKEN.findall(clause)[-3:]
    return any(w in _NEGATORS or w.endswith("n't") for w in words)


def _take(pattern: re.Pattern[str], text: str, *, negatable: bool) -> tuple[int, str]:
    """Count matches of `pattern` (un-negated ones if `negatable`) and blank them out of `text`."""
    count = 0
    for match in pattern.finditer(text):
        if not (negatable and _is_negated(text, match.start())):
            count += 1
    return count, pattern.sub(" ", text)


def find_cues(text: str) -> tuple[FeedbackCues, str]:
    """Find the feedback cues in `text`; return them and the text with the cues blanked out."""
    clean = normalise(text)
    if _NON_ANSWER.match(clean):
        return FeedbackCues(is_non_answer=True), clean
    if _NOTHING_ANSWER.match(clean):
        return FeedbackCues(is_nothing_answer=True), clean
    rest = _NOTHING_PREFIX.sub("", clean)
    non_criticism, rest = _take(_phrase_pattern("non_criticism_cues.txt"), rest, negatable=True)
    opener = 1 if _opener_pattern().match(rest) else 0
    change, rest = _take(_phrase_pattern("change_cues.txt"), rest, negatable=True)
    problems, rest = _take(_phrase_pattern("problem_terms.txt"), rest, negatable=True)
    cues = FeedbackCues(change=change + opener, problems=problems, non_criticism=non_criticism)
    return cues, rest


def label_of(score: float, band: float) -> PolarityLabel:
    """Map a score to a label; |score| < band is neutral."""
    if score >= band:
        return PolarityLabel.WORKS_WELL
    if score <= -band:
        return PolarityLabel.MUST_CHANGE
    return PolarityLabel.NEUTRAL


def _apply_hint(score: float, cues: FeedbackCues, hint: str | None, band: float) -> Polarity:
    """Combine a classifier score with the question's declared polarity.

    Non-answers ("n/a", "don't know") stay neutral whatever the question. Under
    "areas_for_development" a statement must change unless it is plainly not a criticism: a
    "nothing"-style answer, a "nothing to improve" cue, or clear praise (score >= STRONG_SCORE)
    with no change cue or problem term.
    Under "strengths" it works well unless it holds a change cue, scores strongly negative, or
    is a bare "nothing" ("what went well? nothing" is a criticism). "neutral" or None: the
    classifier decides.
    """
    question = QuestionPolarity(hint) if hint is not None else QuestionPolarity.NEUTRAL
    if cues.is_non_answer:
        return Polarity(PolarityLabel.NEUTRAL, 0.0)
    if question is QuestionPolarity.AREAS_FOR_DEVELOPMENT:
        praise = cues.non_criticism > 0 or score >= STRONG_SCORE
        if cues.is_nothing_answer or (praise and cues.change + cues.problems == 0):
            return Polarity(PolarityLabel.WORKS_WELL, max(score, HINT_FLOOR))
        return Polarity(PolarityLabel.MUST_CHANGE, min(score, -HINT_FLOOR))
    if question is QuestionPolarity.STRENGTHS:
        if cues.is_nothing_answer or cues.change > 0 or score <= -STRONG_SCORE:
            return Polarity(PolarityLabel.MUST_CHANGE, min(score, -HINT_FLOOR))
        return Polarity(PolarityLabel.WORKS_WELL, max(score, HINT_FLOOR))
    if cues.is_nothing_answer:
        return Polarity(PolarityLabel.NEUTRAL, 0.0)
    return Polarity(label_of(score, band), score)


def _check_hints(texts: Sequence[str], hints: Sequence[str | None] | None) -> list[str | None]:
    if hints is None:
        return [None] * len(texts)
    if len(hints) != len(texts):
        raise ValueError(f"got {len(hints)} hints for {len(texts)} texts")
    return list(hints)


class LexiconPolarity:
    """VADER compound score plus feedback-specific cue rules."""

    def __init__(self, *, band: float = 0.05) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._vader = SentimentIntensityAnalyzer()
        self.band = band

    def score_with_cues(self, text: str) -> tuple[float, FeedbackCues]:
        """Return the lexicon score of one statement and the cues it holds."""
        cues, rest = find_cues(text)
        if cues.is_non_answer or cues.is_nothing_answer:
            return 0.0, cues
        compound = float(self._vader.polarity_scores(rest)["compound"])
        rules = (
            NON_CRITICISM_WEIGHT * cues.non_criticism
            - CHANGE_CUE_WEIGHT * cues.change
            - PROBLEM_TERM_WEIGHT * cues.problems
        )
        return float(np.clip(compound + rules, -1.0, 1.0)), cues

    def classify(
        self, texts: Sequence[str], *, hints: Sequence[str | None] | None = None
    ) -> list[Polarity]:
        """Label each statement."""
        checked = _check_hints(texts, hints)
        scored = [self.score_with_cues(t) for t in texts]
        return [_apply_hint(s, c, h, self.band) for (s, c), h in zip(scored, checked, strict=True)]


def _unit_rows(vectors: NDArray[np.floating]) -> NDArray[np.float64]:
    matrix = np.atleast_2d(np.asarray(vectors, dtype=np.float64))
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0.0, 1.0, norms)


class EmbeddingPolarity:
    """Score statements by similarity to anchor statements about what works and what must change.

    score = tanh(scale * (mean of the top-k cosines to the works-well anchors - the same for the
    must-change anchors)); top-k rather than a centroid because the anchors cover many topics.
    """

    def __init__(
        self,
        embed: EmbedFn,
        *,
        works_well_anchors: Sequence[str] | None = None,
        must_change_anchors: Sequence[str] | None = None,
        top_k: int = 3,
        scale: float = 10.0,
        band: float = 0.05,
    ) -> None:
        self._embed = embed
        self.works_well_anchors = list(
            works_well_anchors or read_resource_lines("anchors_works_well.txt")
        )
        self.must_change_anchors = list(
            must_change_anchors or read_resource_lines("anchors_must_change.txt")
        )
        self.top_k, self.scale, self.band = top_k, scale, band
        self._anchor_vectors: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None

    def _anchors(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        if self._anchor_vectors is None:
            vectors = _unit_rows(self._embed([*self.works_well_anchors, *self.must_change_anchors]))
            split = len(self.works_well_anchors)
            self._anchor_vectors = (vectors[:split], vectors[split:])
        return self._anchor_vectors

    def _top_mean(self, sims: NDArray[np.float64]) -> NDArray[np.float64]:
        k = min(self.top_k, sims.shape[1])
        top: NDArray[np.float64] = np.sort(sims, axis=1)[:, -k:].mean(axis=1)
        return top

    def scores(self, vectors: NDArray[np.floating]) -> NDArray[np.float64]:
        """Return one score in [-1, 1] per row of `vectors`."""
        if len(vectors) == 0:
            return np.zeros(0)
        works_well, must_change = self._anchors()
        rows = _unit_rows(vectors)
        margin = self._top_mean(rows @ works_well.T) - self._top_mean(rows @ must_change.T)
        return np.tanh(self.scale * margin)

    def classify_vectors(
        self,
        texts: Sequence[str],
        vectors: NDArray[np.floating],
        *,
        hints: Sequence[str | None] | None = None,
    ) -> list[Polarity]:
        """Label statements whose embeddings the caller already has."""
        checked = _check_hints(texts, hints)
        scores = self.scores(vectors)
        cues = [find_cues(t)[0] for t in texts]
        return [
            _apply_hint(float(s), c, h, self.band)
            for s, c, h in zip(scores, cues, checked, strict=True)
        ]

    def classify(
        self, texts: Sequence[str], *, hints: Sequence[str | None] | None = None
    ) -> list[Polarity]:
        """Embed and label each statement."""
        vectors = self._embed(texts) if texts else np.zeros((0, 1))
        return self.classify_vectors(texts, vectors, hints=hints)


class HybridPolarity:
    """The default: a weighted mean of the lexicon and embedding scores.

    Without an embed function it is the lexicon classifier. The lexicon weighs more because its
    cues are explicit; the embedding rescues statements with no sentiment words ("still no
    appointment after six weeks").
    """

    def __init__(
        self,
        embed: EmbedFn | None = None,
        *,
        lexicon_weight: float = 0.6,
        band: float = 0.05,
    ) -> None:
        self.lexicon = LexiconPolarity(band=band)
        self._embed = embed
        self.embedding = EmbeddingPolarity(embed) if embed is not None else None
        self.lexicon_weight, self.band = lexicon_weight, band

    def classify_vectors(
        self,
        texts: Sequence[str],
        vectors: NDArray[np.floating] | None,
        *,
        hints: Sequence[str | None] | None = None,
    ) -> list[Polarity]:
        """Label statements, using their embeddings when given."""
        checked = _check_hints(texts, hints)
        scored = [self.lexicon.score_with_cues(t) for t in texts]
        lexical = np.array([s for s, _ in scored], dtype=np.float64)
        if self.embedding is not None and vectors is not None and len(texts) > 0:
            w = self.lexicon_weight
            lexical = w * lexical + (1.0 - w) * self.embedding.scores(vectors)
        return [
            _apply_hint(float(s), c, h, self.band)
            for s, (_, c), h in zip(lexical, scored, checked, strict=True)
        ]

    def classify(
        self, texts: Sequence[str], *, hints: Sequence[str | None] | None = None
    ) -> list[Polarity]:
        """Label each statement, embedding it when an embed function was given."""
        vectors = self._embed(texts) if self._embed is not None and texts else None
        return self.classify_vectors(texts, vectors, hints=hints)


def score_function(
    classifier: PolarityClassifier,
) -> Callable[[Sequence[str], Sequence[str | None]], list[float]]:
    """Adapt a classifier to a (texts, hints) -> scores callable, the shape the pipeline injects."""

    def score(texts: Sequence[str], hints: Sequence[str | None]) -> list[float]:
        return [p.score for p in classifier.classify(texts, hints=hints)]

    return score


POLARITY_CLASSIFIERS: dict[str, type[LexiconPolarity | EmbeddingPolarity | HybridPolarity]] = {
    "lexicon": LexiconPolarity,
    "embedding": EmbeddingPolarity,
    "hybrid": HybridPolarity,
}
