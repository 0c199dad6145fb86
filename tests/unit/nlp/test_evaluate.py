"""Tests for the evaluation harness, its metrics and its baselines (no UMAP)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from nlp import baselines
from nlp.commands import evaluate
from nlp.embedding import TfidfEmbedder
from nlp.metrics import npmi, topic_diversity

FIXTURE = Path(__file__).parents[2] / "fixtures" / "feedback_small.csv"
KEYS = {
    "n",
    "n_themes",
    "outlier_rate",
    "ami",
    "nmi",
    "ari",
    "npmi",
    "topic_diversity",
    "stability_ari",
    "stability_1pct",
    "seconds",
    "embed_seconds",
    "peak_rss_mb",
}


@pytest.mark.slow  # the default themer is BERTopic
def test_harness_prints_every_metric(capsys: pytest.CaptureFixture[str]) -> None:
    assert evaluate.main([str(FIXTURE), "--embedder", "tfidf", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert KEYS <= set(result)
    assert result["n"] == 198  # 10 unlabelled non-answers and 4 multi-label rows dropped
    assert result["ami"] > 0.5 and result["stability_ari"] == 1.0
    assert 0.0 <= result["stability_1pct"] <= 1.0
    assert 0 <= result["embed_seconds"] <= result["seconds"]


def test_multi_label_rows_keep_their_first_label() -> None:
    texts, gold = evaluate.load_rows(
        str(FIXTURE), text_col="text", label_col="label", limit=None, multi_label=True
    )
    assert len(texts) == 202 and "|" not in "".join(gold)
    limited, _ = evaluate.load_rows(
        str(FIXTURE), text_col="text", label_col="label", limit=50, multi_label=False
    )
    assert len(limited) == 50


def test_baselines_report_the_same_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    # Vanilla BERTopic needs UMAP (numba JIT): stand in with the TF-IDF k-means baseline.
    monkeypatch.setattr(baselines, "vanilla_bertopic", lambda texts, v: baselines.lda(texts, 3))
    texts, gold = evaluate.load_rows(
        str(FIXTURE), text_col="text", label_col="label", limit=None, multi_label=False
    )
    result = baselines.run_baselines(texts, gold, TfidfEmbedder(), seed=0)
    assert set(result) == {"vanilla_bertopic", "lda", "tfidf_kmeans", "minilm_kmeans_true_k"}
    for scores in result.values():
        assert KEYS - {"n", "embed_seconds", "peak_rss_mb", "stability_1pct"} <= set(scores)
    assert result["minilm_kmeans_true_k"]["n_themes"] == 6


def test_npmi_matches_hand_computation() -> None:
    docs = ["cold room", "cold room", "parking cost", "parking"]
    # P(cold)=P(room)=P(cold,room)=0.5 -> log(0.5/0.25)/-log(0.5) = 1
    assert npmi(docs, [["cold", "room"]]) == pytest.approx(1.0, abs=1e-6)
    # never together: close to -1 (OCTIS/gensim add eps = 1e-12 to the joint probability)
    never = math.log(1e-12 / 0.25) / -math.log(1e-12)
    assert npmi(docs, [["cold", "parking"]]) == pytest.approx(never, abs=1e-4)
    p = 0.5 * 0.5  # P(parking)=0.5, P(cost)=0.25, joint 0.25
    expected = math.log(0.25 / (0.5 * 0.25)) / -math.log(p)
    assert npmi(docs, [["parking", "cost"]]) == pytest.approx(expected, abs=1e-6)


def test_topic_diversity_counts_unique_words() -> None:
    assert topic_diversity([["a", "b"], ["a", "c"]], top_n=2) == 0.75


def test_answer_labels_mark_non_answers() -> None:
    class Report:
        def answer_themes(self) -> list[int | None]:
            return [3, None, 0]

    assert evaluate.answer_labels(Report()) == [3, evaluate.NON_ANSWER, 0]
    assert np.array_equal(np.array(evaluate.answer_labels(Report())) >= 0, [True, False, True])
