"""Survey definitions as typed, immutable data (pydantic v2 models).

Public API:
    SurveyDefinition, Page, Question and their parts (Option, ComplianceScale, ScaleLevel,
    ConfidencePair, ConfidenceLevel, Validation, ShowIf, Analysis, Standard, Labels,
    Concern, FollowUp).
    Enums: QuestionType, Audience, Stream, Polarity, AgeBand, TextFormat.
    Type sets: CHOICE_TYPES, FREE_TEXT_TYPES, GROUP_FIELD_TYPES.
    JSONValue: the type of one stored answer.

A YAML document is validated into these models by `surveys.loader`; code uses the models,
never raw dicts. Each model checks only its own fields; the loader then runs the checks
that span a question's parts or the whole document (`surveys.consistency`). Named scales
and choice lists (`scale: <name>`, `options: <name>`) are resolved by the loader before
validation (`surveys.named_lists`), so a Question always holds the scale or options.
"""

from __future__ import annotations

import re
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal, Self, TypeAlias

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

JSONValue: TypeAlias = "str | int | float | bool | None | list[JSONValue] | dict[str, JSONValue]"


class QuestionType(StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    RADIOS = "radios"
    CHECKBOXES = "checkboxes"
    SELECT = "select"
    SCALE = "scale"
    EMOJI_SCALE = "emoji_scale"
    COMPLIANCE_RATING = "compliance_rating"
    NUMBER = "number"
    DATE = "date"
    YES_NO = "yes_no"
    FILE = "file"
    REPEATING_GROUP = "repeating_group"
    CONFIDENCE_PAIR = "confidence_pair"


CHOICE_TYPES = frozenset(
    {
        QuestionType.RADIOS,
        QuestionType.CHECKBOXES,
        QuestionType.SELECT,
        QuestionType.SCALE,
        QuestionType.EMOJI_SCALE,
    }
)
FREE_TEXT_TYPES = frozenset({QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT})
GROUP_FIELD_TYPES = frozenset(
    {
        QuestionType.SHORT_TEXT,
        QuestionType.LONG_TEXT,
        QuestionType.NUMBER,
        QuestionType.DATE,
        QuestionType.SELECT,
        QuestionType.RADIOS,
        QuestionType.YES_NO,
    }
)


class Audience(StrEnum):
    ORGANISATION = "organisation"
    ANONYMOUS_LINK = "anonymous_link"
    CHILD = "child"
    FAMILY = "family"


class Stream(StrEnum):
    SECTION_11 = "section_11"
    SECTION_175 = "section_175"
    TRAINING = "training"
    TRAINING_FOLLOW_UP = "training_follow_up"
    CONSULTATION = "consultation"
    CHILD_VOICE = "child_voice"
    FAMILY_VOICE = "family_voice"
    CASE_AUDIT = "case_audit"
    CASE_REVIEW = "case_review"  # agencies' information returns to a rapid review
    PRACTICE_CONCERN = "practice_concern"  # practice concerns and near misses
    NATIONAL_REVIEW = "national_review"  # agencies measured against a national review's finding


class Polarity(StrEnum):
    STRENGTHS = "strengths"
    AREAS_FOR_DEVELOPMENT = "areas_for_development"
    NEUTRAL = "neutral"


class AgeBand(StrEnum):
    UNDER_11 = "under_11"
    ELEVEN_PLUS = "11_plus"


class TextFormat(StrEnum):
    EMAIL = "email"


def _problem(at: str, reason: str) -> PydanticCustomError:
    """Return a validation error the loader reports at path `at` inside the current model."""
    return PydanticCustomError("definition", "{reason}", {"reason": reason, "at": at})


def _scalar_to_token(value: Any) -> Any:
    """Turn YAML 1.1 booleans and numbers into the option tokens an author meant."""
    # `value: yes` parses as True and `value: 1` as 1 under yaml.safe_load.
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    return value


IDENTIFIER_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
Identifier = Annotated[str, StringConstraints(pattern=IDENTIFIER_PATTERN)]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,62}$")]
Token = Annotated[
    str,
    BeforeValidator(_scalar_to_token),
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Extension = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]{1,10}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Model):
    """One answer a respondent can choose."""

    value: Token
    label: Text
    hint: LongText | None = None
    emoji: Annotated[str, StringConstraints(min_length=1, max_length=16)] | None = None


class ScaleLevel(_Model):
    """One level of a compliance rating scale, with the descriptor shown as its hint."""

    value: Token
    label: Text
    descriptor: LongText | None = None


class ComplianceScale(_Model):
    """An ordered rating scale (e.g. Met / Partially met / Not met), best level first."""

    version: int = Field(
        default=1, ge=1, description="Stored with each answer so old ratings keep meaning"
    )
    levels: tuple[ScaleLevel, ...] = Field(min_length=2)
    allow_not_applicable: bool = True
    not_applicable_label: Text = "Not applicable"
    not_applicable_hint: LongText | None = None

    @model_validator(mode="after")
    def _check_levels(self) -> Self:
        values = [level.value for level in self.levels]
        if len(set(values)) != len(values):
            raise _problem("levels", "each level needs a different value")
        if "not_applicable" in values:
            raise _problem("levels", "'not_applicable' is reserved; use allow_not_applicable")
        return self


