"""Tests for disclosure screening: categories, spelling, suppression, idioms, the set, the CLI."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from nlp.screening import (
    CATEGORIES,
    WRITERS,
    Screening,
    Writer,
    describes_case,
    inflections,
    is_one_edit,
    normalise,
    screen,
    sound_key,
    speller,
)

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
        ("been thinking about jumping off the bridge", "suicidal_thoughts"),
        ("sh again last night", "self_harm"),
        ("my ex keeps turning up at the house every night", "domestic_abuse"),
        ("a man on roblox wants me to go on a secret app", "online_abuse"),
        ("the olders give me free weed and now i owe them", "exploitation"),
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


@pytest.mark.parametrize(
    ("token", "fixed"),
    [
        ("hitts", "hits"),  # one extra letter
        ("stranggled", "strangled"),
        ("threttened", "threatened"),  # one substitution on a long word
        ("bruized", "bruised"),
        ("beatting", "beating"),  # doubled letters collapse to a known word
        ("wakkd", "wacked"),  # sound-alike: "whacked" and "wacked" share a key and a meaning
        ("hert", "hurt"),  # children's phonetic spelling, from textspeak.txt
        ("slapt", "slap"),  # "slapt" is one edit from "slept" too: prefer the term that flags
    ],
)
def test_misspellings_of_concern_words_are_corrected(token: str, fixed: str) -> None:
    assert speller().fix(token) == fixed


@pytest.mark.parametrize("token", ["heating", "beating", "hitch", "hut", "nandos", "kieran"])
def test_real_words_and_unrelated_tokens_are_left_alone(token: str) -> None:
    # Common English words are never "corrected" into concern words ("heating" -> "beating").
    assert speller().fix(token) == token


def test_edit_distance_and_sound_keys() -> None:
    assert is_one_edit("hitts", "hits") and is_one_edit("hurt", "hrut")
    assert is_one_edit("brused", "bruised") and not is_one_edit("hurts", "hits")
    assert sound_key("hert") == sound_key("hurt") and sound_key("wakkd") == sound_key("whacked")
    assert sound_key("skared") == sound_key("scared") != sound_key("scarf")


def test_inflections_double_short_stems_only() -> None:
    assert {"hits", "hitting", "hitted"} <= inflections("hit")
    assert "beatting" not in inflections("beat") and "beating" in inflections("beat")
    assert {"bruises", "bruised", "bruising"} <= inflections("bruise")
    assert {"bullies", "bullied"} <= inflections("bully")


@pytest.mark.parametrize(
    "text",
    [
        "the group was ok. i dont want to go home tonight",
        "The session was fine; my stepdad hits me when i get home",
        "Good course, although i have been cutting myself again",
        "On the course a pupil told me her dad hits her",  # a relayed disclosure is not training
        "Since the training I realise I am being groomed",  # first person beats training words
    ],
)
def test_suppression_is_clause_by_clause_and_never_hides_experience(text: str) -> None:
    assert screen(text).flagged


@pytest.mark.parametrize(
    "text",
    [
        "The session on county lines and cuckooing was eye-opening.",
        "I would welcome more on child criminal exploitation",
        "Trainer explained how to respond when a young person says they want to kill themselves.",
        "i fell off my bike and hurt my arm",  # an accident with nobody to blame
        "i told my teacher about the bullying and she sorted it",  # resolved bullying
    ],
)
def test_training_talk_accidents_and_resolved_bullying_are_suppressed(text: str) -> None:
    assert not screen(text).flagged


def test_accident_and_resolution_suppressors_keep_abuse() -> None:
    assert screen("i fell over when my dad pushed me").reasons == ("harm_by_adult",)
    assert screen("i am still being bullied even though they said it stopped").flagged
    assert screen("my dad used to hit me but it has stopped now").flagged


@pytest.mark.parametrize(
    ("idiom", "literal"),
    [
        ("this homework is killing me", "he is killing me"),
        ("im dying to go to the party", "i think about dying all the time"),
        ("i nearly died of boredom", "i want to die"),
        ("smashed it in my exams", "dad smashed the plates and hit mum"),
        ("i could kill for a pizza right now", "my dad will kill me"),
        ("i want to die my hair pink", "i want to die"),
        ("can someone help me with my homework", "can someone help me"),
        ("we need to keep in touch", "he keeps trying to touch me"),
    ],
)
def test_idioms_are_ignored_but_literal_uses_flag(idiom: str, literal: str) -> None:
    assert not screen(idiom).flagged
    assert screen(literal).flagged


def test_soft_words_need_corroboration() -> None:
    assert not screen("my dad shouts at the telly when football is on").flagged
    assert screen("mum and dad are always shouting and screaming").reasons == ("domestic_abuse",)
    assert not screen("i like playing roblox with my cousin").flagged
    assert screen("a man on roblox keeps asking for pics").reasons == ("online_abuse",)


def test_labelled_set_has_full_recall_and_reasons_hold_no_text() -> None:
    with (ROOT / "benchmarks/data/disclosure_set.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    tuned = [r for r in rows if r["split"] in {"dev", "holdout1", "holdout"}]
    positives = [r for r in tuned if r["label"] == "1"]
    assert len(positives) >= 260 and len(tuned) - len(positives) >= 230
    missed = [r["text"] for r in positives if not screen(r["text"]).flagged]
    assert missed == []
    for row in rows:
        # Reasons come from a fixed set of codes, so no input text can travel in them.
        assert set(screen(row["text"]).reasons) <= set(CATEGORIES)
    canary = "zqxcanary42 says my dad hits me"
    assert "zqxcanary42" not in repr(screen(canary))


def test_cli_writes_one_json_object_per_line() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "nlp.screen", "--rules-only"],
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


# Who is writing -----------------------------------------------------------------------------

# Practitioners' consultation answers about services, policy, training and thresholds.
POLICY_TALK = [
    "Having a neglect champion in each team helps keep it on the agenda.",  # the demo queue's
    "More training on recognising exploitation for lunchtime staff, please",
    "Domestic abuse referrals take weeks to get a response from the hub",
    "We need a clearer threshold for when self-harm goes to CAMHS",
    "Child sexual abuse is under-reported in this area and training is patchy",
    "When a child tells you their dad hits them, staff do not know who to ring",
    "If a pupil says she is scared to go home the flowchart should say what to do",
    "Our team has no time for direct work with children who have been hurt at home",
    "Officers need a refresher on county lines, cuckooing and the referral mechanism",
    "The suicide prevention session was good but should be mandatory",
]
# Practitioners describing a specific child or family, now.
SPECIFIC_CASES = [
    "I visited a 6-year-old yesterday who had bruises on both arms and said dad hit him",
    "A girl in my class told me this morning that her stepmum shuts her in the cupboard",
    "One of my families: mum said her partner strangled her last night in front of the kids",
    "[NAME] came in today with a burn on his hand and said his mum did it with the iron",
    "Boy in Year 4 arrived with a black eye and said he is not allowed to talk about it",
]


@pytest.mark.parametrize("text", POLICY_TALK)
@pytest.mark.parametrize("writer", ["practitioner", "organisation"])
def test_practitioner_policy_talk_is_not_flagged(text: str, writer: Writer) -> None:
    assert screen(text, writer=writer) == Screening(flagged=False, reasons=())
    assert not describes_case(text)


@pytest.mark.parametrize("text", SPECIFIC_CASES)
def test_a_practitioner_describing_a_specific_child_now_is_flagged(text: str) -> None:
    assert describes_case(text)
    assert screen(text, writer="practitioner").flagged


@pytest.mark.parametrize(
    "text",
    [
        "nobody looks after us and there is no food in the house",
        "my mums boyfriend hits me with his belt",
        "i have been cutting myself again",
        "older boys make me carry drugs to other towns",
        "i dont want to go home tonight because of my stepdad",
    ],
)
def test_a_childs_disclosure_is_flagged_whatever_the_writer_in_first_person(text: str) -> None:
    assert screen(text, writer="child").flagged
    assert screen(text, writer="family").flagged
    # Told as the writer's own experience, a practitioner's text flags too, except the first
    # line, which names nobody specific in a practitioner's mouth ("us" may be a team).
    own = text != "nobody looks after us and there is no food in the house"
    assert screen(text, writer="practitioner").flagged is own


def test_children_families_and_unknown_writers_keep_the_recall_first_screen() -> None:
    with (ROOT / "benchmarks/data/disclosure_set.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for text in [*(r["text"] for r in rows), *POLICY_TALK, *SPECIFIC_CASES]:
        unknown = screen(text)
        assert screen(text, writer="child") == unknown
        assert screen(text, writer="family") == unknown
        assert screen(text, writer="unknown") == unknown
    # The demo queue's noise: the recall-first screen flags it, the writer check removes it.
    assert screen(POLICY_TALK[0]).flagged


def test_writer_must_be_one_of_the_known_writers() -> None:
    assert WRITERS == ("child", "family", "practitioner", "organisation", "unknown")
    with pytest.raises(ValueError, match="unknown writer"):
        screen("my dad hits me", writer="teacher")  # type: ignore[arg-type]


def test_cli_writer_flag_screens_as_that_writer() -> None:
    text = POLICY_TALK[0] + "\n"
    outputs = []
    for writer in ("unknown", "practitioner"):
        proc = subprocess.run(
            [sys.executable, "-m", "nlp.screen", "--rules-only", "--writer", writer],
            input=text,
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
            check=True,
        )
        outputs.append(json.loads(proc.stdout)["flagged"])
    assert outputs == [True, False]
