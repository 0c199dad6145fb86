"""Plain values of the learning domain: selections, quotes, log export rows."""

from __future__ import annotations

from datetime import date

from learning.log import EXPORT_HEADER, export_rows
from learning.models import EntryStatus, EntryTheme, LearningEntry, SourceKind, ThemeStatement
from learning.selection import Selection
from learning.theme_edits import pick_quotes


def test_selection_round_trips_through_json_and_keys_its_streams():
    selection = Selection(
        streams=("section_11", "consultation"),
        cycle_ids=(3,),
        date_from=date(2026, 1, 1),
        date_to=date(2026, 6, 30),
        sectors=("police",),
    )
    data = selection.to_json()
    assert data["date_from"] == "2026-01-01" and data["streams"] == ["section_11", "consultation"]
    again = Selection.from_json(data)
    assert again.streams == ("consultation", "section_11")
    assert again.streams_key == selection.streams_key == "consultation,section_11"
    assert again.date_to == date(2026, 6, 30) and again.cycle_ids == (3,)


def test_pick_quotes_keeps_earlier_quotes_then_prefers_keyword_rich_statements():
    rows = [
        ThemeStatement(id=1, text="ok"),
        ThemeStatement(id=2, text="Escalation procedure unclear between agencies"),
        ThemeStatement(id=3, text="Escalation procedure unclear between agencies"),
        ThemeStatement(id=4, text="The weather was fine on the day"),
        ThemeStatement(id=5, text="We need an escalation procedure for agencies"),
    ]
    chosen = pick_quotes(rows, ["escalation", "procedure", "agencies"], keep=[4, 99])
    assert chosen[0] == 4  # an earlier quote still in the theme stays first
    assert chosen[1:3] == [5, 2] or chosen[1:3] == [2, 5]
    assert 3 not in chosen  # the same words twice are quoted once


def test_export_rows_flatten_entries():
    entry = LearningEntry(
        id=7,
        title="=HYPERLINK(bad)",
        lesson="Escalation is not understood",
        source_kind=SourceKind.CASE_REVIEW,
        source_stream=None,
        source_cycle_id=None,
        entry_date=date(2026, 3, 1),
        recommended_action="Relaunch the policy",
        owner="QIG chair",
        status=EntryStatus.IN_PROGRESS,
        review_date=None,
    )
    entry.themes = [
        EntryTheme(label="Escalation", size=12, share=0.3, lineage_key="k"),
        EntryTheme(label="Supervision", size=5, share=0.1, lineage_key="j"),
    ]
    header, rows = export_rows([entry])
    assert header == EXPORT_HEADER
    row = dict(zip(header, rows[0], strict=True))
    assert row["Source"] == "case_review" and row["Linked themes"] == "Escalation; Supervision"
    assert row["Statements"] == 17 and row["Status"] == "in_progress" and row["Review date"] == ""
