"""Update mode: new statements join the theme they clearly belong to, a distant group becomes an
emerging theme, an ambiguous statement stays unthemed, and the same input gives the same result."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import pytest

from nlp.assign import assign, emerging_groups, fit_themes, min_theme_size
from nlp.pipeline import ThemingPipeline, _IdentityRedactor
from nlp.theming import SklearnThemer

TOPICS = ("parking", "staff", "food", "wifi")


class TopicEmbedder:
    """A vector per topic word in the text; the corpus ("Comment ...") has a little noise."""

    is_cacheable = True
    model_id = "topics-test"

    def embed(self, texts: Sequence[str], progress: object = None) -> np.ndarray:
        rows = []
        for text in texts:
            rng = np.random.default_rng(zlib.crc32(text.encode()))
            vector = rng.normal(0, 0.08, 16) * text.startswith("Comment")
            vector[15] += 0.01  # never all zero
            for i, word in enumerate(TOPICS):
                if word in text.lower():
                    vector[i] += 1.0
            rows.append(vector / np.linalg.norm(vector))
        return np.asarray(rows, dtype=np.float32)


def _texts(word: str, n: int, start: int = 0) -> list[str]:
    return [f"Comment {i} about the {word} here" for i in range(start, start + n)]


@pytest.fixture
def pipeline() -> ThemingPipeline:
    return ThemingPipeline(
        embedder=TopicEmbedder(), themer=SklearnThemer(), redactor=_IdentityRedactor()
    )


@pytest.fixture
def earlier(pipeline: ThemingPipeline):
    texts = _texts("parking", 12) + _texts("staff", 12) + _texts("food", 12)
    result = pipeline.run(texts, answer_ids=[f"a{i}" for i in range(len(texts))])
    assert len(result.themes) == 3
    return result


def _theme_of(result, word: str) -> int:
    for theme in result.themes:
        if all(word in result.statements[i].text for i in theme.statement_indices):
            return theme.id
    raise AssertionError(word)


def test_a_statement_near_a_theme_joins_it(pipeline, earlier):
    updated = pipeline.update(earlier, ["The parking was hard to find"], answer_ids=["n1"])
    parking = _theme_of(earlier, "parking")
    new = [s for s in updated.result.statements if s.answer_id == "n1"]
    assert [s.theme for s in new] == [parking]
    assert updated.summary.assigned == 1 and updated.summary.unthemed == 0
    size = {t.id: t.size for t in updated.result.themes}
    assert size[parking] == 13
    assert [t.label for t in updated.result.themes] == [t.label for t in earlier.themes]


def test_a_distant_group_becomes_an_emerging_theme_with_its_own_name(pipeline, earlier):
    wifi = _texts("wifi", 12, start=100)
    updated = pipeline.update(earlier, wifi, answer_ids=[f"w{i}" for i in range(12)])
    assert updated.summary.emerging_themes == 1 and updated.summary.emerging_statements == 12
    emerging = [t for t in updated.result.themes if updated.summary.origin[t.id] is None]
    assert len(emerging) == 1 and emerging[0].size == 12
    assert emerging[0].id not in {t.id for t in earlier.themes}
    assert emerging[0].label not in {t.label for t in earlier.themes}
    assert {updated.summary.origin[t.id] for t in earlier.themes} == {t.id for t in earlier.themes}


def test_too_few_distant_statements_stay_unthemed(pipeline, earlier):
    updated = pipeline.update(earlier, _texts("wifi", 3, 100), answer_ids=["w1", "w2", "w3"])
    assert updated.summary.emerging_themes == 0 and updated.summary.unthemed == 3
    assert len(updated.result.themes) == 3


def test_a_statement_between_two_themes_stays_unthemed(pipeline, earlier):
    updated = pipeline.update(earlier, ["The parking staff"], answer_ids=["n1"])
    new = [s for s in updated.result.statements if s.answer_id == "n1"]
    assert [s.theme for s in new] == [None]
    assert updated.summary.unthemed == 1


def test_statements_of_removed_answers_leave_their_themes(pipeline, earlier):
    updated = pipeline.update(earlier, [], answer_ids=[], removed=["a0", "a1"])
    parking = _theme_of(earlier, "parking")
    assert {t.id: t.size for t in updated.result.themes}[parking] == 10
    assert not {"a0", "a1"} & {s.answer_id for s in updated.result.statements}
    assert updated.summary.removed_answers == 2


def test_the_same_update_gives_the_same_result(pipeline, earlier):
    texts = _texts("wifi", 12, 100) + ["The parking was hard to find", "The parking staff"]
    ids = [f"n{i}" for i in range(len(texts))]
    first = pipeline.update(earlier, texts, answer_ids=ids).result.to_dict()
    again = pipeline.update(earlier, texts, answer_ids=ids).result.to_dict()
    first.pop("timings"), again.pop("timings")
    assert first == again
    assert [s["theme"] for s in first["statements"][-2:]] == [_theme_of(earlier, "parking"), None]


def test_the_joining_threshold_follows_the_themes_own_members():
    rng = np.random.default_rng(0)
    tight = np.eye(8)[0] + rng.normal(0, 0.02, (20, 8))
    loose = np.eye(8)[1] + rng.normal(0, 0.4, (20, 8))
    fit = fit_themes(np.vstack([tight, loose]), [0] * 20 + [1] * 20)
    assert fit.thresholds[0] > 0.9 > fit.thresholds[1] >= 0.3
    # Equally far from each centroid (cosine ~0.7): too far for the tight theme.
    probe = np.eye(8)[0] + np.eye(8)[2]
    assert assign(fit, probe[None, :]).tolist() == [-1]
    probe = np.eye(8)[1] + 0.9 * np.eye(8)[3]
    assert assign(fit, probe[None, :]).tolist() == [1]


def test_emerging_groups_keep_cohesive_groups_of_the_minimum_size():
    rng = np.random.default_rng(1)
    group = np.eye(8)[4] + rng.normal(0, 0.05, (6, 8))
    scattered = rng.normal(0, 1, (5, 8))
    labels = emerging_groups(np.vstack([group, scattered]), min_size=5, cohesion=0.8)
    assert labels[:6].tolist() == [0] * 6
    assert (labels[6:] == -1).all()
    assert min_theme_size([]) == 5 and min_theme_size([40, 50, 60, 70]) == 43
