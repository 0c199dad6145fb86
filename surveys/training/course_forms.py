"""The evaluation and follow-up a session's trainee answers, made from the course itself.

Public API:
    ORGANISATION_QUESTION, OTHER_ORGANISATION, outcome_id(n), outcome_now_id(n)
    for_link(session, base, link_id) -> SurveyDefinition: the form reached from this link
    evaluation_for(base, course, held_on, organisations) -> SurveyDefinition
    follow_up_for(base, course, held_on) -> SurveyDefinition

The stored training-evaluation and training-follow-up definitions stay the forms of cycles
without courses. Reached from a session's link, the evaluation names the course and its date,
asks the organisation (the partnership's list, or another, whose sector it then asks) and one
before/after confidence pair per learning outcome of the course (`outcome_1`, `outcome_2`...);
reached from a trainee's own follow-up link, the follow-up names the course and the date and
asks confidence now on the same outcomes (`outcome_1_now`...).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import organisations
from surveys.definition import Option, Page, Question, ShowIf, Stream, SurveyDefinition
from surveys.models import Organisation, TraineeFollowUp, TrainingCourse, TrainingSession

ORGANISATION_QUESTION = "organisation"
OTHER_ORGANISATION = "other"
CONFIDENCE_PAGE = "confidence"
CONFIDENCE_NOW = "confidence_now"


def outcome_id(number: int) -> str:
    return f"outcome_{number}"


def outcome_now_id(number: int) -> str:
    return f"outcome_{number}_now"


def organisation_value(organisation_id: int) -> str:
    return f"org-{organisation_id}"


def organisation_of(answer: object) -> int | None:
    """Return the organisation id an answer to the organisation question names, if any."""
    if isinstance(answer, str) and answer.startswith("org-") and answer[4:].isdigit():
        return int(answer[4:])
    return None


def day(held_on: date) -> str:
    return held_on.strftime("%-d %B %Y")


def for_link(session: Session, base: SurveyDefinition, link_id: int) -> SurveyDefinition:
    """Return the form a respondent reaches from this link: made from its course if it has one."""
    if base.stream is Stream.TRAINING:
        found = session.scalar(select(TrainingSession).where(TrainingSession.link_id == link_id))
        if found is not None:
            listed = organisations.list_organisations(session, include_inactive=False)
            return evaluation_for(base, found.course, found.held_on, listed)
    if base.stream is Stream.TRAINING_FOLLOW_UP:
        chain = session.scalar(select(TraineeFollowUp).where(TraineeFollowUp.link_id == link_id))
        if chain is not None:
            return follow_up_for(base, chain.session.course, chain.session.held_on)
    return base


def _organisation_question(listed: Sequence[Organisation]) -> Question:
    options = [Option(value=organisation_value(o.id), label=o.name) for o in listed]
    options.append(Option(value=OTHER_ORGANISATION, label="Another organisation"))
    return Question(
        id=ORGANISATION_QUESTION,
        type="radios",
        label="Which organisation do you work for?",
        required=True,
        error_required="Select the organisation you work for",
        options=tuple(options),
    )


def _about_you(page: Page, listed: Sequence[Organisation]) -> Page:
    """Ask the organisation first; the sector only of someone from another organisation."""
    other = ShowIf(question=ORGANISATION_QUESTION, equals=OTHER_ORGANISATION)
    asked = [q.model_copy(update={"show_if": q.show_if or other}) for q in page.questions]
    return page.model_copy(update={"questions": (_organisation_question(listed), *asked)})


def _confidence(page: Page, course: TrainingCourse) -> Page:
    """One before/after confidence pair per learning outcome of the course."""
    pair = page.questions[0]
    questions = tuple(
        pair.model_copy(update={"id": outcome_id(n), "label": outcome[:500]})
        for n, outcome in enumerate(course.outcomes, start=1)
    )
    return page.model_copy(
        update={
            "questions": questions,
            "description": "How confident you felt before the course and how you feel now, "
            "about each of the course's learning outcomes.",
        }
    )


def evaluation_for(
    base: SurveyDefinition,
    course: TrainingCourse,
    held_on: date,
    listed: Sequence[Organisation],
) -> SurveyDefinition:
    """Return the evaluation of one session: its course's outcomes, the partnership's list."""
    pages = []
    for page in base.pages:
        if page.id == "about_you":
            page = _about_you(page, listed)
        elif page.id == CONFIDENCE_PAGE:
            page = _confidence(page, course)
        pages.append(page)
    described = f"Your feedback on {course.title}, {day(held_on)}. {base.description}"
    return base.model_copy(update={"pages": tuple(pages), "description": described[:5000]})


def follow_up_for(
    base: SurveyDefinition, course: TrainingCourse, held_on: date
) -> SurveyDefinition:
    """Return the follow-up of one trainee's course: named, with its outcomes' confidence now."""
    pages = []
    for page in base.pages:
        questions: list[Question] = []
        for question in page.questions:
            if question.id != CONFIDENCE_NOW:
                questions.append(question)
                continue
            questions += [
                question.model_copy(
                    update={
                        "id": outcome_now_id(n),
                        "label": f"How confident do you feel now: {outcome}"[:500],
                        "error_required": "Select how confident you feel now",
                    }
                )
                for n, outcome in enumerate(course.outcomes, start=1)
            ]
        pages.append(page.model_copy(update={"questions": tuple(questions)}))
    described = (
        f"On {day(held_on)} you went on {course.title}. This follow-up asks how you have "
        "used what you learnt. It takes about 5 minutes. If you can, answer the last section "
        "with your manager."
    )
    return base.model_copy(update={"pages": tuple(pages), "description": described[:5000]})
