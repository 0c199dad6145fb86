"""Realistic, valid demo answers for any survey definition (pure functions, no Flask, no DB).

Public API:
    Persona: who answers and in what mood; ratings and the tone of free text follow `mood`.
    random_persona(definition, rng) -> Persona: a plausible respondent for this form.
    generate_answers(definition, *, rng, persona=None, today=None) -> answers as stored.
    formdata_for(page, answers) -> [(posted name, value)]: what a browser posts for a page.
    text_values(answers) -> every string in an answers dict.

Stored shapes follow `surveys.answer_types`; which responses the demo holds is demo.responses.
Free text comes from the hand-written theme banks in `demo/text/`. Every person, phone
number, postcode and email is fictional; about 3% of responses carry such fictional personal
data on purpose, so redaction has work to do, and four carry a fictional possible disclosure
(`expects_disclosure`) for the DSL queue.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from demo.text import TextBank, choose_themes, compose, load_bank, load_extras, non_answer
from surveys.answer_types import answer_type
from surveys.definition import (
    FREE_TEXT_TYPES,
    JSONValue,
    Page,
    Polarity,
    Question,
    QuestionType,
    ShowIf,
    Stream,
    SurveyDefinition,
    TextFormat,
)
from surveys.engine import visible_answers, visible_questions
from surveys.ratings import rating_answer, rating_level, rating_question
from surveys.validators import LONG_TEXT_MAX, SHORT_TEXT_MAX

__all__ = [
    "Persona",
    "formdata_for",
    "generate_answers",
    "random_persona",
    "text_values",
]

# Free-text questions with their own bank, by (definition key, question id).
_BANKS: dict[tuple[str, str], str] = {
    ("training-evaluation", "do_differently"): "training_do_differently",
    ("training-evaluation", "improve"): "training_improve",
    ("training-follow-up", "changed_practice"): "follow_up_changed_practice",
    ("training-follow-up", "practice_example"): "follow_up_practice_example",
    ("training-follow-up", "barriers_detail"): "follow_up_barriers",
    ("training-follow-up", "manager_observed"): "follow_up_manager_observed",
    ("training-follow-up", "manager_support"): "follow_up_manager_support",
    ("practitioner-consultation", "what_works"): "consultation_what_works",
    ("practitioner-consultation", "barriers"): "consultation_barriers",
    ("practitioner-consultation", "suggestions"): "consultation_suggestions",
    ("child-voice-under-11", "anything_else"): "child_under_11_anything_else",
    ("child-voice-11-plus", "make_better"): "child_11_plus_make_better",
    ("child-voice-11-plus", "anything_else"): "child_11_plus_anything_else",
    ("family-voice", "what_was_good"): "family_what_was_good",
    ("family-voice", "could_be_better"): "family_could_be_better",
    ("family-voice", "anything_else"): "family_anything_else",
    ("case-audit", "strengths"): "case_audit_strengths",
    ("case-audit", "areas_for_improvement"): "case_audit_improvements",
    ("case-audit", "lessons"): "case_audit_lessons",
    ("case-audit-tool", "strengths"): "case_audit_strengths",
    ("case-audit-tool", "areas_for_improvement"): "case_audit_improvements",
    ("case-audit-tool", "lessons"): "case_audit_lessons",
    ("practice-concern", "what_happened"): "consultation_barriers",
    ("practice-concern", "what_would_help"): "consultation_suggestions",
    ("section-11", "contributors"): "section_11_contributors",
    ("case-audit-finding", "strength"): "case_audit_strengths",
    ("case-audit-finding", "area_to_improve"): "case_audit_improvements",
    ("case-audit-finding", "lesson"): "case_audit_lessons",
    ("national-review-finding", "in_place"): "case_audit_strengths",
    ("national-review-finding", "gap"): "case_audit_improvements",
}
# Per-standard questions of self-assessments share a bank, by stream and id suffix.
_SUFFIX_BANKS: dict[tuple[Stream, str], str] = {
    (Stream.SECTION_11, "_evidence"): "section_11_evidence",
    (Stream.SECTION_11, "_development"): "section_11_development",
    (Stream.SECTION_11, "_impact"): "section_11_impact",
    (Stream.SECTION_175, "_evidence"): "section_175_evidence",
    (Stream.SECTION_175, "_development"): "section_175_development",
}
_TONE_OF: dict[Polarity, int] = {
    Polarity.STRENGTHS: 1,
    Polarity.AREAS_FOR_DEVELOPMENT: -1,
    Polarity.NEUTRAL: 0,
}
# Mean mood per stream (beta distribution parameters): trainees are mostly pleased.
_MOOD: dict[Stream, tuple[float, float]] = {
    Stream.TRAINING: (5, 2),
    Stream.TRAINING_FOLLOW_UP: (4, 2),
    Stream.CONSULTATION: (3, 3),
    Stream.CHILD_VOICE: (4, 2),
    Stream.FAMILY_VOICE: (3, 2.5),
    Stream.CASE_AUDIT: (3, 3),
}
# How often each option is picked where mood does not decide (unlisted values weigh 1).
_VALUE_WEIGHTS = {
    "local_authority": 3, "education": 3, "health": 3, "police": 1.5, "voluntary": 1.5,
    "other": 0.4, "practitioner": 6, "manager": 2.5, "senior_leader": 0.7, "worker": 3,
    "nobody": 2, "family": 1.5, "childrens_social_care": 6, "early_help": 2.5,
    "social_worker": 3, "school": 2.5, "adult_services": 1.2, "dont_want_to_say": 0.3,
}  # fmt: skip
_MOOD_ORDERED = frozenset({"grading", "child_safer", "know_who_to_tell"})
_SIDE_VALUES = frozenset({"not_used", "unclear", "not_sure", "dont_know", "dont_want_to_say"})
_EXCLUSIVE_VALUES = ("none", "nothing", "none_of_these")
_NA_PRONE_PAGES = frozenset({"standard_2", "standard_8", "standard_14"})
_YES_RATE = {"follow_up_consent": 0.5, "with_manager": 0.45, "aware_of_strategy": 0.55}


@dataclass(frozen=True)
class Persona:
    """Who answers: mood 0 (unhappy) to 1 (delighted) drives ratings and text tone."""

    mood: float = 0.7
    sector: str | None = None
    is_small_organisation: bool = False
    answered_days_ago: int = 0
    include_personal_data: bool = False
    include_disclosure: bool = False


@dataclass
class _Context:
    definition: SurveyDefinition
    rng: random.Random
    persona: Persona
    day: date
    answers: dict[str, JSONValue] = field(default_factory=dict)
    page: Page | None = None
    page_themes: list[str] = field(default_factory=list)
    page_actions: list[str] = field(default_factory=list)


def random_persona(definition: SurveyDefinition, rng: random.Random) -> Persona:
    """Return a plausible respondent for this form (about 3% add fictional personal data)."""
    alpha, beta = _MOOD.get(definition.stream, (4, 2.5))
    return Persona(mood=rng.betavariate(alpha, beta), include_personal_data=rng.random() < 0.035)


def generate_answers(
    definition: SurveyDefinition,
    *,
    rng: random.Random,
    persona: Persona | None = None,
    today: date | None = None,
) -> dict[str, JSONValue]:
    """Return a complete, valid answers dict for the definition, as the engine stores it."""
    persona = persona or random_persona(definition, rng)
    day = (today or date.today()) - timedelta(days=persona.answered_days_ago)
    context = _Context(definition, rng, persona, day)
    for page in definition.pages:
        if not _is_shown(page.show_if, context.answers):
            continue
        context.page, context.page_themes, context.page_actions = page, [], []
        for question in page.questions:
            if _is_shown(question.show_if, context.answers):
                answer = _without_most_concerns(question, _answer(question, context), context)
                if answer is not None:
                    context.answers[question.id] = answer
    if persona.include_disclosure:
        _add_line(context, "_disclosures", screened_only=True)
    if persona.include_personal_data:
        _add_line(context, "_personal_data", screened_only=False)
    return visible_answers(definition, context.answers)


def _without_most_concerns(question: Question, answer: JSONValue, context: _Context) -> JSONValue:
    """Keep a concern answer (e.g. "No" to feeling safe at home) for about 1 child in 30.

    Most children feel safe; a demo where every other child is flagged would teach the
    safeguarding lead nothing. A persona that discloses keeps its concern answers.
    """
    concern = question.concern
    if concern is None or answer not in concern.answers or context.persona.include_disclosure:
        return answer
    if context.rng.random() < 0.03:
        return answer
    calmer = [o.value for o in question.options if o.value not in concern.answers]
    return context.rng.choice(calmer) if calmer else answer


def _is_shown(condition: ShowIf | None, answers: Mapping[str, JSONValue]) -> bool:
    return condition is None or condition.is_met(answers.get(condition.question))


def _answer(question: Question, context: _Context) -> JSONValue:
    return _BY_TYPE[question.type](question, context)


def _ordered(best_first: list[str], mood: float, rng: random.Random) -> str:
    position = (1 - mood) * (len(best_first) - 1) + rng.gauss(0, 0.75)
    return best_first[min(len(best_first) - 1, max(0, round(position)))]


def _mood_choice(question: Question, context: _Context) -> str:
    values = [option.value for option in question.options]
    digits = [value for value in values if value.isdigit()]
    if len(digits) >= 2:  # numbered scales run worst first
        side = [value for value in values if not value.isdigit()]
        main = sorted(digits, key=int, reverse=True)
    else:
        side = [value for value in values if value in _SIDE_VALUES]
        main = [value for value in values if value not in _SIDE_VALUES]
    if side and context.rng.random() < 0.1:
        return context.rng.choice(side)
    return _ordered(main, context.persona.mood, context.rng)


def _choice(question: Question, context: _Context) -> str:
    values = [option.value for option in question.options]
    if question.id in _MOOD_ORDERED:
        return _mood_choice(question, context)
    if context.persona.sector in values and question.id == "sector":
        return context.persona.sector
    weights = [_VALUE_WEIGHTS.get(value, 1.0) for value in values]
    return context.rng.choices(values, weights=weights)[0]


def _checkboxes(question: Question, context: _Context) -> list[JSONValue] | None:
    rng, values = context.rng, [option.value for option in question.options]
    exclusive = [value for value in values if value in _EXCLUSIVE_VALUES]
    if not question.required and rng.random() < 0.2:
        return None
    if exclusive and rng.random() < 0.15 + 0.35 * context.persona.mood:
        return [exclusive[0]]
    pool = [value for value in values if value not in exclusive]
    wanted = max(question.validation.min_selected or 1, 1 + (rng.random() < 0.5))
    wanted += rng.random() < 0.25
    chosen: set[str] = set()
    while pool and len(chosen) < wanted:
        weights = [_VALUE_WEIGHTS.get(value, 1.0) for value in pool]
        pick = rng.choices(pool, weights=weights)[0]
        chosen.add(pick)
        pool.remove(pick)
    return [value for value in values if value in chosen]


def _page_position(context: _Context) -> float | None:
    """Return the page's rating from 0 (best level) to 1 (worst), None if N/A or unrated."""
    question = rating_question(context.page.questions) if context.page else None
    if question is None or question.scale is None:
        return None
    level = rating_level(question, context.answers.get(question.id))
    return None if level is None else level / (len(question.scale.levels) - 1)


