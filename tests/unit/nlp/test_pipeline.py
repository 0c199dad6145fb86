"""Tests for ThemingPipeline and ThemingResult on the fixture corpus (fast stand-ins)."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.metrics import adjusted_mutual_info_score

from nlp.embedding import HashingEmbedder, TfidfEmbedder, Vectors
from nlp.pipeline import STEPS, ThemingPipeline, _IdentityRedactor
from nlp.result import ThemingResult
from nlp.theming import SklearnThemer

FIXTURE = Path(__file__).parents[2] / "fixtures" / "feedback_small.csv"


def fixture_rows() -> list[dict[str, str]]:
    with FIXTURE.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


class MaskingRedactor:
    """Replace "MASH" so tests can see redaction happen before embedding."""

    def redact(self, text: str) -> SimpleNamespace:
        return SimpleNamespace(text=text.replace("MASH", "[ORG]"))


class RecordingEmbedder(HashingEmbedder):
    """Remember what it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def embed(self, texts: Sequence[str], progress: object = None) -> Vectors:
        self.seen.extend(texts)
        return super().embed(texts)


def fast_pipeline(**options: object) -> ThemingPipeline:
    defaults: dict[str, object] = {
        "embedder": TfidfEmbedder(),
        "themer": SklearnThemer(),
        "redactor": _IdentityRedactor(),
    }
    return ThemingPipeline(**{**defaults, **options})  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def report() -> ThemingResult:
    rows = fixture_rows()
    return fast_pipeline().run([r["text"] for r in rows], answer_ids=[r["id"] for r in rows])


def test_themes_recover_fixture_topics(report: ThemingResult) -> None:
    rows = fixture_rows()
    per_answer = report.answer_themes()
    scored = [i for i, r in enumerate(rows) if r["label"] and "|" not in r["label"]]
    gold = [rows[i]["label"] for i in scored]
    assert adjusted_mutual_info_score(gold, [per_answer[i] for i in scored]) > 0.5
    assert 4 <= len(report.themes) <= 12


def test_non_answers_are_counted_not_clustered(report: ThemingResult) -> None:
    assert report.non_answer_count == 10
    assert sum(report.non_answers.values()) == 10
    non_answers = [s for s in report.statements if s.is_non_answer]
    assert all(s.theme is None for s in non_answers)
    clustered = {i for t in report.themes for i in t.statement_indices}
    assert not clustered & {i for i, s in enumerate(report.statements) if s.is_non_answer}
    assert report.outlier_rate <= 0.1


def test_split_answers_feed_several_themes(report: ThemingResult) -> None:
    by_answer: dict[str, list[int | None]] = {}
    for s in report.statements:
        by_answer.setdefault(str(s.answer_id), []).append(s.theme)
    multi = [themes for themes in by_answer.values() if len(themes) > 1]
    assert len(multi) == 4
    assert any(len(set(themes)) > 1 for themes in multi)


def test_theme_members_and_quotes_agree(report: ThemingResult) -> None:
    for theme in report.themes:
        assert theme.size == len(theme.statement_indices)
        assert all(report.statements[i].theme == theme.id for i in theme.statement_indices)
        assert 1 <= len(theme.quotes) <= 5
        assert set(theme.quote_indices) <= set(theme.statement_indices)
        assert theme.quotes == [report.statements[i].text for i in theme.quote_indices]
        assert 1 <= len(theme.label.split()) <= 6
        assert len(theme.centroid) > 0 and theme.keywords
    assert sum(t.share for t in report.themes) == pytest.approx(1.0, abs=0.01)


def test_sub_themes_point_at_their_parent(report: ThemingResult) -> None:
    parents = {t.id: t for t in report.themes}
    for sub in report.sub_themes:
        assert sub.id in parents[sub.parent].sub_themes  # type: ignore[index]
        assert set(sub.statement_indices) <= set(parents[sub.parent].statement_indices)  # type: ignore[index]


def test_report_says_how_it_was_made(report: ThemingResult) -> None:
    config = report.config
    assert config["seed"] == 0 and config["embedder"]["model_id"] == "tfidf-svd-100"
    assert config["themer"]["name"] == "sklearn" and "split" in config["steps"]
    assert json.loads(report.to_json())["non_answer_count"] == 10


def test_same_seed_same_report() -> None:
    texts = [r["text"] for r in fixture_rows()]
    first, again = fast_pipeline().run(texts), fast_pipeline().run(texts)
    assert [s.theme for s in first.statements] == [s.theme for s in again.statements]
    assert [t.label for t in first.themes] == [t.label for t in again.themes]


