"""The training dashboard's figures: reach, reaction, confidence change and follow-ups.

Public API:
    Confidence, Group, Dashboard
    dashboard(session, *, course_id=None, organisation_id=None, start=None, end=None) -> Dashboard
    training_figures_for_organisation(session, partnership_id, organisation_id, start, end)
        -> Group: an organisation's staff's figures for sessions held in a period (Section 11
        standards 10 and 14 can cite it)

Confidence is rolled up per person first: each trainee's mean over the course's outcomes
before, after and at follow-up, one trainee counted once per course (the newest evaluation of
a person-course key), then averaged over trainees, with the number answering each. A group of
fewer than SMALL_NUMBER trainees (a session, organisation, sector or course) is suppressed:
its counts say "fewer than 5" and its averages are not shown (`surveys.small_groups`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from statistics import mean

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys import tenancy
from surveys.models import (
    Organisation,
    Response,
    Sector,
    TraineeFollowUp,
    TrainingAttendance,
    TrainingCourse,
    TrainingSession,
)
from surveys.small_groups import SMALL_NUMBER, Shown, suppress
from surveys.training.course_forms import (
    OTHER_ORGANISATION,
    organisation_of,
    outcome_id,
    outcome_now_id,
)

SECTORS = {sector.value: sector.label for sector in Sector}


@dataclass(frozen=True)
class Confidence:
    before: float | None
    before_n: int
    after: float | None
    after_n: int
    follow_up: float | None
    follow_up_n: int
    change: float | None  # follow-up minus before, per trainee who answered both
    change_n: int


@dataclass(frozen=True)
class Group:
    label: str
    attended: Shown
    evaluated: Shown
    relevance: float | None
    quality: float | None
    confidence: Confidence
    follow_ups_sent: Shown
    follow_ups_answered: Shown
    response_rate: int | None  # per cent of follow-ups sent that were answered
    practice_changed: Shown  # follow-ups that said what changed in practice
    with_manager: Shown
    barriers: tuple[tuple[str, Shown], ...]
    is_suppressed: bool
    follow_up_ids: tuple[int, ...] = ()  # the answered follow-ups (for themes); never shown


@dataclass(frozen=True)
class Dashboard:
    overall: Group
    by_course: tuple[Group, ...]
    by_session: tuple[Group, ...]
    by_organisation: tuple[Group, ...]
    by_sector: tuple[Group, ...]


@dataclass
class _Trainee:
    course_id: int
    session_id: int
    organisation_id: int | None
    sector: str
    relevance: float | None
    quality: float | None
    before: float | None
    after: float | None
    follow_up: float | None = None
    follow_up_id: int | None = None
    sent: bool = False
    answered: bool = False
    changed_practice: bool = False
    with_manager: bool = False
    barriers: list[str] = field(default_factory=list)


def _number(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _mean(values: Iterable[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return round(mean(kept), 2) if kept else None


def _outcomes(answers: dict[str, object], count: int, part: str) -> float | None:
    pairs = [answers.get(outcome_id(n)) for n in range(1, count + 1)]
    return _mean(_number(p.get(part)) if isinstance(p, dict) else None for p in pairs)


def _trainees(session: Session, sessions: Sequence[TrainingSession]) -> list[_Trainee]:
    """Each trainee once per course: their newest evaluation, with its follow-up."""
    by_link = {s.link_id: s for s in sessions}
    if not by_link:
        return []
    evaluations = session.scalars(
        select(Response)
        .where(Response.public_link_id.in_(by_link), Response.submitted_at.is_not(None))
        .order_by(Response.submitted_at, Response.id)
    ).all()
    chains = {
        c.evaluation_id: c
        for c in session.scalars(
            select(TraineeFollowUp).where(
                TraineeFollowUp.evaluation_id.in_([e.id for e in evaluations])
            )
        )
    }
    sectors = dict(session.execute(select(Organisation.id, Organisation.sector)).all())
    kept: dict[object, _Trainee] = {}
    for evaluation in evaluations:
        held = by_link[evaluation.public_link_id]
        answers = evaluation.answers or {}
        organisation_id = organisation_of(answers.get("organisation"))
        sector = sectors.get(organisation_id) if organisation_id else answers.get("sector")
        count = len(held.course.outcomes)
        trainee = _Trainee(
            course_id=held.course_id,
            session_id=held.id,
            organisation_id=organisation_id,
            sector=str(sector or OTHER_ORGANISATION),
            relevance=_number(answers.get("relevance")),
            quality=_number(answers.get("quality")),
            before=_outcomes(answers, count, "before"),
            after=_outcomes(answers, count, "after"),
        )
        chain = chains.get(evaluation.id)
        if chain is not None:
            _add_follow_up(session, trainee, chain, count)
        key = (held.course_id, chain.person_key) if chain else ("response", evaluation.id)
        kept[key] = trainee  # newest last: a person's repeat evaluation replaces the first
    return list(kept.values())


def _add_follow_up(session: Session, trainee: _Trainee, chain: TraineeFollowUp, count: int) -> None:
    trainee.sent = chain.sent_at is not None
    if chain.follow_up_id is None:
        return
    follow_up = session.get(Response, chain.follow_up_id)
    if follow_up is None or follow_up.submitted_at is None:
        return
    answers = follow_up.answers or {}
    trainee.answered = trainee.sent = True
    trainee.follow_up_id = follow_up.id
    trainee.follow_up = _mean(_number(answers.get(outcome_now_id(n))) for n in range(1, count + 1))
    trainee.changed_practice = bool(str(answers.get("changed_practice") or "").strip())
    trainee.with_manager = answers.get("with_manager") == "yes"
    barriers = answers.get("barrier_types")
    trainee.barriers = [str(b) for b in barriers] if isinstance(barriers, list) else []


def _confidence(trainees: Sequence[_Trainee], shown: bool) -> Confidence:
    def part(values: list[float | None]) -> tuple[float | None, int]:
        kept = [v for v in values if v is not None]
        return (_mean(kept) if shown else None), len(kept)

    before, before_n = part([t.before for t in trainees])
    after, after_n = part([t.after for t in trainees])
    follow_up, follow_up_n = part([t.follow_up for t in trainees])
    change, change_n = part(
        [
            t.follow_up - t.before
            for t in trainees
            if t.follow_up is not None and t.before is not None
        ]
    )
    return Confidence(before, before_n, after, after_n, follow_up, follow_up_n, change, change_n)


def _group(label: str, trainees: Sequence[_Trainee], attended: int) -> Group:
    is_suppressed = len(trainees) < SMALL_NUMBER
    shown = not is_suppressed

    def count(value: int) -> Shown:
        return suppress(value) if is_suppressed else value

    sent = sum(t.sent for t in trainees)
    answered = sum(t.answered for t in trainees)
    barriers = Counter(b for t in trainees for b in t.barriers)
    return Group(
        label=label,
        attended=attended,  # attendance lists are counts of a register, not of answers
        evaluated=count(len(trainees)),
        relevance=_mean(t.relevance for t in trainees) if shown else None,
        quality=_mean(t.quality for t in trainees) if shown else None,
        confidence=_confidence(trainees, shown),
        follow_ups_sent=count(sent),
        follow_ups_answered=count(answered),
        response_rate=round(100 * answered / sent) if shown and sent else None,
        practice_changed=count(sum(t.changed_practice for t in trainees)),
        with_manager=count(sum(t.with_manager for t in trainees)),
        barriers=tuple((b, count(n)) for b, n in barriers.most_common()) if shown else (),
        is_suppressed=is_suppressed,
        follow_up_ids=()
        if is_suppressed
        else tuple(t.follow_up_id for t in trainees if t.follow_up_id is not None),
    )


def _sessions(
    session: Session, course_id: int | None, start: date | None, end: date | None
) -> list[TrainingSession]:
    query = select(TrainingSession).order_by(TrainingSession.held_on, TrainingSession.id)
    if course_id is not None:
        query = query.where(TrainingSession.course_id == course_id)
    if start is not None:
        query = query.where(TrainingSession.held_on >= start)
    if end is not None:
        query = query.where(TrainingSession.held_on <= end)
    return list(session.scalars(query))


def _attendance(
    session: Session, session_ids: Sequence[int], organisation_id: int | None
) -> dict[tuple[int, int | None], int]:
    query = (
        select(
            TrainingAttendance.session_id,
            TrainingAttendance.organisation_id,
            func.count(TrainingAttendance.id),
        )
        .where(TrainingAttendance.session_id.in_(session_ids))
        .group_by(TrainingAttendance.session_id, TrainingAttendance.organisation_id)
    )
    if organisation_id is not None:
        query = query.where(TrainingAttendance.organisation_id == organisation_id)
    return {(s, o): n for s, o, n in session.execute(query)}


def _split(
    trainees: Sequence[_Trainee],
    key: Callable[[_Trainee], object],
    labels: dict[object, str],
    attended: Callable[[object], int],
) -> tuple[Group, ...]:
    grouped: dict[object, list[_Trainee]] = defaultdict(list)
    for trainee in trainees:
        grouped[key(trainee)].append(trainee)
    for value in labels:
        grouped.setdefault(value, [])
    return tuple(
        _group(labels.get(value, "Another organisation"), members, attended(value))
        for value, members in sorted(grouped.items(), key=lambda i: labels.get(i[0], "~"))
    )


def dashboard(
    session: Session,
    *,
    course_id: int | None = None,
    organisation_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Dashboard:
    """Return the figures, for one course or all, for one organisation's staff or everyone."""
    sessions = _sessions(session, course_id, start, end)
    trainees = _trainees(session, sessions)
    if organisation_id is not None:
        trainees = [t for t in trainees if t.organisation_id == organisation_id]
    counts = _attendance(session, [s.id for s in sessions], organisation_id)

    def attended(match: Callable[[int, int | None], bool]) -> int:
        return sum(n for (s, o), n in counts.items() if match(s, o))

    course_of = {s.id: s.course_id for s in sessions}
    courses = {s.course_id: s.course.title for s in sessions}
    named = {s.id: f"{s.course.title}, {s.held_on.strftime('%-d %B %Y')}" for s in sessions}
    organisations = dict(session.execute(select(Organisation.id, Organisation.name)).all())
    sector_of = dict(session.execute(select(Organisation.id, Organisation.sector)).all())
    present = {t.organisation_id for t in trainees if t.organisation_id is not None}
    return Dashboard(
        overall=_group("All courses", trainees, attended(lambda s, o: True)),
        by_course=_split(
            trainees,
            lambda t: t.course_id,
            dict(courses),
            lambda c: attended(lambda s, o: course_of[s] == c),
        ),
        by_session=_split(
            trainees, lambda t: t.session_id, dict(named), lambda i: attended(lambda s, o: s == i)
        ),
        by_organisation=_split(
            trainees,
            lambda t: t.organisation_id,
            {o: organisations[o] for o in present if o in organisations},
            lambda i: attended(lambda s, o: o == i),
        ),
        by_sector=_split(
            trainees,
            lambda t: t.sector,
            {t.sector: SECTORS.get(t.sector, "Other") for t in trainees},
            lambda i: attended(lambda s, o: str(sector_of.get(o, OTHER_ORGANISATION)) == i),
        ),
    )


def training_figures_for_organisation(
    session: Session, partnership_id: int, organisation_id: int, start: date, end: date
) -> Group:
    """Return an organisation's staff's training figures for sessions held in a period."""
    with tenancy.working_in(session, partnership_id):
        figures = dashboard(session, organisation_id=organisation_id, start=start, end=end)
    return figures.overall


def course_titles(session: Session) -> dict[int, str]:
    return dict(session.execute(select(TrainingCourse.id, TrainingCourse.title)).all())