def _yes_no(question: Question, context: _Context) -> str:
    position = _page_position(context)
    if position is not None:
        rate = 0.95 - 0.45 * position
    else:
        rate = _YES_RATE.get(question.id, 0.55 + 0.4 * context.persona.mood)
    return "yes" if context.rng.random() < rate else "no"


def _rating(question: Question, context: _Context) -> JSONValue:
    assert question.scale is not None  # guaranteed by the definition's validation
    rng, scale, persona = context.rng, question.scale, context.persona
    page_id = context.page.id if context.page else ""
    if persona.is_small_organisation:
        not_applicable = 0.6 if page_id in _NA_PRONE_PAGES else 0.05
    else:
        not_applicable = 0.01
    if scale.allow_not_applicable and rng.random() < not_applicable:
        return "not_applicable"
    levels = [level.value for level in scale.levels]
    best, worst = 0.2 + 0.55 * persona.mood, 0.03 + 0.12 * (1 - persona.mood)
    draw = rng.random()
    if draw < best:
        value = levels[0]
    elif draw < best + worst or len(levels) == 2:
        value = levels[-1]
    else:
        value = rng.choice(levels[1:-1])
    return rating_answer(question, value)


def _number(question: Question, context: _Context) -> JSONValue:
    rules = question.validation
    low = int(rules.min_value) if rules.min_value is not None else 0
    high = int(rules.max_value) if rules.max_value is not None else max(low, 0) + 40
    return context.rng.randint(low, max(low, high))