def test_redaction_runs_before_embedding() -> None:
    embedder = RecordingEmbedder()
    report = fast_pipeline(embedder=embedder, redactor=MaskingRedactor()).run(
        ["The MASH never calls back after a referral", "The MASH phone line rings out"]
    )
    assert embedder.seen and not any("MASH" in t for t in embedder.seen)
    assert not any("MASH" in s.text for s in report.statements)


def test_progress_and_polarity_are_reported() -> None:
    stages: list[str] = []
    calls: list[Sequence[str | None]] = []

    def polarity(texts: Sequence[str], hints: Sequence[str | None]) -> list[float]:
        calls.append(hints)
        return [-1.0 if "cold" in t else 1.0 for t in texts]

    texts = ["The room was cold", "Great trainer", "n/a", "Cold venue and cold lunch"]
    report = fast_pipeline(polarity=polarity).run(
        texts,
        polarity_hints=["improve", "positive", None, "improve"],
        progress=lambda stage, done, total: stages.append(stage),
    )
    assert {"redact", "embed", "cluster"} <= set(stages)
    assert list(calls[0]) == ["improve", "positive", "improve"]
    assert [s.polarity for s in report.statements if not s.is_non_answer] == [-1.0, 1.0, -1.0]
    assert all(t.polarity is not None for t in report.themes)


def test_polarity_classifier_objects_are_accepted() -> None:
    class Classifier:
        def classify(
            self, texts: Sequence[str], *, hints: Sequence[str | None] | None = None
        ) -> list[SimpleNamespace]:
            return [SimpleNamespace(score=0.5) for _ in texts]

    report = fast_pipeline(polarity=Classifier()).run(["The room was cold", "Great trainer"])
    assert [s.polarity for s in report.statements] == [0.5, 0.5]


def test_empty_and_all_non_answer_input() -> None:
    assert fast_pipeline().run([]).themes == []
    report = fast_pipeline().run(["n/a", "Nothing", ""])
    assert report.themes == [] and report.non_answer_count == 2
    assert report.answer_themes() == [None, None, None]


def test_steps_come_from_the_registry() -> None:
    pipeline = ThemingPipeline.from_config(
        {"embedder": "hashing", "themer": "sklearn", "redactor": "identity", "seed": 4}
    )
    assert isinstance(pipeline.embedder, STEPS["embedder"]["hashing"])
    assert pipeline.seed == 4
    assert pipeline.run(["The room was cold", "Parking was hard"]).config["seed"] == 4


@pytest.mark.slow
def test_minilm_end_to_end_on_fixture(minilm) -> None:
    rows = fixture_rows()
    report = ThemingPipeline(embedder=minilm).run([r["text"] for r in rows])
    scored = [i for i, r in enumerate(rows) if r["label"] and "|" not in r["label"]]
    per_answer = report.answer_themes()
    ami = adjusted_mutual_info_score(
        [rows[i]["label"] for i in scored], [per_answer[i] for i in scored]
    )
    assert ami > 0.6
    assert np.isclose(sum(t.share for t in report.themes), 1.0, atol=0.01)


def test_each_theme_has_a_summary_and_quotes_for_each_tone_from_its_own_statements() -> None:
    rows = fixture_rows()
    texts = [r["text"] for r in rows]

    def polarity(found: Sequence[str], hints: Sequence[str | None]) -> list[float]:
        return [-0.5 if i % 2 else 0.5 for i in range(len(found))]

    report = fast_pipeline(polarity=polarity).run(texts, answer_ids=[r["id"] for r in rows])
    statements = report.statements
    summarised = [t for t in report.themes if t.summary]
    assert len(summarised) >= len(report.themes) // 2
    for theme in summarised:
        assert theme.summary_index in theme.statement_indices
        assert theme.summary[0].isupper() and theme.summary[-1] in ".!?\"'”’)"
        assert theme.summary[:-1].lower() in statements[theme.summary_index].text.lower() + "."
    for theme in report.themes:
        praise, criticism = (
            theme.tone_quote_indices["works_well"],
            theme.tone_quote_indices["must_change"],
        )
        assert set(praise + criticism) <= set(theme.statement_indices)
        assert all((statements[i].polarity or 0) > 0 for i in praise)
        assert all((statements[i].polarity or 0) < 0 for i in criticism)
