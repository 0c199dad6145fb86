"""A period report's themes per evidence stream, and the subjects that recur across streams.

Public API:
    EVIDENCE_STREAMS: (key, name, stream values) in the order reports show them
    StreamTheme, StreamThemes, RecurringSubject, PeriodThemes
    period_themes(session, period) -> PeriodThemes
    SIMILAR_CENTROIDS: the cosine above which two themes are about the same subject

For each evidence stream, the themes come from the latest run that finished in the period and
read that stream (its selection names the stream, or it chose "all streams" and its answers
included the stream). One run may serve several streams; each stream then says which others
share it. A theme is listed under a stream when at least one of its statements came from it.

A subject recurs across streams when statements from two or more evidence streams end up in
one theme, or in themes of different runs that are linked: a learning log entry holds both, or
their centroids' cosine is at least SIMILAR_CENTROIDS (same embedding model only). A stream
counts in a subject when it gives at least MIN_STATEMENTS of its statements and at least
MIN_SHARE of them, so a stray statement or two does not make a subject "recur". Statements are
counted once, however many runs read them.

SIMILAR_CENTROIDS was measured on the demo (all-MiniLM-L6-v2; an all-streams run and a children
and families run, 14 x 2 themes): the closest pair, 0.79, was two different subjects ("Read the
MASH threshold" and "Stay at my school"), and a plausible match ("Family support" and "Social
worker") scored 0.71. The centroid of a large, mixed theme drifts towards the mean of the whole
corpus, so unrelated big themes score high; 0.85 keeps clear of every unrelated pair measured,
at the cost of missing looser matches (a learning log entry links those). Pure data; no Flask.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from learning.models import EntryTheme, RunStatus, Theme, ThemeStatement, ThemingRun
from learning.period import Period
from learning.report_rules import Shown, suppress
from learning.run_report import RunReport, ThemeSummary, run_report
from learning.runs import visible_themes
from learning.selection import Selection
from surveys.streams import KEPT_WITH_REVIEWS, STREAM_LABELS

EVIDENCE_STREAMS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("children_families", "Children and families", frozenset({"child_voice", "family_voice"})),
    (
        "practitioners",
        "Practitioners",
        frozenset({"consultation", "practice_concern", "case_audit"}),
    ),
    (
        "section_11_175",
        "Section 11 and Section 175",
        frozenset({"section_11", "section_175", "national_review"}),
    ),
    ("training", "Training", frozenset({"training", "training_follow_up"})),
)
SIMILAR_CENTROIDS = 0.85
MIN_STATEMENTS = 5
MIN_SHARE = 0.1
_GROUP_OF = {value: key for key, _, values in EVIDENCE_STREAMS for value in values}
_NAME_OF = {key: name for key, name, _ in EVIDENCE_STREAMS}


@dataclass(frozen=True)
class StreamTheme:
    summary: ThemeSummary
    from_stream: Shown  # statements from this evidence stream (small numbers suppressed)


@dataclass(frozen=True)
class StreamThemes:
    """One evidence stream's themes in the period, and the run they came from."""

    key: str
    name: str
    run_id: int | None
    finished_on: date | None
    shared_with: tuple[str, ...]  # other evidence streams shown from the same run
    themes: tuple[StreamTheme, ...]


@dataclass(frozen=True)
class RecurringSubject:
    label: str
    streams: tuple[tuple[str, Shown], ...]  # evidence stream, statements from it
    themes: tuple[str, ...]  # "label (run N)"
    how: str


@dataclass(frozen=True)
class PeriodThemes:
    streams: tuple[StreamThemes, ...]
    recurring: tuple[RecurringSubject, ...]
    runs: tuple[RunReport, ...]  # the runs used, oldest first (for the method appendix)


@dataclass
class _Theme:
    theme: Theme
    summary: ThemeSummary
    statements: dict[str, set[tuple[int, str, str]]]  # evidence stream -> statement keys


def run_streams(run: ThemingRun) -> frozenset[str]:
    """Return the evidence streams a run read: its chosen streams, or those it found answers in."""
    chosen = Selection.from_json(run.selection or {}).streams
    if not chosen:
        found = (run.coverage or {}).get("answers_by_stream")
        chosen = tuple(found) if found is not None else tuple(STREAM_LABELS)
    return frozenset(_GROUP_OF[s] for s in chosen if s in _GROUP_OF and s not in KEPT_WITH_REVIEWS)


def period_themes(session: Session, period: Period) -> PeriodThemes:
    """Choose each evidence stream's run in the period; list its themes and recurring subjects."""
    finished = session.scalars(
        select(ThemingRun)
        .where(
            ThemingRun.status == RunStatus.FINISHED,
            ThemingRun.finished_at >= period.starts_at,
            ThemingRun.finished_at < period.ends_before,
        )
        .order_by(ThemingRun.finished_at.desc(), ThemingRun.id.desc())
    ).all()
    chosen: dict[str, ThemingRun] = {}
    for run in finished:
        for key in run_streams(run):
            chosen.setdefault(key, run)
    runs = sorted({r.id: r for r in chosen.values()}.values(), key=lambda r: r.finished_at)
    reports = {run.id: run_report(session, run.id) for run in runs}
    themes = {run.id: _themes(session, run, reports[run.id].themes) for run in runs}
    streams = tuple(_stream(key, name, chosen, themes) for key, name, _ in EVIDENCE_STREAMS)
    recurring = tuple(_recurring(session, runs, themes))
    return PeriodThemes(streams, recurring, tuple(reports.values()))