def _date(question: Question, context: _Context) -> JSONValue:
    rng, rules = context.rng, question.validation
    if rules.not_in_past or question.id == "due_date":
        return (context.day + timedelta(days=rng.randint(21, 300))).isoformat()
    if not question.required and rng.random() < 0.4:
        return None
    back = rng.randint(0, 6) if rules.not_in_future else rng.randint(0, 365)
    return (context.day - timedelta(days=back)).isoformat()


def _file(question: Question, context: _Context) -> JSONValue:
    if not question.required:
        return None  # demo uploads would point at bytes nobody stored
    return [{"filename": "evidence.pdf", "content_type": "application/pdf", "size": 48_213}]


def _confidence(question: Question, context: _Context) -> JSONValue:
    assert question.confidence is not None  # guaranteed by the definition's validation
    rng, levels = context.rng, [level.value for level in question.confidence.levels]
    top = len(levels) - 1
    before = min(top, max(0, round(rng.gauss(top * 0.4, top * 0.2))))
    gain = max(0, round(rng.gauss(0.4 + 1.4 * context.persona.mood, 0.6)))
    return {"before": levels[before], "after": levels[min(top, before + gain)]}


def _rows(question: Question, context: _Context) -> JSONValue:
    rng, position = context.rng, _page_position(context)
    if position is None and _has_rating(context):
        count = 0  # a standard that does not apply needs no action plan
    elif position is not None:
        count = int(rng.random() < 0.15) if position == 0 else 1 + (rng.random() < 0.5)
        count += position == 1 and rng.random() < 0.5
    else:
        count = rng.randint(0, 2)
    needed = question.min_rows or (1 if question.required else 0)
    rows: list[JSONValue] = []
    for index in range(min(question.max_rows, max(needed, count))):
        row = {sub.id: _row_field(sub, context, index) for sub in question.fields}
        if any(value is not None for value in row.values()):
            rows.append(row)
    return rows or None