class ConfidenceLevel(_Model):
    value: int = Field(ge=0, le=10)
    label: Text


class ConfidencePair(_Model):
    """A before / after self-rating on one scale, stored as {before: n, after: n}."""

    before_label: Text
    after_label: Text
    levels: tuple[ConfidenceLevel, ...] = Field(min_length=2)
    error_before: Text | None = None
    error_after: Text | None = None

    @model_validator(mode="after")
    def _check_levels(self) -> Self:
        values = [level.value for level in self.levels]
        if values != sorted(set(values)):
            raise _problem("levels", "level values must be different and in ascending order")
        return self


class Validation(_Model):
    """Limits on an answer; each limit has a GOV.UK-style message or a sensible default."""

    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1, le=100_000)
    min_value: float | None = None
    max_value: float | None = None
    whole_number: bool = False
    pattern: str | None = Field(default=None, max_length=500)
    pattern_error: Text | None = None
    format: TextFormat | None = None
    allowed_file_types: tuple[Extension, ...] | None = None
    max_file_size_mb: float | None = Field(default=None, gt=0, le=100)
    not_in_future: bool = False
    not_in_past: bool = False
    min_selected: int | None = Field(default=None, ge=1)
    error_too_short: Text | None = None
    error_too_long: Text | None = None
    error_too_small: Text | None = None
    error_too_large: Text | None = None
    error_invalid: Text | None = None

    @model_validator(mode="after")
    def _check_limits(self) -> Self:
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as error:
                raise _problem("pattern", f"not a valid regular expression ({error})") from None
            if self.pattern_error is None:
                raise _problem("pattern_error", "give the message shown when the pattern fails")
        pairs = [("min_length", "max_length"), ("min_value", "max_value")]
        for low, high in pairs:
            low_value, high_value = getattr(self, low), getattr(self, high)
            if low_value is not None and high_value is not None and low_value > high_value:
                raise _problem(low, f"{low} ({low_value}) is greater than {high} ({high_value})")
        if self.not_in_future and self.not_in_past:
            raise _problem(
                "not_in_past", "a date cannot be both not in the future and not in the past"
            )
        return self


class ShowIf(_Model):
    """Show a page or question only when an earlier question has one of these answers."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    question: Identifier
    equals: Token | None = None
    in_: tuple[Token, ...] | None = Field(default=None, alias="in", min_length=1)
    any_of: tuple[Token, ...] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _check_one_condition(self) -> Self:
        given = [name for name in ("equals", "in_", "any_of") if getattr(self, name) is not None]
        if len(given) != 1:
            raise _problem("", "give exactly one of equals, in or any_of")
        return self

    @property
    def values(self) -> tuple[str, ...]:
        """Return every answer value this condition mentions."""
        if self.equals is not None:
            return (self.equals,)
        return self.in_ or self.any_of or ()

    def is_met(self, answer: JSONValue) -> bool:
        """Return whether the controlling question's stored answer meets this condition."""
        if isinstance(answer, dict):  # a compliance rating stores {value, scale_version}
            answer = answer.get("value")
        if self.any_of is not None:
            return isinstance(answer, list) and any(value in answer for value in self.any_of)
        return isinstance(answer, str) and answer in self.values


class Analysis(_Model):
    """How the theming pipeline should read a free-text answer."""

    stream: Stream | None = Field(default=None, description="Defaults to the definition's stream")
    standard: Annotated[str, StringConstraints(max_length=64)] | None = None
    polarity: Polarity = Polarity.NEUTRAL
    screen_for_disclosure: bool = False


class Concern(_Model):
    """Answers to a choice question that go to the safeguarding lead, as a disclosure would.

    For example "No" to "Do you feel safe at home?": a child who chooses it and writes
    nothing is still seen by the designated safeguarding lead.
    """

    answers: tuple[Token, ...] = Field(min_length=1)
    reason: Text = Field(description='What the DSL reads, e.g. "Does not feel safe at home"')


class Triangulation(_Model):
    """What an answer says about one standard of the respondent's own organisation.

    A practitioner consultation asks, say, "Do you know how to escalate a disagreement with
    another agency?"; `standard: S11-6` sets the answers beside the organisation's rating of
    Section 11 standard 6, and `not_met_answers` are the answers that say the standard is
    not met in practice (surveys.triangulation flags a "met" rating most of them contradict).
    The form's `triangulates` names the form whose standards these are.
    """

    standard: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")]
    not_met_answers: tuple[Token, ...] = Field(
        min_length=1, description="Answers saying the standard is not met in practice"
    )


class Standard(_Model):
    """The Section 11 / 175 standard a page assesses and the clause it serves."""

    ref: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")]
    title: Text
    source: Text


