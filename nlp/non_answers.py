"""Non-answers: what people write when they have nothing to say, known by rule or found in the data.

A word list cannot know every survey's placeholder ("No response given", "Not stated", a
template line pasted into every empty box), so a statement is a non-answer when any of these
holds, checked in this order:

1. **Known**: after padding is stripped ("thanks", "really", "at all") it is one of the forms in
   `NON_ANSWERS` ("n/a", "nothing", "see above"). This runs before redaction.
2. **Content-free**: every word is non-answer vocabulary ("Honestly nothing", "Nothing
   whatsoever", "For me, nothing right now"). The vocabulary is the words of the known forms
   plus hedges; no topic word and no opinion word is in it.
3. **Like a known one**: it is short (at most `NEAR_MAX_WORDS` words), carries no opinion word,
   and its embedding lies within `NEAR_COSINE` of a known non-answer ("Not answered", "Nothin",
   "Left blank").
4. **A placeholder**: the same text stands in for an answer in at least `PLACEHOLDER_SHARE` of
   the answers (and `PLACEHOLDER_MIN_ANSWERS` answers), is at most `PLACEHOLDER_MAX_WORDS` words
   long, carries no opinion word, and lies within `PLACEHOLDER_COSINE` of a known non-answer.
   Repetition on that scale is what a form's default text does; a real answer repeated that often
   is an opinion ("Very good") or a topic ("Parking"), and those are kept.

Rules 3 and 4 need the run's embeddings and run after redaction, so the form they record is the
redacted, lower-cased text. Measured on NHS Friends and Family comments (10,302, MiniLM): the
short texts above 0.75 to an exemplar were all non-answers once opinion words are excluded
("Absolutely nothing" 0.84, "Honestly nothing" 0.78, "Nothin" 0.77); "Nothing to mention" 0.61
and "Not much" 0.64 sit below, where "Everything" (0.61) and "A lot" (0.55) also sit, so the
single-text threshold stays high. A repeated placeholder may sit lower (0.6), because repetition
across many respondents is evidence of its own.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import cache

import numpy as np
from numpy.typing import NDArray

from nlp.text import normalise, word_count

# Content-free answers: counted, but never clustered. "Nothing" and "no" are here because they
# carry no theme of their own (their meaning depends on the question, which the caller knows);
# opinions such as "all good" or "nothing to improve, great course" stay in, because they are
# an answer a quality group wants to see as a theme ("satisfied, nothing to change").
NON_ANSWERS: frozenset[str] = frozenset(
    {
        "n a",
        "na",
        "none",
        "nothing",
        "no",
        "nil",
        "nope",
        "not applicable",
        "no comment",
        "no comments",
        "no further comments",
        "no further comment",
        "nothing to add",
        "nothing to say",
        "nothing to report",
        "nothing further",
        "nothing else",
        "none that i can think of",
        "nothing that i can think of",
        "can't think of anything",
        "cannot think of anything",
        "cant think of anything",
        "nothing comes to mind",
        "not a thing",
        "don't know",
        "dont know",
        "do not know",
        "i don't know",
        "not sure",
        "unsure",
        "no idea",
        "idk",
        "see above",
        "as above",
        "same as above",
        "see previous answer",
        "tbc",
        "x",
    }
)
# Exemplars for rules 3 and 4: the known forms written out as people write them, plus the
# placeholders forms and exports put in an empty box.
EXEMPLARS: tuple[str, ...] = (
    "nothing",
    "none",
    "no comment",
    "nothing to add",
    "nothing to say",
    "not applicable",
    "n/a",
    "don't know",
    "not sure",
    "see above",
    "same as above",
    "no answer",
    "not answered",
    "no response",
    "no response given",
    "did not answer",
    "declined to answer",
    "left blank",
    "not stated",
    "not known",
    "no feedback given",
    "no comment made",
)
NEAR_COSINE = 0.75
NEAR_MAX_WORDS = 4
PLACEHOLDER_SHARE = 0.01
PLACEHOLDER_MIN_ANSWERS = 10
PLACEHOLDER_MAX_WORDS = 6
PLACEHOLDER_COSINE = 0.6

# Polite padding that does not change whether an answer says anything.
_FILLER = re.compile(
    r"\b(thanks|thank you|really|at all|at the moment|at present|currently|"
    r"i think|sorry|so far|as such|else|specific|in particular)\b"
)
# Hedges and small words that carry neither a topic nor an opinion.
_HEDGES = frozenset(
    "absolutely honestly whatsoever overall personally genuinely truly just really quite "
    "definitely certainly in my opinion for me from i im i'm as far concerned right now yet "
    "moment present time this stage point it is was that can could think of off comes mind "
    "to add say the a an at all else so far thanks thank you sorry currently any anything "
    "further more comment comments".split()
)
_REFUSALS = frozenset("nothing none nil nope na n no idk unsure tbc applicable".split())
_WORD = re.compile(r"[a-z0-9']+")
# Words that count as answering "yes/no/thanks", not as an opinion about the service.
_NOT_OPINIONS = frozenset({"no", "yes", "thanks", "thank", "please", "sorry", "ok", "okay"})


def known_form(text: str) -> str | None:
    """Return the canonical known non-answer (e.g. "nothing"), or None (rule 1)."""
    lowered = normalise(text).lower()
    if not re.search(r"[a-z0-9]", lowered):
        return "-"
    bare = _bare(lowered)
    for form in (bare, re.sub(r"^(no|none|nothing) (no|none|nothing)$", r"\1", bare)):
        if form in NON_ANSWERS:
            return form
    return None


def is_known_non_answer(text: str) -> bool:
    """Say whether the text is a known content-free answer such as "n/a" or "no comment"."""
    return known_form(text) is not None


def content_free_form(text: str) -> str | None:
    """Return the bare text when every word is non-answer vocabulary (rule 2), else None."""
    bare = _bare(normalise(text).lower())
    words = _WORD.findall(bare)
    if words and all(w in _vocabulary() for w in words) and _has_a_refusal(words):
        return bare
    return None


def found_in_data(
    texts: Sequence[str],
    vectors: NDArray[np.floating],
    exemplars: NDArray[np.floating],
    answer_of: Sequence[int],
) -> dict[int, str]:
    """Rules 2-4 over one run's redacted statements: {statement index: non-answer form}.

    `vectors` and `exemplars` are the embeddings (one row per text, per `EXEMPLARS` entry) from
    the same embedder; `answer_of` gives each statement's answer, so a placeholder's share is
    counted in answers, not statements.
    """
    found: dict[int, str] = {}
    keys = [_bare(normalise(t).lower()) for t in texts]
    answers_per_key: dict[str, set[int]] = {}
    for key, answer in zip(keys, answer_of, strict=True):
        answers_per_key.setdefault(key, set()).add(answer)
    n_answers = max(len(set(answer_of)), 1)
    closeness = _closeness(vectors, exemplars)
    for index, (text, key) in enumerate(zip(texts, keys, strict=True)):
        if not key:
            continue
        free = content_free_form(text)
        if free is not None:
            found[index] = free
            continue
        words = word_count(key)
        if words > PLACEHOLDER_MAX_WORDS or _has_an_opinion(key):
            continue
        repeated = len(answers_per_key[key])
        if words <= NEAR_MAX_WORDS and closeness[index] >= NEAR_COSINE:
            found[index] = key
        elif (
            repeated >= PLACEHOLDER_MIN_ANSWERS
            and repeated / n_answers >= PLACEHOLDER_SHARE
            and closeness[index] >= PLACEHOLDER_COSINE
        ):
            found[index] = key
    return found


def count_forms(forms: Sequence[str | None]) -> dict[str, int]:
    """Count each non-answer form, most common first."""
    return dict(Counter(f for f in forms if f is not None).most_common())


def _bare(lowered: str) -> str:
    bare = re.sub(r"[^a-z0-9' ]+", " ", lowered.replace("n/a", "n a"))
    bare = _FILLER.sub(" ", bare)
    return re.sub(r"\s+", " ", bare).strip()


def _closeness(
    vectors: NDArray[np.floating], exemplars: NDArray[np.floating]
) -> NDArray[np.float64]:
    """Each row's highest cosine to any exemplar (0 where there is nothing to compare)."""
    if len(vectors) == 0 or len(exemplars) == 0 or vectors.shape[1] != exemplars.shape[1]:
        return np.zeros(len(vectors))
    rows = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    known = exemplars / np.maximum(np.linalg.norm(exemplars, axis=1, keepdims=True), 1e-12)
    return np.asarray((rows @ known.T).max(axis=1), dtype=np.float64)


@cache
def _vocabulary() -> frozenset[str]:
    words = {w for form in NON_ANSWERS for w in _WORD.findall(form)}
    return frozenset(words | _HEDGES)


def _has_a_refusal(words: Sequence[str]) -> bool:
    """Content-free text must still refuse ("nothing", "none"): hedges alone ("I think so",
    "not yet") are an answer whose meaning depends on the question."""
    return any(w in _REFUSALS for w in words)


@cache
def _opinion_words() -> frozenset[str]:
    """Words with a sentiment of their own (VADER's lexicon), bar yes/no/thanks."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return frozenset(SentimentIntensityAnalyzer().lexicon) - _NOT_OPINIONS


def _has_an_opinion(bare: str) -> bool:
    return any(w in _opinion_words() for w in _WORD.findall(bare))
