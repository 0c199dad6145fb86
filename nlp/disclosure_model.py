"""A semantic second pass for disclosure screening: nearest exemplars in MiniLM space.

The rules in ``nlp.screening`` run synchronously at submission and need no model; they miss
euphemism ("i wont be around much longer", "they got me a phone and now i do drops"). This
module embeds each clause of an answer and compares it with hand-written disclosure exemplars
and hard negatives (``resources/disclosure_exemplars.txt``). A clause flags when its nearest
disclosure exemplars are similar enough and beat its nearest negatives by a margin.

Loading torch and MiniLM costs seconds and hundreds of MB, so nothing heavy is imported here
at module level: the job worker calls ``screen_semantic`` shortly after submission, and the web
process keeps calling the rules alone. Results are ``Screening`` values: category codes, no text.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from nlp.screening import (
    CATEGORIES,
    PROFESSIONAL_WRITERS,
    WRITERS,
    Screening,
    Writer,
    describes_case,
    screen,
)

log = logging.getLogger(__name__)

NEGATIVE = "negative"
# Tuned on the dev, holdout1 and holdout splits only, never on fresh or semantic.
THRESHOLD = 0.40
MARGIN = 0.04
NEIGHBOURS = 2
_SENTENCE = re.compile(r"[.!?;:\n\r]+|\s[-\u2013\u2014]\s")
_CONTRAST = re.compile(r",|\s(?:but|although|though|however|tho|except)\s", re.IGNORECASE)
# What someone is reported to have said ("the boy told me [his dad hits him]") reads like the
# exemplars written in a child's own words, so it is compared on its own too.
_REPORTED = re.compile(
    r"\s(?:said|says|told (?:me|us|him|her|them|staff|[a-z]+ teacher)|tells (?:me|us)|"
    r"disclosed|mentioned|admitted)(?: that)?\s",
    re.IGNORECASE,
)
_MIN_WORDS = 3


class TextEmbedder(Protocol):
    """Turn texts into L2-normalised vectors, one row per text (``nlp.embedding`` embedders)."""

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]: ...


@dataclass(frozen=True)
class Exemplars:
    """The exemplar bank: disclosure texts with their category codes, and hard negatives."""

    positives: tuple[str, ...]
    categories: tuple[str, ...]
    negatives: tuple[str, ...]


def parse_exemplars(text: str) -> Exemplars:
    """Parse ``[category]`` sections of one statement per line; ``[negative]`` holds negatives."""
    positives: list[str] = []
    categories: list[str] = []
    negatives: list[str] = []
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            if section not in CATEGORIES and section != NEGATIVE:
                raise ValueError(f"unknown exemplar section {section!r}")
        elif section == NEGATIVE:
            negatives.append(line)
        elif section:
            positives.append(line)
            categories.append(section)
        else:
            raise ValueError("exemplar line before any [section]")
    return Exemplars(tuple(positives), tuple(categories), tuple(negatives))


@lru_cache(maxsize=1)
def load_exemplars() -> Exemplars:
    """Load the bundled exemplar bank."""
    path = resources.files("nlp.resources").joinpath("disclosure_exemplars.txt")
    return parse_exemplars(path.read_text(encoding="utf-8"))


def split_clauses(text: str) -> list[str]:
    """Return the units to compare: the whole text, its sentences, their contrast clauses and
    what someone is reported to have said in them.

    A disclosure is often one clause inside an ordinary answer ("the club was fun, but ..."),
    and averaging it with the rest dilutes it; the whole text is kept too because some
    disclosures need both halves ("i sleep at my mates so i dont have to be home").
    """
    whole = " ".join(unicodedata.normalize("NFKC", text).split())
    units = [whole] if whole else []
    for sentence in _SENTENCE.split(whole):
        sentence = sentence.strip(" ,")
        parts = [p.strip() for p in _CONTRAST.split(sentence)]
        reported = [p.strip(" ,'\"") for p in _REPORTED.split(sentence)[1:]]
        for unit in [sentence, *(parts if len(parts) > 1 else []), *reported]:
            if len(unit.split()) >= _MIN_WORDS and unit not in units:
                units.append(unit)
    return units


def _top_mean(sims: NDArray[np.float32], k: int) -> NDArray[np.float32]:
    """Return the mean of the ``k`` largest values in each row."""
    k = min(k, sims.shape[1])
    top: NDArray[np.float32] = np.sort(sims, axis=1)[:, -k:].mean(axis=1).astype(np.float32)
    return top


@dataclass(frozen=True)
class StoredBank:
    """The exemplar bank's vectors on disk, named by a hash of the model id and the texts."""

    path: Path
    rows: int

    def read(self) -> NDArray[np.float32] | None:
        """Return the stored vectors, or None when missing or of the wrong shape."""
        try:
            vectors = np.load(self.path)
        except (OSError, ValueError):
            return None
        return vectors.astype(np.float32) if vectors.shape[0] == self.rows else None

    def write(self, vectors: NDArray[np.float32]) -> None:
        """Keep the vectors for the next start; a read-only folder only costs that speed-up."""
        temporary = self.path.with_name(f".{self.path.stem}-{os.getpid()}.npy")
        try:
            np.save(temporary, vectors)
            os.replace(temporary, self.path)
        except OSError:
            log.info("semantic screen: exemplar vectors not kept (folder not writable)")