class Question(_Model):
    """One question; which optional parts apply depends on its type."""

    id: Identifier
    type: QuestionType
    label: Text
    hint: LongText | None = None
    required: bool = False
    error_required: Text | None = None
    validation: Validation = Validation()
    options: tuple[Option, ...] = ()
    scale: ComplianceScale | None = None
    confidence: ConfidencePair | None = None
    fields: tuple[Question, ...] = ()
    min_rows: int = Field(default=0, ge=0, le=50)
    max_rows: int = Field(default=10, ge=1, le=50)
    add_label: Text = "Add another"
    show_if: ShowIf | None = None
    analysis: Analysis | None = None
    triangulation: Triangulation | None = None
    options_from: Literal["organisations"] | None = Field(
        default=None,
        description="Offer the partnership's organisations (each stored as its id) before the "
        "options listed here, e.g. an 'Other' option",
    )
    concern: Concern | None = None
    personal_data: bool = False
    purpose: LongText | None = Field(default=None, description="Why personal data is asked for")
    declaration: bool = Field(
        default=False,
        description="Part of the organisation lead's declaration: only the lead answers it, "
        "when signing off (contributors send a return for sign-off without it)",
    )
    autocomplete: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z -]{0,40}$")] | None = None

    def option_label(self, value: str) -> str | None:
        """Return the label shown for a stored choice value, or None if unknown."""
        if self.type is QuestionType.COMPLIANCE_RATING and self.scale is not None:
            if value == "not_applicable":
                return self.scale.not_applicable_label
            labels = {level.value: level.label for level in self.scale.levels}
            return labels.get(value)
        return {option.value: option.label for option in self.options}.get(value)


class Page(_Model):
    """One page of a form: a standard, or a few related questions."""

    id: Identifier
    title: Text
    description: LongText | None = None
    standard: Standard | None = None
    questions: tuple[Question, ...] = Field(min_length=1)
    show_if: ShowIf | None = None


class Labels(_Model):
    """Interface words, kept in the definition so a translated form translates them too."""

    start: Text = "Start now"
    continue_button: Text = "Continue"
    save_and_come_back: Text = "Save and come back later"
    submit: Text = "Submit"
    back: Text = "Back"
    change: Text = "Change"
    add_another: Text = "Add another"
    remove: Text = "Remove"
    yes: Text = "Yes"
    no: Text = "No"
    not_answered: Text = "Not answered"
    optional: Text = "(optional)"
    select_placeholder: Text = "Select an option"
    check_answers_title: Text = "Check your answers before submitting"
    error_summary_title: Text = "There is a problem"
    thank_you_title: Text = "Thank you"
    help_notice_title: Text = "If you or someone else is in danger"


class FollowUp(_Model):
    """A later form whose link goes to each respondent who leaves an email address.

    For example the training evaluation's 6 to 8 week follow-up: the address is kept apart
    from the answers, used once to send the follow-up form's link, then erased.
    """

    form: Key = Field(description="The key of the form sent, e.g. training-follow-up")
    after_weeks: int = Field(ge=1, le=52, description="Weeks after answering to send the link")
    email_question: Identifier = Field(description="The question that asks for the address")

    @property
    def after(self) -> timedelta:
        """Return how long after answering the link is sent."""
        return timedelta(weeks=self.after_weeks)


class SurveyDefinition(_Model):
    """A whole form: who answers it, which evidence stream it feeds, and its pages."""

    key: Key
    title: Text
    version: int = Field(ge=1)
    audience: Audience
    stream: Stream
    description: LongText
    guidance_year: Text | None = Field(default=None, description='e.g. "Working Together 2023"')
    age_band: AgeBand | None = None
    help_notice: bool = Field(
        default=False, description="Always true for child and family audiences"
    )
    scales: dict[Identifier, ComplianceScale] = Field(
        default_factory=dict,
        description="Rating scales declared once; a question names one with scale: <name>",
    )
    choices: dict[Identifier, tuple[Option, ...]] = Field(
        default_factory=dict,
        description="Option lists declared once; a question names one with options: <name>",
    )
    follow_up: FollowUp | None = None
    triangulates: Key | None = Field(
        default=None,
        description="The form whose standards this form's triangulation questions name, "
        "e.g. section-11",
    )
    pages: tuple[Page, ...] = Field(min_length=1)
    labels: Labels = Labels()

    @model_validator(mode="before")
    @classmethod
    def _default_help_notice(cls, data: Any) -> Any:
        # Children and families always see the "who to contact" notice unless told otherwise.
        if isinstance(data, dict) and "help_notice" not in data:
            data = {**data, "help_notice": data.get("audience") in {"child", "family"}}
        return data

    def __hash__(self) -> int:
        # A key and version name one definition; the named lists are dicts, not hashable.
        return hash((self.key, self.version))

    def page(self, page_id: str) -> Page:
        """Return the page with this id; raise KeyError if there is none."""
        for page in self.pages:
            if page.id == page_id:
                return page
        raise KeyError(page_id)

    def question(self, question_id: str) -> Question:
        """Return the top-level question with this id; raise KeyError if there is none."""
        for page in self.pages:
            for question in page.questions:
                if question.id == question_id:
                    return question
        raise KeyError(question_id)

    def page_of(self, question_id: str) -> Page:
        """Return the page holding this question; raise KeyError if there is none."""
        for page in self.pages:
            if any(question.id == question_id for question in page.questions):
                return page
        raise KeyError(question_id)