def _has_rating(context: _Context) -> bool:
    return rating_question(context.page.questions if context.page else ()) is not None


def _row_field(question: Question, context: _Context, index: int) -> JSONValue:
    if question.id == "action":
        return _action(context, index)
    if question.id == "status" and question.options:
        values = [option.value for option in question.options]
        weights = [{"in_progress": 5, "not_started": 3, "complete": 2}.get(v, 0.5) for v in values]
        return context.rng.choices(values, weights=weights)[0]
    return _answer(question, context)


def _action(context: _Context, index: int) -> str:
    name = _SUFFIX_BANKS.get((context.definition.stream, "_development"))
    if name is None:
        return str(context.rng.choice(load_extras("_people")["actions"]))
    bank = load_bank(name)
    page_id = context.page.id if context.page else None
    themes = [bank.theme(key) for key in context.page_themes]
    chosen = [theme for theme in themes if theme is not None and theme.actions]
    if not chosen:
        chosen = choose_themes(bank, context.rng, mood=0.3, page_id=page_id, count=2)
    own = chosen[index % len(chosen)].actions
    every = [action for theme in chosen for action in theme.actions]
    fresh = [action for action in own if action not in context.page_actions] or [
        action for action in every if action not in context.page_actions
    ]
    action = str(context.rng.choice(fresh or own))  # one plan never repeats an action
    context.page_actions.append(action)
    return action


def _short_text(question: Question, context: _Context) -> JSONValue:
    rng, rules, people = context.rng, question.validation, load_extras("_people")
    if not question.required and rng.random() < 0.55:
        return None
    if rules.format is TextFormat.EMAIL:
        first, last = rng.choice(people["first_names"]), rng.choice(people["last_names"])
        domain = rng.choice(["example.org", "example.org", "example.com"])
        return f"{first}.{last}@{domain}".lower()
    if rules.pattern is not None:
        return _reference(question, context)
    if question.autocomplete == "name" or question.id.endswith("_name"):
        return f"{rng.choice(people['first_names'])} {rng.choice(people['last_names'])}"
    for key in ("owner", "progress_note"):
        if question.id == key:
            return str(rng.choice(people[f"{key}s"]))
    if "role" in question.id:
        return str(rng.choice(people["roles"]))
    return str(rng.choice(people["short_answers"]))


def _reference(question: Question, context: _Context) -> str | None:
    pattern = re.compile(question.validation.pattern or "")
    year = context.day.year
    number = context.rng.randint(1, 60)
    candidates = [f"MACA-{year}-{number:03d}", f"AUD{year}{number:03d}", f"A{number}", "REF-1"]
    for candidate in candidates:
        if pattern.fullmatch(candidate):
            return candidate
    if question.required:
        raise ValueError(f"no demo answer fits the pattern of {question.id!r}")
    return None


def _bank(question: Question, definition: SurveyDefinition) -> tuple[TextBank, int | None]:
    name = _BANKS.get((definition.key, question.id))
    for (stream, suffix), bank_name in _SUFFIX_BANKS.items():
        if name is None and definition.stream is stream and question.id.endswith(suffix):
            name = bank_name
    if name is not None:
        return load_bank(name), None
    polarity = question.analysis.polarity if question.analysis else Polarity.NEUTRAL
    return load_bank("generic"), _TONE_OF[polarity]


