"""Tests for disclosure screening: categories, normalisation, suppression, the set, the CLI."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from nlp.screening import CATEGORIES, Screening, normalise, screen

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("my dad hits me", "harm_by_adult"),
        ("mum's bf hurts me", "harm_by_adult"),
        ("i wanna die", "suicidal_thoughts"),
        ("kms", "suicidal_thoughts"),
        ("he touches me where i dont like", "sexual_abuse"),
        ("scared to go home", "fear_of_home"),
        ("dont feel safe at home", "fear_of_home"),
        ("no food in the house", "neglect"),
        ("been cutting myself", "self_harm"),
        ("my dad hitts me", "harm_by_adult"),
        ("im sooo scaaared of my stepdad", "fear_of_home"),
        ("MY DAD HITS MUM", "domestic_abuse"),
        ("older boys make me carry drugs", "exploitation"),
        ("a man online keeps asking me to send pics", "online_abuse"),
        ("im getting bullyed every day", "bullying_severe"),
        ("please help me he has a knife", "danger_now"),
    ],
)
def test_disclosures_are_flagged_with_their_category(text: str, category: str) -> None:
    result = screen(text)
    assert result.flagged
    assert category in result.reasons


@pytest.mark.parametrize(
    "text",
    [
        "the training on self-harm was useful",
        "I would like more on sexual abuse referrals",
        "my dad helps me with homework",
        "I was scared of the test",
        "the course killed it",
        "Staff discussed the neglect policy and the domestic abuse protocol.",
        "How to support a child who is being bullied online.",
    ],
)
def test_hard_negatives_are_not_flagged(text: str) -> None:
    assert screen(text) == Screening(flagged=False, reasons=())


def test_strong_first_person_disclosure_beats_professional_context() -> None:
    # The suppressor is conservative: training words never hide a first-person disclosure.
    result = screen("The training was good but I have been cutting myself again")
    assert result.reasons == ("self_harm",)


def test_normalise_expands_text_speak_and_fixes_spelling() -> None:
    assert normalise("Mum’s bf is sooo scaaared, i dont wanna") == (
        "mums boyfriend is sooo scared i do not want to"
    )
    assert normalise("i keep cuttin my self") == "i keep cutting myself"


def test_labelled_set_has_full_recall_and_reasons_hold_no_text() -> None:
    with (ROOT / "benchmarks/data/disclosure_set.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    dev = [r for r in rows if r["split"] == "dev"]
    positives = [r for r in dev if r["label"] == "1"]
    assert len(positives) >= 110 and len(dev) - len(positives) >= 140
    missed = [r["text"] for r in positives if not screen(r["text"]).flagged]
    assert missed == []
    for row in rows:
        # Reasons come from a fixed set of codes, so no input text can travel in them.
        assert set(screen(row["text"]).reasons) <= set(CATEGORIES)
    canary = "zqxcanary42 says my dad hits me"
    assert "zqxcanary42" not in repr(screen(canary))


def test_cli_writes_one_json_object_per_line() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "nlp.screen"],
        input="i want to kill myself\nthe course was great\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert lines == [
        {"flagged": True, "reasons": ["suicidal_thoughts"]},
        {"flagged": False, "reasons": []},
    ]