class EmbeddingScreen:
    """Flag texts whose clauses sit near disclosure exemplars and away from hard negatives."""

    def __init__(
        self,
        embedder: TextEmbedder,
        exemplars: Exemplars | None = None,
        *,
        threshold: float = THRESHOLD,
        margin: float = MARGIN,
        neighbours: int = NEIGHBOURS,
        bank_folder: Path | None = None,
    ) -> None:
        self.embedder = embedder
        self.bank_folder = bank_folder
        self.exemplars = exemplars or load_exemplars()
        self.threshold = threshold
        self.margin = margin
        self.neighbours = neighbours
        self._bank: tuple[NDArray[np.float32], NDArray[np.float32]] | None = None

    def _vectors(self) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """Embed the exemplar bank once, on first use."""
        if self._bank is None:
            bank = self.exemplars
            texts = [*bank.positives, *bank.negatives]
            stored = self._stored_bank(texts)
            vectors = stored.read() if stored else None
            if vectors is None:
                vectors = self.embedder.embed(texts)
                if stored:
                    stored.write(vectors)
            self._bank = (vectors[: len(bank.positives)], vectors[len(bank.positives) :])
        return self._bank

    def _stored_bank(self, texts: Sequence[str]) -> StoredBank | None:
        """Return where this model's vectors of exactly these exemplars are kept, if anywhere."""
        model_id = getattr(self.embedder, "model_id", None)
        if self.bank_folder is None or not model_id:
            return None
        key = hashlib.sha256("\n".join([model_id, *texts]).encode("utf-8")).hexdigest()
        return StoredBank(self.bank_folder / f"exemplars-{key[:24]}.npy", len(texts))

    def unit_scores(self, units: Sequence[str]) -> tuple[NDArray[np.float32], ...]:
        """Return per unit: disclosure score, negative score and nearest exemplar index."""
        positives, negatives = self._vectors()
        vectors = self.embedder.embed(list(units))
        pos_sims = vectors @ positives.T
        neg_sims = vectors @ negatives.T if len(negatives) else np.zeros((len(units), 1))
        k = self.neighbours
        nearest = np.argmax(pos_sims, axis=1).astype(np.float32)
        return _top_mean(pos_sims, k), _top_mean(neg_sims.astype(np.float32), k), nearest

    def screen(self, texts: Sequence[str], *, writer: Writer = "unknown") -> list[Screening]:
        """Screen texts in one batch; a text flags when any of its units does.

        A practitioner's or organisation's text is screened only if it describes a specific
        child or family now (``nlp.screening.describes_case``): policy talk sits close to the
        exemplars' topics without being anyone's disclosure.
        """
        if writer not in WRITERS:
            raise ValueError(f"unknown writer {writer!r}")
        is_professional = writer in PROFESSIONAL_WRITERS
        units_by_text = [
            split_clauses(t) if not is_professional or describes_case(t) else [] for t in texts
        ]
        flat = [unit for units in units_by_text for unit in units]
        if not flat:
            return [Screening(flagged=False) for _ in texts]
        pos, neg, nearest = self.unit_scores(flat)
        is_hit = (pos >= self.threshold) & (pos - neg >= self.margin)
        results: list[Screening] = []
        start = 0
        for units in units_by_text:
            hits = [i for i in range(start, start + len(units)) if is_hit[i]]
            start += len(units)
            found = Counter(self.exemplars.categories[int(nearest[i])] for i in hits)
            reasons = tuple(c for c in CATEGORIES if c in found)
            results.append(Screening(flagged=bool(reasons), reasons=reasons))
        log.info(
            "semantic screen: texts=%d units=%d flagged=%d",
            len(texts),
            len(flat),
            sum(r.flagged for r in results),
        )
        return results


@lru_cache(maxsize=1)
def default_screen() -> EmbeddingScreen:
    """Return the process-wide MiniLM screen (the model loads on first ``screen`` call).

    It shares the process's MiniLM with theming; the exemplar bank's vectors are kept beside
    the ONNX export, so a worker that has just started does not embed the bank again.
    """
    from nlp.embedding import shared_minilm
    from nlp.onnx_embedding import default_folder

    return EmbeddingScreen(shared_minilm(), bank_folder=default_folder())


def screen_semantic(texts: Sequence[str], *, writer: Writer = "unknown") -> list[Screening]:
    """Screen a batch of texts by one kind of writer with the MiniLM exemplar screen."""
    return default_screen().screen(texts, writer=writer)


def merge(first: Screening, second: Screening) -> Screening:
    """Return one screening flagged if either is, with the union of their reasons."""
    found = set(first.reasons) | set(second.reasons)
    reasons = tuple(c for c in CATEGORIES if c in found)
    return Screening(flagged=first.flagged or second.flagged, reasons=reasons)


def combined_screen(
    texts: Sequence[str], *, semantic: bool, writer: Writer = "unknown"
) -> list[Screening]:
    """Screen with the rules, and OR in the semantic screen when ``semantic`` is true."""
    rules = [screen(text, writer=writer) for text in texts]
    if not semantic:
        return rules
    both = zip(rules, screen_semantic(texts, writer=writer), strict=True)
    return [merge(r, s) for r, s in both]