def _answer_rate(question: Question, bank: TextBank, context: _Context) -> float:
    polarity = question.analysis.polarity if question.analysis else Polarity.NEUTRAL
    if _has_rating(context) and polarity is not Polarity.NEUTRAL:
        position = _page_position(context)
        if position is None:
            return 0.0
        if polarity is Polarity.AREAS_FOR_DEVELOPMENT:
            return 0.25 if position == 0 else 0.95
        return 0.55
    mood = context.persona.mood
    return bank.answer_rate + 0.6 * _TONE_OF[polarity] * (mood - 0.5)


def _free_text(question: Question, context: _Context) -> JSONValue:
    if question.type is QuestionType.SHORT_TEXT and question.analysis is None:
        return _short_text(question, context)
    rng = context.rng
    bank, tone = _bank(question, context.definition)
    if not question.required and rng.random() >= _answer_rate(question, bank, context):
        return None
    if _page_position(context) is None and _has_rating(context) and bank.by_page:
        text: str | None = rng.choice(load_extras("_people")["not_applicable_evidence"])
    elif rng.random() < bank.non_answer_rate:
        text = non_answer(bank, rng)
    else:
        page_id = context.page.id if context.page else None
        text, themes = compose(bank, rng, mood=context.persona.mood, page_id=page_id, tone=tone)
        context.page_themes.extend(themes)
    return _fit(text, question)


def _fit(text: str | None, question: Question) -> str | None:
    if not text:
        return None
    default = SHORT_TEXT_MAX if question.type is QuestionType.SHORT_TEXT else LONG_TEXT_MAX
    limit = question.validation.max_length or default
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0]
    return text.strip() or None


def _add_line(context: _Context, extras: str, *, screened_only: bool) -> None:
    """Add one fictional line (a possible disclosure or personal data) to a free-text answer."""
    definition, rng = context.definition, context.rng
    lines = load_extras(extras).get(definition.key) or load_extras(extras).get(
        definition.audience.value
    )
    targets = [
        question
        for question in visible_questions(definition, context.answers)
        if question.type in FREE_TEXT_TYPES
        and question.analysis is not None
        and (question.analysis.screen_for_disclosure or not screened_only)
    ]
    if not lines or not targets:
        return
    answered = [question for question in targets if question.id in context.answers]
    target = rng.choice(answered or targets)
    before = context.answers.get(target.id)
    line = str(rng.choice(lines))
    # Add to a real answer half the time; a bare "no" or "n/a" is replaced instead.
    is_answer = isinstance(before, str) and len(before) > 15
    text = f"{before} {line}" if is_answer and rng.random() < 0.5 else line
    context.answers[target.id] = _fit(text, target)


_BY_TYPE: dict[QuestionType, Callable[[Question, _Context], JSONValue]] = {
    QuestionType.SHORT_TEXT: _free_text,
    QuestionType.LONG_TEXT: _free_text,
    QuestionType.RADIOS: _choice,
    QuestionType.SELECT: _choice,
    QuestionType.SCALE: _mood_choice,
    QuestionType.EMOJI_SCALE: _mood_choice,
    QuestionType.CHECKBOXES: _checkboxes,
    QuestionType.YES_NO: _yes_no,
    QuestionType.COMPLIANCE_RATING: _rating,
    QuestionType.NUMBER: _number,
    QuestionType.DATE: _date,
    QuestionType.FILE: _file,
    QuestionType.CONFIDENCE_PAIR: _confidence,
    QuestionType.REPEATING_GROUP: _rows,
}


def text_values(answers: Mapping[str, JSONValue]) -> list[str]:
    """Return every string in the answers, rows included (to search demo text)."""
    found: list[str] = []
    stack: list[JSONValue] = list(answers.values())
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
    return found


def formdata_for(page: Page, answers: Mapping[str, JSONValue]) -> list[tuple[str, str]]:
    """Return the (name, value) pairs a browser posts for this page given these answers.

    Dates post `<id>-day/-month/-year`, confidence pairs `<id>-before/-after`, group rows
    `<id>-<n>-<field>` and checkboxes one pair per ticked value. Files post nothing: the
    engine keeps an earlier upload when no new file is sent. Wrap in a MultiDict for WTForms.
    """
    return [
        item
        for question in page.questions
        for item in answer_type(question).posted(question, answers.get(question.id), question.id)
    ]
