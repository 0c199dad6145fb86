"""Non-answers found from the data: content-free, like a known one, or a repeated placeholder."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.embedding import HashingEmbedder
from nlp.non_answers import EXEMPLARS, content_free_form, found_in_data
from nlp.pipeline import ThemingPipeline, _IdentityRedactor
from nlp.theming import SklearnThemer


@pytest.mark.parametrize(
    "text",
    ["Honestly nothing", "Nothing whatsoever!", "For me, nothing right now", "Absolutely nothing."],
)
def test_hedged_refusals_are_content_free(text: str) -> None:
    assert content_free_form(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "Not yet",  # an answer whose meaning depends on the question
        "Nothing, excellent care",
        "Everything",
        "Nothing to improve, the course was great",
        "I think so",
    ],
)
def test_answers_with_something_in_them_are_not_content_free(text: str) -> None:
    assert content_free_form(text) is None


def _world(rows: list[tuple[str, list[float]]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Texts with hand-made 3-d vectors; the exemplars all point along the first axis."""
    texts = [t for t, _ in rows]
    vectors = np.array([v for _, v in rows], dtype=np.float32)
    exemplars = np.tile(np.array([[1.0, 0.0, 0.0]], dtype=np.float32), (len(EXEMPLARS), 1))
    return texts, vectors, exemplars


def test_a_placeholder_repeated_across_many_answers_is_found() -> None:
    placeholder = ("Response not provided", [0.7, 0.7, 0.0])  # cosine 0.71: only repetition tells
    topic = ("Parking at the venue", [0.0, 1.0, 0.0])
    rows = [placeholder] * 30 + [topic] * 70
    texts, vectors, exemplars = _world(rows)
    found = found_in_data(texts, vectors, exemplars, list(range(len(rows))))
    assert set(found) == set(range(30))
    assert set(found.values()) == {"response not provided"}


def test_the_same_placeholder_said_once_is_kept_as_an_answer() -> None:
    rows = [("Response not provided", [0.7, 0.7, 0.0])] + [("Parking", [0.0, 1.0, 0.0])] * 99
    texts, vectors, exemplars = _world(rows)
    assert found_in_data(texts, vectors, exemplars, list(range(len(rows)))) == {}


def test_an_opinion_repeated_by_many_is_an_answer_however_close() -> None:
    rows = [("Very good", [0.9, 0.1, 0.0])] * 40 + [("Parking", [0.0, 1.0, 0.0])] * 60
    texts, vectors, exemplars = _world(rows)
    assert found_in_data(texts, vectors, exemplars, list(range(len(rows)))) == {}


def test_a_short_text_very_like_a_known_non_answer_is_found_once() -> None:
    rows = [("Nothin", [0.95, 0.05, 0.0]), ("Not answered here", [0.6, 0.8, 0.0])]
    rows += [("Parking", [0.0, 1.0, 0.0])] * 98
    texts, vectors, exemplars = _world(rows)
    assert found_in_data(texts, vectors, exemplars, list(range(len(rows)))) == {0: "nothin"}


def test_a_placeholder_counts_answers_not_statements() -> None:
    rows = [("Response not provided", [0.7, 0.7, 0.0])] * 30 + [("Parking", [0.0, 1.0, 0.0])] * 70
    texts, vectors, exemplars = _world(rows)
    one_answer = [0] * 30 + list(range(1, 71))  # the same answer repeating itself 30 times
    assert found_in_data(texts, vectors, exemplars, one_answer) == {}


def test_the_pipeline_leaves_a_surveys_placeholder_out_of_its_themes() -> None:
    placeholder = "Not answered"
    answers = [placeholder] * 40
    answers += [f"The trainer explained the {w} procedure clearly" for w in ["referral"] * 30]
    answers += [f"Parking at the venue was {w}" for w in ["difficult", "expensive"] * 15]
    pipeline = ThemingPipeline(
        embedder=HashingEmbedder(), themer=SklearnThemer(), redactor=_IdentityRedactor()
    )
    result = pipeline.run(answers)
    assert result.non_answers.get("not answered") == 40
    assert result.non_answer_count == 40
    themed = {i for theme in result.themes for i in theme.statement_indices}
    assert not any(result.statements[i].text == placeholder for i in themed)
    assert all(placeholder.lower() not in theme.label.lower() for theme in result.themes)