def _themes(session: Session, run: ThemingRun, summaries: Sequence[ThemeSummary]) -> list[_Theme]:
    found = visible_themes(session, run.id)  # the report's themes, in the same order
    rows = session.execute(
        select(
            ThemeStatement.theme_id,
            ThemeStatement.stream,
            ThemeStatement.response_id,
            ThemeStatement.question_id,
            ThemeStatement.text,
        ).where(ThemeStatement.run_id == run.id, ThemeStatement.theme_id.is_not(None))
    )
    statements: dict[int, dict[str, set[tuple[int, str, str]]]] = defaultdict(
        lambda: defaultdict(set)
    )
    for theme_id, stream, response_id, question_id, text in rows:
        if stream in _GROUP_OF:
            statements[theme_id][_GROUP_OF[stream]].add((response_id, question_id, text))
    return [
        _Theme(theme, summary, dict(statements.get(theme.id, {})))
        for theme, summary in zip(found, summaries, strict=True)
    ]


def _stream(
    key: str, name: str, chosen: dict[str, ThemingRun], themes: dict[int, list[_Theme]]
) -> StreamThemes:
    run = chosen.get(key)
    if run is None:
        return StreamThemes(key, name, None, None, (), ())
    shared = tuple(_NAME_OF[k] for k, _, _ in EVIDENCE_STREAMS if k != key and chosen.get(k) is run)
    listed = tuple(
        StreamTheme(t.summary, suppress(len(t.statements[key])))
        for t in themes[run.id]
        if t.statements.get(key)
    )
    finished = run.finished_at.date() if run.finished_at else None
    return StreamThemes(key, name, run.id, finished, shared, listed)


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Return the cosine of two vectors (0 when either is empty or their lengths differ)."""
    return _unit_cosine(_unit(a), _unit(b))


def _unit(vector: Sequence[float]) -> NDArray[np.float64] | None:
    """The vector scaled to length 1 (None when empty or all zero)."""
    found = np.asarray(vector, dtype=np.float64)
    norm = float(np.linalg.norm(found)) if found.size else 0.0
    return found / norm if norm else None


def _unit_cosine(a: NDArray[np.float64] | None, b: NDArray[np.float64] | None) -> float:
    if a is None or b is None or a.shape != b.shape:
        return 0.0
    return float(a @ b)


def _recurring(
    session: Session, runs: Sequence[ThemingRun], themes: dict[int, list[_Theme]]
) -> Iterable[RecurringSubject]:
    nodes = [t for run in runs for t in themes[run.id]]
    model = {run.id: run.embedder_model for run in runs}
    parent = list(range(len(nodes)))
    how: dict[int, set[str]] = defaultdict(set)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int, reason: str) -> None:
        parent[root(i)] = root(j)
        how[i].add(reason)
        how[j].add(reason)

    entries = _entries_of(session, [t.theme for t in nodes])
    units = [_unit(t.theme.centroid) for t in nodes]  # once per theme, not once per pair
    for i, a in enumerate(nodes):
        for j in range(i + 1, len(nodes)):
            b = nodes[j]
            if a.theme.run_id == b.theme.run_id:
                continue
            if entries.get(a.theme.id, set()) & entries.get(b.theme.id, set()):
                join(i, j, "the same learning log entry")
            elif model[a.theme.run_id] == model[b.theme.run_id] and (
                _unit_cosine(units[i], units[j]) >= SIMILAR_CENTROIDS
            ):
                join(i, j, "similar themes in different runs")
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(nodes)):
        groups[root(i)].append(i)
    for members in groups.values():
        subject = _subject([nodes[i] for i in members], set().union(*(how[i] for i in members)))
        if subject is not None:
            yield subject


def _subject(members: list[_Theme], how: set[str]) -> RecurringSubject | None:
    statements: dict[str, set[tuple[int, str, str]]] = defaultdict(set)
    for member in members:
        for key, found in member.statements.items():
            statements[key] |= found
    total = len(set().union(*statements.values())) if statements else 0
    keys = [
        k
        for k, _, _ in EVIDENCE_STREAMS
        if len(statements.get(k, ())) >= max(MIN_STATEMENTS, MIN_SHARE * total)
    ]
    if len(keys) < 2:
        return None
    largest = max(members, key=lambda m: (m.theme.size, -m.theme.id))
    linked = f"Linked by {' and '.join(sorted(how))}" if len(members) > 1 else ""
    return RecurringSubject(
        label=largest.summary.shown_label,
        streams=tuple((_NAME_OF[k], suppress(len(statements[k]))) for k in keys),
        themes=tuple(f"{m.summary.shown_label} (run {m.theme.run_id})" for m in members),
        how=linked or "One theme drawing on several streams",
    )


def _entries_of(session: Session, themes: Sequence[Theme]) -> dict[int, set[int]]:
    """Return, per theme, the learning log entries that hold it (by theme or its lineage)."""
    by_key = {t.lineage_key: t.id for t in themes if t.lineage_key}
    ids = [t.id for t in themes]
    links = session.execute(
        select(EntryTheme.entry_id, EntryTheme.theme_id, EntryTheme.lineage_key).where(
            (EntryTheme.theme_id.in_(ids)) | (EntryTheme.lineage_key.in_(list(by_key)))
        )
    )
    found: dict[int, set[int]] = defaultdict(set)
    for entry_id, theme_id, lineage_key in links:
        if theme_id in ids:
            found[theme_id].add(entry_id)
        if lineage_key in by_key:
            found[by_key[lineage_key]].add(entry_id)
    return found
