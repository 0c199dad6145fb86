"""Triangulation: an organisation's rating of each standard beside what other streams say.

For one submitted Section 11 (or 175) return, each standard's self-rating and moderated
rating are set beside:

- **its practitioners**: answers to the practitioner consultation from people who said they
  work for the organisation (the consultation's `options_from: organisations` question),
  submitted in the year up to the cycle's closing date. Which question speaks to which
  standard is data: a question's `triangulation: {standard, not_met_answers}` in the form
  definition, checked against the standards of the form its `triangulates:` names;
- **the children's and families' voice about its service**: answers to the child and family
  voice forms (version 2 on) from children and families who said which service they were
  about (the same `options_from: organisations` question), their rating questions naming
  standard S11-4 (listening to children) in the same way; counted, never quoted;
- **its trainees**: the training figures for its staff in the period, from the training
  dashboard (`TRAINING_FIGURES`, see `TrainingFiguresSource`).

The disagreement rule (DISAGREEMENT_RULE says it in words for reviewers): a standard is
flagged when the organisation's rating of it is the scale's best level ("Met": its moderated
rating where a reviewer recorded one, else its self-rating), and for a question naming the
standard at least SMALL_NUMBER of its practitioners gave an answer saying it is not met in
practice (e.g. "No" or "I'm not sure" to "Do you know how to use the escalation
procedure?"), and those are more than half of the practitioners who answered it.

Small groups (surveys.small_groups): a question fewer than SMALL_NUMBER practitioners of the
organisation answered shows no counts at all, and no count from 1 to 4 is shown inside one,
so no figure or flag ever describes fewer than 5 people. Answers are counted, never quoted,
and never tied to a person.

Public API:
    DISAGREEMENT_RULE, PERIOD; AnswerCount; PractitionerEvidence; StandardTriangulation;
    Triangulation; TrainingFigures; TrainingFiguresSource; TRAINING_FIGURES
    triangulate_return(session, response, definition, registry, *, moderated) -> Triangulation
    CycleTriangulation; cycle_triangulation(session, cycle, definition, registry): every
        submitted return of a cycle, for the findings and six-monthly reports
    practitioner_evidence(question, answers) -> PractitionerEvidence (the rule, pure)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import organisation_choices, partnership_view, ratings, tenancy
from surveys.definition import JSONValue, Question, SurveyDefinition
from surveys.models import Cycle, Organisation, OrganisationKind, Response
from surveys.responses import answers_of
from surveys.small_groups import SMALL_NUMBER, Shown, suppress
from surveys.training.figures import training_figures_for_organisation

NOT_AN_ANSWER = frozenset({"dont_want_to_say"})  # a child's "I don't want to say" is no view
PERIOD = timedelta(days=365)  # practitioners' answers in the year up to the cycle's close
DISAGREEMENT_RULE = (
    f"A standard is flagged when the organisation rates it at the top of the scale (its "
    f"moderated rating where a reviewer recorded one) while at least {SMALL_NUMBER} of its "
    f"practitioners, and more than half of those who answered, gave an answer saying it is "
    f"not met in practice. Questions fewer than {SMALL_NUMBER} of its practitioners answered "
    f"are not shown."
)


@dataclass(frozen=True)
class AnswerCount:
    label: str
    count: Shown  # "fewer than 5" from 1 to 4
    says_not_met: bool


VOICES = {  # who answers each stream that speaks to an organisation's standards
    "consultation": "practitioners",
    "child_voice": "children and young people",
    "family_voice": "family members",
}
CHILDREN_AND_FAMILIES = frozenset({"child_voice", "family_voice"})


@dataclass(frozen=True)
class PractitionerEvidence:
    """What an organisation's practitioners (or the children and families its service helps)
    answered to one question naming a standard."""

    question: str  # its label
    answered: Shown
    counts: tuple[AnswerCount, ...]  # empty when too few answered to show
    not_met_share: int | None  # per cent saying not met; None when not shown
    disagrees: bool
    source: str = VOICES["consultation"]
    met_share: int | None = None  # per cent giving any other answer; None when not shown

    @property
    def is_children_and_families(self) -> bool:
        return self.source != VOICES["consultation"]

    @property
    def is_shown(self) -> bool:
        return bool(self.counts)


@dataclass(frozen=True)
class TrainingFigures:
    """An organisation's staff's training figures for a period (from the training source)."""

    attended: Shown
    confidence_before: float | None
    confidence_after: float | None
    answered: Shown
    follow_up_themes: tuple[str, ...] = ()


class TrainingFiguresSource(Protocol):
    """Where triangulation reads training figures: the training dashboard's own function.

    `trainees_figures` reads the training dashboard's figures
    (`surveys.training.figures.training_figures_for_organisation`); it returns None when there is
    nothing to show.
    """

    def __call__(
        self, session: Session, *, organisation_id: int, since: datetime, until: datetime
    ) -> TrainingFigures | None: ...


def trainees_figures(
    session: Session, *, organisation_id: int, since: datetime, until: datetime
) -> TrainingFigures | None:
    """The organisation's staff's figures from the training dashboard, for sessions held in the
    period; None when none of its staff attended or evaluated a course then."""
    partnership = tenancy.partnership_of(session)
    if not organisation_id or partnership is None:
        return None
    group = training_figures_for_organisation(
        session, partnership, organisation_id, since.date(), until.date()
    )
    if not group.attended and not group.evaluated:
        return None
    return TrainingFigures(
        attended=group.attended,
        confidence_before=group.confidence.before,
        confidence_after=group.confidence.after,
        answered=group.evaluated,
    )


TRAINING_FIGURES: TrainingFiguresSource = trainees_figures


@dataclass(frozen=True)
class StandardTriangulation:
    ref: str
    title: str
    self_rating: str
    moderated_rating: str | None
    is_rated_met: bool
    practitioners: tuple[PractitionerEvidence, ...]

    @property
    def is_flagged(self) -> bool:
        return self.is_rated_met and any(p.disagrees for p in self.practitioners)


@dataclass(frozen=True)
class Triangulation:
    organisation: str
    is_school: bool
    cycle: str
    since: datetime
    until: datetime
    practitioners: Shown  # how many of its practitioners answered the consultation
    standards: tuple[StandardTriangulation, ...]  # those a question names
    training: TrainingFigures | None
    children_and_families: Shown = 0  # how many answered the voice forms about its service

    @property
    def asks_children_and_families(self) -> bool:
        """Whether a child or family form asks about a standard of this return."""
        return any(p.is_children_and_families for s in self.standards for p in s.practitioners)

    @property
    def flagged(self) -> tuple[StandardTriangulation, ...]:
        return tuple(s for s in self.standards if s.is_flagged)


def practitioner_evidence(
    question: Question,
    answers: Sequence[JSONValue],
    *,
    rated_met: bool = True,
    source: str = VOICES["consultation"],
) -> PractitionerEvidence:
    """Count the answers to one question and apply the disagreement rule."""
    assert question.triangulation is not None
    given = [a for a in answers if isinstance(a, str) and a and a not in NOT_AN_ANSWER]
    if len(given) < SMALL_NUMBER:
        return PractitionerEvidence(
            question.label, suppress(len(given)), (), None, False, source=source
        )
    counted = Counter(given)
    not_met_values = set(question.triangulation.not_met_answers)
    not_met = sum(n for value, n in counted.items() if value in not_met_values)
    counts = tuple(
        AnswerCount(label, suppress(counted.get(value, 0)), value in not_met_values)
        for value, label in _answers_of(question)
    )
    disagrees = rated_met and not_met >= SMALL_NUMBER and not_met * 2 > len(given)
    share = round(100 * not_met / len(given)) if not_met >= SMALL_NUMBER else None
    met = len(given) - not_met
    met_share = round(100 * met / len(given)) if met >= SMALL_NUMBER else None
    return PractitionerEvidence(
        question.label, len(given), counts, share, disagrees, source=source, met_share=met_share
    )


def _answers_of(question: Question) -> list[tuple[str, str]]:
    if question.options:
        return [(option.value, option.label) for option in question.options]
    return [("yes", "Yes"), ("no", "No")]  # a yes_no question


def triangulate_return(
    session: Session,
    response: Response,
    definition: SurveyDefinition,
    registry: Any,
    *,
    moderated: Mapping[str, Any],
) -> Triangulation:
    """Set the return's rating of each standard beside its practitioners' answers.

    `moderated` is the return's moderated ratings by standard ref
    (surveys.partnership_view.moderated_ratings); `registry` holds the consultation forms.
    """
    forms = _forms_triangulating(definition, registry)
    until = response.cycle.closes_at
    staff = _consultation_answers(session, forms, until - PERIOD, until)
    return _triangulated(session, response, definition, forms, staff, moderated)


def cycle_triangulation(
    session: Session, cycle: Cycle, definition: SurveyDefinition, registry: Any
) -> CycleTriangulation:
    """Triangulate every submitted return of a cycle (the findings and six-monthly reports)."""
    forms = _forms_triangulating(definition, registry)
    returns = list(
        session.scalars(
            select(Response)
            .where(Response.cycle_id == cycle.id, Response.submitted_at.is_not(None))
            .order_by(Response.id)
        )
    )
    if not forms:
        return CycleTriangulation(False, ())
    staff = _consultation_answers(session, forms, cycle.closes_at - PERIOD, cycle.closes_at)
    moderated = partnership_view.moderated_ratings(session, [r.id for r in returns])
    found = [
        _triangulated(session, r, definition, forms, staff, moderated.get(r.id, {}))
        for r in returns
        if r.organisation_id is not None
    ]
    return CycleTriangulation(True, tuple(found))


@dataclass(frozen=True)
class CycleTriangulation:
    """Every submitted return of a cycle triangulated, for a report."""

    is_asked: bool  # some consultation asks about this form's standards
    returns: tuple[Triangulation, ...]

    @property
    def flagged(self) -> list[tuple[Triangulation, StandardTriangulation]]:
        return [(found, s) for found in self.returns for s in found.flagged]


def _triangulated(
    session: Session,
    response: Response,
    definition: SurveyDefinition,
    forms: Mapping[tuple[str, int], SurveyDefinition],
    staff_by_organisation: Mapping[str, list[tuple[str, dict[str, JSONValue]]]],
    moderated: Mapping[str, Any],
) -> Triangulation:
    organisation = session.get(Organisation, response.organisation_id)
    until = response.cycle.closes_at
    since = until - PERIOD
    staff = staff_by_organisation.get(str(response.organisation_id), [])
    standards = []
    for page in definition.pages:
        rating = ratings.rating_question(page.questions)
        if page.standard is None or rating is None:
            continue
        asked = [
            (form, question)
            for form in forms.values()
            for form_page in form.pages
            for question in form_page.questions
            if question.triangulation and question.triangulation.standard == page.standard.ref
        ]
        if not asked:
            continue
        own = answers_of(response).get(rating.id)
        moderated_answer = moderated.get(page.standard.ref)
        final = moderated_answer if moderated_answer is not None else own
        is_met = ratings.rating_level(rating, final) == 0
        standards.append(
            StandardTriangulation(
                page.standard.ref,
                page.standard.title,
                _words(rating, own),
                _words(rating, moderated_answer) if moderated_answer is not None else None,
                is_met,
                _evidence_by_question(asked, staff, rated_met=is_met),
            )
        )
    training = TRAINING_FIGURES(
        session, organisation_id=response.organisation_id or 0, since=since, until=until
    )
    voices = {key for (key, _), form in forms.items() if form.stream.value in CHILDREN_AND_FAMILIES}
    heard = sum(1 for key, _ in staff if key in voices)
    return Triangulation(
        organisation.name if organisation else "",
        organisation is not None and organisation.kind is OrganisationKind.SCHOOL,
        response.cycle.title,
        since,
        until,
        suppress(len(staff) - heard),
        tuple(standards),
        training,
        suppress(heard),
    )


def _evidence_by_question(
    asked: list[tuple[SurveyDefinition, Question]],
    staff: list[tuple[str, dict[str, JSONValue]]],
    *,
    rated_met: bool,
) -> tuple[PractitionerEvidence, ...]:
    """One evidence row per question label (the same question in several versions is one)."""
    by_label: dict[str, tuple[Question, str, list[JSONValue]]] = {}
    for form, question in asked:
        found = [a.get(question.id) for key, a in staff if key == form.key]
        source = VOICES.get(form.stream.value, form.stream.value)
        entry = by_label.setdefault(question.label, (question, source, []))
        entry[2].extend(found)
    return tuple(
        practitioner_evidence(question, found, rated_met=rated_met, source=source)
        for question, source, found in by_label.values()
    )


def _words(question: Question, answer: Any) -> str:
    choice = ratings.rating_choice(answer)
    if choice is None:
        return "Not answered"
    return ratings.rating_label(question, choice) or choice


def _forms_triangulating(
    definition: SurveyDefinition, registry: Any
) -> dict[tuple[str, int], SurveyDefinition]:
    """Every loaded form version whose questions name this form's standards."""
    return {
        (form.key, form.version): form for form in registry if form.triangulates == definition.key
    }


def _consultation_answers(
    session: Session,
    forms: Mapping[tuple[str, int], SurveyDefinition],
    since: datetime,
    until: datetime,
) -> dict[str, list[tuple[str, dict[str, JSONValue]]]]:
    """Return (form key, answers) of each consultation answer, by the organisation it names."""
    if not forms:
        return {}
    keys = sorted({key for key, _ in forms})
    found = session.scalars(
        select(Response)
        .join(Cycle, Cycle.id == Response.cycle_id)
        .where(
            Cycle.definition_key.in_(keys),
            Response.submitted_at.is_not(None),
            Response.submitted_at >= since,
            Response.submitted_at <= until,
        )
    )
    staff: dict[str, list[tuple[str, dict[str, JSONValue]]]] = {}
    for response in found:
        form = forms.get((response.definition_key, response.definition_version))
        which = organisation_choices.organisation_question(form) if form else None
        answers = answers_of(response)
        named = answers.get(which.id) if which is not None else None
        if isinstance(named, str) and named.isdigit():
            staff.setdefault(named, []).append((response.definition_key, answers))
    return staff
