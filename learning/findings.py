"""The Section 11 / 175 findings report of one cycle: what the partnership found.

Return rate by deadline, ratings and moderated ratings per standard, the change since each
organisation's last return, themes from the free text, challenges and their outcomes, the
actions the scrutiny produced, and triangulation (surveys.triangulation: ratings beside what
each organisation's practitioners say). Pure data read from the database, no Flask; laid out by
webapp/reports/findings_layout.py in every format from one outline.

Counts follow `surveys.small_groups`: any count covering a school is shown as "fewer than 5"
under the threshold, and ratings over fewer than 5 organisations including a school are not
summarised at all; a challenge to a school is listed without its name. Theme counts are
breakdowns and are suppressed as every report's are.

Public API:
    ReturnRate, ThemeInCycle, ChallengeSummary, FindingsReport
    findings_report(session, cycle, definition, registry, *, today) -> FindingsReport
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from learning.cycle_actions import NO_ACTIONS_YET, actions_from_scrutiny
from learning.models import Action, RunStatus, ThemeStatement, ThemingRun
from learning.period_report import ActionSummary, summarise_action
from learning.report_rules import TREND_LABELS, suppress
from learning.runs import visible_themes
from learning.themes import is_shareable, polarity_of
from surveys.cycles import ReturnRow, returns
from surveys.definition import SurveyDefinition
from surveys.models import Challenge, ChallengeStatus, Cycle, OrganisationKind, Response
from surveys.partnership_view import RatingsGrid, ratings_grid
from surveys.small_groups import Shown, shown
from surveys.streams import stream_label
from surveys.triangulation import CycleTriangulation, cycle_triangulation

A_SCHOOL = "A school or college"  # the report never names a school (see surveys.small_groups)


@dataclass(frozen=True)
class ReturnRate:
    """Who returned by their deadline (the cycle's, or their own extension)."""

    expected: int
    on_time: Shown
    late: Shown
    outstanding: Shown
    overdue: Shown  # outstanding and past its deadline
    is_suppressed: bool  # some count covers a school and is under the threshold


@dataclass(frozen=True)
class ThemeInCycle:
    label: str
    statements: Shown  # this cycle's statements in the theme
    works_well: Shown
    must_change: Shown
    trend: str


@dataclass(frozen=True)
class ChallengeSummary:
    organisation: str
    standard: str
    kind: str
    raised_on: date
    status: str
    outcome: str


@dataclass(frozen=True)
class FindingsReport:
    cycle_id: int
    title: str
    form: str
    opens_on: date
    closes_on: date
    as_of: date
    rate: ReturnRate
    grid: RatingsGrid  # its summaries: self and moderated ratings and change, per standard
    run_id: int | None  # the latest finished theming run that read this cycle's answers
    run_finished_on: date | None
    themes: tuple[ThemeInCycle, ...]
    challenges: tuple[ChallengeSummary, ...]
    challenge_counts: tuple[tuple[str, Shown], ...]
    actions: tuple[ActionSummary, ...]
    actions_note: str  # said when there are no actions
    triangulation: CycleTriangulation  # ratings beside what practitioners say


def findings_report(
    session: Session, cycle: Cycle, definition: SurveyDefinition, registry: object, *, today: date
) -> FindingsReport:
    """Build the findings report of a Section 11 / 175 cycle as it stands today."""
    rows = returns(session, cycle, with_answers=False)
    has_school = any(row.organisation.kind is OrganisationKind.SCHOOL for row in rows)
    run = _latest_run(session, cycle)
    challenges = _challenges(session, cycle)
    actions = [_action(action, today) for action in actions_from_scrutiny(session, cycle)]
    return FindingsReport(
        cycle_id=cycle.id,
        title=cycle.title,
        form=stream_label(definition.stream.value),
        opens_on=cycle.opens_at.date(),
        closes_on=cycle.closes_at.date(),
        as_of=today,
        rate=_rate(cycle, rows, today, has_school=has_school),
        grid=ratings_grid(session, cycle, definition, registry),
        run_id=run.id if run else None,
        run_finished_on=run.finished_at.date() if run and run.finished_at else None,
        themes=tuple(_themes(session, run.id, cycle.id)) if run else (),
        challenges=tuple(challenges),
        challenge_counts=_challenge_counts(challenges, has_school=has_school),
        actions=tuple(actions),
        actions_note="" if actions else NO_ACTIONS_YET,
        triangulation=cycle_triangulation(session, cycle, definition, registry),
    )


def _rate(cycle: Cycle, rows: Sequence[ReturnRow], today: date, *, has_school: bool) -> ReturnRate:
    counts: Counter[str] = Counter()
    for row in rows:
        deadline = max(cycle.closes_at, row.extended_to or cycle.closes_at)
        response = row.response
        if row.status == "submitted" and response is not None and response.submitted_at:
            counts["on_time" if response.submitted_at <= deadline else "late"] += 1
        else:
            counts["outstanding"] += 1
            counts["overdue"] += deadline.date() < today
    values = {
        key: shown(counts[key], has_school=has_school)
        for key in ("on_time", "late", "outstanding", "overdue")
    }
    return ReturnRate(
        expected=len(rows),
        is_suppressed=any(isinstance(value, str) for value in values.values()),
        **values,
    )


def _latest_run(session: Session, cycle: Cycle) -> ThemingRun | None:
    """The latest finished theming run with a statement from this cycle's answers."""
    covered = select(ThemeStatement.run_id).where(ThemeStatement.cycle_id == cycle.id)
    return session.scalars(
        select(ThemingRun)
        .where(ThemingRun.status == RunStatus.FINISHED, ThemingRun.id.in_(covered))
        .order_by(ThemingRun.finished_at.desc(), ThemingRun.id.desc())
        .limit(1)
    ).first()


def _themes(session: Session, run_id: int, cycle_id: int) -> list[ThemeInCycle]:
    """The run's themes with this cycle's shareable statements in them, most first."""
    statements = session.scalars(
        select(ThemeStatement).where(
            ThemeStatement.run_id == run_id,
            ThemeStatement.cycle_id == cycle_id,
            ThemeStatement.theme_id.is_not(None),
            is_shareable(),
        )
    )
    by_theme: dict[int, Counter[str]] = {}
    for statement in statements:
        assert statement.theme_id is not None
        by_theme.setdefault(statement.theme_id, Counter())[polarity_of(statement)] += 1
    found = []
    for theme in visible_themes(session, run_id):
        counts = by_theme.get(theme.id)
        if not counts:
            continue
        found.append(
            (
                sum(counts.values()),
                ThemeInCycle(
                    label=theme.label,
                    statements=suppress(sum(counts.values())),
                    works_well=suppress(counts["works_well"]),
                    must_change=suppress(counts["must_change"]),
                    trend=TREND_LABELS.get(
                        theme.trend.value if theme.trend else "", "Not compared"
                    ),
                ),
            )
        )
    return [theme for _, theme in sorted(found, key=lambda pair: -pair[0])]


def _action(action: Action, today: date) -> ActionSummary:
    """An action as the report shows it: a school's is never named."""
    summary = summarise_action(action, today)
    if action.owner_organisation.kind is OrganisationKind.SCHOOL:
        return replace(summary, organisation=A_SCHOOL)
    return summary


def _challenges(session: Session, cycle: Cycle) -> list[ChallengeSummary]:
    found = session.scalars(
        select(Challenge)
        .join(Response, Response.id == Challenge.response_id)
        .where(Response.cycle_id == cycle.id)
        .options(joinedload(Challenge.organisation))
        .order_by(Challenge.raised_at, Challenge.id)
    )
    return [
        ChallengeSummary(
            organisation=A_SCHOOL
            if challenge.organisation.kind is OrganisationKind.SCHOOL
            else challenge.organisation.name,
            standard=challenge.standard_ref,
            kind=challenge.kind.label,
            raised_on=challenge.raised_at.date(),
            status=challenge.status.label,
            outcome=challenge.outcome or ("Not closed yet" if not challenge.is_closed else ""),
        )
        for challenge in found
    ]


def _challenge_counts(
    challenges: Sequence[ChallengeSummary], *, has_school: bool
) -> tuple[tuple[str, Shown], ...]:
    rows = [("Challenges raised", len(challenges))]
    rows += [
        (status.label, sum(c.status == status.label for c in challenges))
        for status in ChallengeStatus
    ]
    return tuple((name, shown(count, has_school=has_school)) for name, count in rows)
