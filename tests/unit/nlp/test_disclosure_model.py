"""Tests for the semantic disclosure screen: clauses, kNN scores, thresholds, margins, layering."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from nlp import disclosure_model
from nlp import screen as screen_cli
from nlp.disclosure_model import (
    EmbeddingScreen,
    Exemplars,
    combined_screen,
    load_exemplars,
    merge,
    parse_exemplars,
    split_clauses,
)
from nlp.screening import CATEGORIES, Screening

ROOT = Path(__file__).resolve().parents[3]
VOCABULARY = ("hurt", "belt", "home", "scared", "pills", "gone", "van", "drive", "training", "fun")


class WordEmbedder:
    """Count known words into one dimension each (the rest share one), then unit-normalise."""

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.calls += 1
        out = np.zeros((len(texts), len(VOCABULARY) + 1), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                word = word.strip(",.")
                out[row, VOCABULARY.index(word) if word in VOCABULARY else -1] += 1
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


BANK = Exemplars(
    positives=("hurt belt", "hurt belt hurt", "scared home", "pills gone", "van drive"),
    categories=(
        "harm_by_adult",
        "harm_by_adult",
        "fear_of_home",
        "suicidal_thoughts",
        "fear_of_home",
    ),
    negatives=("training hurt", "training pills gone"),
)


def _screen(**kwargs: float) -> EmbeddingScreen:
    params = {"threshold": 0.8, "margin": 0.05, "neighbours": 1} | kwargs
    return EmbeddingScreen(
        WordEmbedder(),
        BANK,
        threshold=params["threshold"],
        margin=params["margin"],
        neighbours=int(params["neighbours"]),
    )


def test_close_to_a_disclosure_exemplar_flags_with_its_category() -> None:
    flagged, ordinary = _screen().screen(["hurt belt", "fun fun fun"])
    assert flagged == Screening(flagged=True, reasons=("harm_by_adult",))
    assert ordinary == Screening(flagged=False, reasons=())


def test_threshold_decides_how_close_is_close_enough() -> None:
    # "hurt home" has cosine 0.5 with "scared home" and ~0.63 with "hurt belt hurt".
    assert _screen(threshold=0.6, margin=-1.0).screen(["hurt home"])[0].flagged
    assert not _screen(threshold=0.7, margin=-1.0).screen(["hurt home"])[0].flagged


def test_margin_lets_a_nearer_hard_negative_win() -> None:
    # "training pills gone" is nearer its negative twin (1.0) than "pills gone" (0.82).
    assert not _screen(threshold=0.5).screen(["training pills gone"])[0].flagged
    assert _screen(threshold=0.5, margin=-1.0).screen(["training pills gone"])[0].flagged


def test_neighbours_average_the_top_k_similarities() -> None:
    screen = _screen(neighbours=2)
    pos, neg, nearest = screen.unit_scores(["hurt belt"])
    # Top two positives: "hurt belt" (1.0) and "hurt belt hurt" (3/sqrt(10) ~ 0.949).
    assert pos[0] == pytest.approx((1.0 + 3 / np.sqrt(10)) / 2, abs=1e-5)
    assert neg[0] == pytest.approx((1 / 2 + 0.0) / 2, abs=1e-5)
    assert BANK.categories[int(nearest[0])] == "harm_by_adult"


def test_a_disclosure_clause_inside_an_ordinary_answer_flags() -> None:
    text = "the club was fun fun fun, but scared home home"
    whole = WordEmbedder().embed([text]) @ WordEmbedder().embed(["scared home"]).T
    assert whole[0, 0] < 0.8  # the whole answer alone would not reach the threshold
    assert _screen().screen([text]) == [Screening(flagged=True, reasons=("fear_of_home",))]


def test_split_clauses_keeps_whole_text_sentences_and_contrast_clauses() -> None:
    units = split_clauses("Club was great. I liked the games but i dont want to go home tonight")
    assert units[0] == "Club was great. I liked the games but i dont want to go home tonight"
    assert "I liked the games but i dont want to go home tonight" in units
    assert "i dont want to go home tonight" in units
    assert "Club was great" in units
    assert split_clauses("   ") == []
    assert split_clauses("ok. fine") == ["ok. fine"]  # fragments under three words are dropped


def test_split_clauses_keeps_what_a_practitioner_reports_a_child_said() -> None:
    units = split_clauses("Concern re a boy in Year 4: he told me that his dad hits him at night")
    assert "Concern re a boy in Year 4" in units
    assert "his dad hits him at night" in units  # compared like a child's own words


def test_bank_is_embedded_once_and_texts_in_one_batch() -> None:
    screen = _screen()
    screen.screen(["hurt belt", "fun"])
    screen.screen(["scared home"])
    assert screen.embedder.calls == 3  # type: ignore[attr-defined]
    assert screen.screen([]) == []


def test_parse_exemplars_rejects_unknown_sections_and_orphan_lines() -> None:
    bank = parse_exemplars("# note\n[self_harm]\ni cut\n\n[negative]\nthe course was good\n")
    assert bank == Exemplars(("i cut",), ("self_harm",), ("the course was good",))
    with pytest.raises(ValueError, match="unknown exemplar section"):
        parse_exemplars("[fgm]\nthey will cut me\n")
    with pytest.raises(ValueError, match="before any"):
        parse_exemplars("a line\n")


def test_bundled_bank_covers_every_category_and_copies_no_benchmark_row() -> None:
    bank = load_exemplars()
    assert len(bank.positives) >= 200 and len(bank.negatives) >= 100
    assert set(bank.categories) == set(CATEGORIES)
    lines = [*bank.positives, *bank.negatives]
    assert len(set(lines)) == len(lines)
    # Only the public labelled sets are read here; the blind set is never opened by tests.
    benchmark = set()
    for name in ("disclosure_set.csv", "disclosure_practitioner.csv"):
        with (ROOT / "benchmarks/data" / name).open(encoding="utf-8", newline="") as fh:
            benchmark |= {row["text"].lower() for row in csv.DictReader(fh)}
    assert not {line.lower() for line in lines} & benchmark


def test_merge_ors_flags_and_unions_reasons_in_category_order() -> None:
    a = Screening(flagged=True, reasons=("neglect",))
    b = Screening(flagged=True, reasons=("harm_by_adult", "neglect"))
    assert merge(a, b) == Screening(flagged=True, reasons=("harm_by_adult", "neglect"))
    assert merge(Screening(False), Screening(False)) == Screening(False)


def test_combined_screen_ors_rules_with_the_semantic_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(disclosure_model, "default_screen", lambda: _screen())
    texts = ["my dad hits me", "van drive", "fun fun"]  # the rules miss "van drive"
    assert [r.flagged for r in combined_screen(texts, semantic=False)] == [True, False, False]
    both = combined_screen(texts, semantic=True)
    assert [r.flagged for r in both] == [True, True, False]
    assert both[1].reasons == ("fear_of_home",)


def test_rules_only_path_never_imports_torch() -> None:
    code = (
        "import sys\n"
        "from nlp.disclosure_model import combined_screen\n"
        "assert combined_screen(['my dad hits me'], semantic=False)[0].flagged\n"
        "heavy = {'torch', 'sentence_transformers', 'sklearn'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr


@pytest.mark.nlp
def test_minilm_flags_euphemism_and_passes_training_feedback() -> None:
    disclosures = [
        "honestly dont think i'll make it to the summer, i've given my sister my stuff",
        "a lad from the estate says i have to carry a package to another town to clear what i owe",
        "i pretend i'm asleep when his van pulls onto the drive",
        "i wear a jumper in pe so sir doesnt see what mum did",
        "my uncle says i'm going to be married when we go back and i'm 14",
    ]
    feedback = [
        "The course on county lines and cuckooing was very informative.",
        "I now know the warning signs of a young person planning to end their life.",
        "we had a water fight at the park and my brother won",
        "Useful to discuss forced marriage and honour-based abuse with colleagues.",
        "i won't be here next week because we are going to spain",
    ]
    results = disclosure_model.screen_semantic([*disclosures, *feedback])
    assert [r.flagged for r in results] == [True] * 5 + [False] * 5


# Who is writing -----------------------------------------------------------------------------

CASE = "a boy in my class told me today; van drive van"  # a specific child, now
POLICY = "the van drive policy needs more training for staff"  # services, policy, training


def test_semantic_screen_needs_a_specific_case_from_a_practitioner() -> None:
    loose = _screen(threshold=0.2, margin=-1.0)  # anything with "van" or "drive" is close
    for writer in ("child", "family", "unknown"):
        assert [r.flagged for r in loose.screen([CASE, POLICY], writer=writer)] == [True, True]
    for writer in ("practitioner", "organisation"):
        assert [r.flagged for r in loose.screen([CASE, POLICY], writer=writer)] == [True, False]
    with pytest.raises(ValueError, match="unknown writer"):
        loose.screen([CASE], writer="teacher")  # type: ignore[arg-type]


def test_combined_screen_passes_the_writer_to_both_screens(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(disclosure_model, "default_screen", lambda: _screen(threshold=0.2))
    policy = "Having a neglect champion in each team helps keep it on the agenda. van drive"
    assert combined_screen([policy], semantic=True)[0].flagged
    found = combined_screen([policy], semantic=True, writer="practitioner")[0]
    assert found == Screening(flagged=False, reasons=())


def _run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str):
    monkeypatch.setattr("sys.stdin", io.StringIO("van drive\nfun fun fun\n"))
    assert screen_cli.main(list(args)) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_cli_screens_with_rules_and_semantic_by_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(disclosure_model, "default_screen", lambda: _screen())
    # "van drive" is a disclosure only the semantic screen (here a tiny fake) recognises.
    assert _run_cli(monkeypatch, capsys) == [
        {"flagged": True, "reasons": ["fear_of_home"]},
        {"flagged": False, "reasons": []},
    ]


def test_cli_rules_only_never_touches_the_semantic_screen(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse() -> EmbeddingScreen:
        raise AssertionError("--rules-only loaded the semantic screen")

    monkeypatch.setattr(disclosure_model, "default_screen", refuse)
    assert [r["flagged"] for r in _run_cli(monkeypatch, capsys, "--rules-only")] == [False, False]


def test_cli_rules_only_never_imports_torch() -> None:
    code = (
        "import io, sys\n"
        "sys.stdin = io.StringIO('my dad hits me\\n')\n"
        "from nlp import screen\n"
        "screen.main(['--rules-only', '--writer', 'child'])\n"
        "heavy = {'torch', 'sentence_transformers', 'transformers'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"flagged": True, "reasons": ["harm_by_adult"]}


@pytest.mark.nlp
def test_minilm_passes_practitioner_policy_talk_and_flags_a_specific_child() -> None:
    policy = [
        "Having a neglect champion in each team helps keep it on the agenda.",
        "We would like training on recognising exploitation and county lines.",
        "Domestic abuse referrals take too long and families give up waiting.",
        "Thresholds for self-harm referrals to CAMHS are set too high.",
        "Young people who go missing need return interviews within 72 hours.",
    ]
    cases = [
        "A Year 5 girl told me today that nobody has fed her since Friday.",
        "One of my families: the 3-year-old was alone in the flat when I visited this morning.",
        "Boy in my tutor group said last night he wants to go to sleep and never wake up.",
    ]
    practitioner = disclosure_model.screen_semantic([*policy, *cases], writer="practitioner")
    assert [r.flagged for r in practitioner[: len(policy)]] == [False] * len(policy)
    child = disclosure_model.screen_semantic(
        ["nobody has fed me since friday", "i want to go to sleep and never wake up"],
        writer="child",
    )
    assert all(r.flagged for r in child)
    both = combined_screen(cases, semantic=True, writer="practitioner")
    assert all(r.flagged for r in both)
