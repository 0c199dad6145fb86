"""Safeguarding: the one home of possible disclosures of harm.

Every way a response is submitted (an anonymous link, an organisation's return of any form,
an import, the demo) calls `flag_response` inside its own transaction, so nothing is
submitted unscreened. What happens next is driven by the data, not by the caller:

- a flag records when the designated safeguarding leads (DSLs) were alerted; a periodic
  job alerts every flag without `alerted_at` (`pending_alerts`, `mark_alerted`), so a
  queue outage, a worker restart or a new submission path cannot lose an alert;
- a response records when the worker's semantic screen read it; a periodic job screens
  every response without `semantic_screened_at` (`responses_to_screen`,
  `screen_semantically`).

The rule for what is withheld from exports, the API and themes lives here too
(`withheld_questions`), with its SQL twin beside it (`shareable`). The DSL's queue is in
`surveys.safeguarding_queue`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, not_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from nlp.screening import Screening, Writer, screen
from surveys import tenancy
from surveys.definition import (
    FREE_TEXT_TYPES,
    Audience,
    JSONValue,
    Question,
    Stream,
    SurveyDefinition,
)
from surveys.models import DisclosureFlag, FlagSource, Response, Role, utcnow

log = logging.getLogger(__name__)
REVIEW_TIME = timedelta(days=1)  # a DSL reviews a flag within one working day
CONCERN_ANSWER = "concern_answer"  # the reason code of a flagged choice answer

# Who is writing, as the screens understand it (see nlp.screening).
_WRITERS: dict[Audience, Writer] = {
    Audience.CHILD: "child",
    Audience.FAMILY: "family",
    Audience.ORGANISATION: "organisation",
}
SemanticScreen = Callable[[Sequence[str], Writer], list[Screening]]


@dataclass(frozen=True)
class Finding:
    """One answer that may disclose harm: which question, why, and what found it."""

    question_id: str
    reasons: tuple[str, ...]
    source: FlagSource


def writer_of(definition: SurveyDefinition) -> Writer:
    """Return who writes a form's free text: child, family, practitioner or organisation."""
    if definition.audience in _WRITERS:
        return _WRITERS[definition.audience]
    if definition.stream in (Stream.CONSULTATION, Stream.PRACTICE_CONCERN):
        return "practitioner"
    if definition.stream.value.startswith("training"):
        return "practitioner"
    return "unknown"


def screened_texts(
    definition: SurveyDefinition, answers: Mapping[str, JSONValue]
) -> list[tuple[str, str]]:
    """Return (question id, text) of each non-empty answer its question says to screen."""
    return [
        (q.id, value)
        for q in _questions(definition)
        if q.type in FREE_TEXT_TYPES
        and q.analysis is not None
        and q.analysis.screen_for_disclosure
        and isinstance(value := answers.get(q.id), str)
        and value.strip()
    ]


def concern_answers(
    definition: SurveyDefinition, answers: Mapping[str, JSONValue]
) -> list[Finding]:
    """Return a finding for each choice answer its question marks as a concern."""
    found = []
    for question in _questions(definition):
        if question.concern is None:
            continue
        chosen = answers.get(question.id)
        values = chosen if isinstance(chosen, list) else [chosen]
        if any(value in question.concern.answers for value in values):
            found.append(Finding(question.id, (CONCERN_ANSWER,), FlagSource.CONCERN_ANSWER))
    return found


def screen_answers(definition: SurveyDefinition, answers: Mapping[str, JSONValue]) -> list[Finding]:
    """Screen a response's answers with the rules and its concern answers (no model)."""
    writer = writer_of(definition)
    findings = concern_answers(definition, answers)
    for question_id, text in screened_texts(definition, answers):
        result = _rule_screen(text, writer)
        if result.flagged:
            findings.append(Finding(question_id, result.reasons, FlagSource.RULES))
    return findings


def _rule_screen(text: str, writer: Writer) -> Screening:
    return screen(text, writer=writer)


def flag_response(
    session: Session,
    response: Response,
    definition: SurveyDefinition,
    answers: Mapping[str, JSONValue],
    *,
    now: datetime | None = None,
) -> list[DisclosureFlag]:
    """Screen a response being submitted and write its new flags, in the caller's transaction.

    An answer flagged before (say, before a return was reopened) keeps its first flag. A
    response with nothing for the semantic screen to read is marked screened at once.
    """
    now = now or utcnow()
    findings = screen_answers(definition, answers)
    if not screened_texts(definition, answers):
        response.semantic_screened_at = now
    return _write_flags(session, response, findings, now)


def _write_flags(
    session: Session, response: Response, findings: Iterable[Finding], now: datetime
) -> list[DisclosureFlag]:
    if response.id is None:
        session.flush()
    already = set(
        session.scalars(
            select(DisclosureFlag.question_id).where(DisclosureFlag.response_id == response.id)
        )
    )
    added = []
    for finding in findings:
        response.is_flagged = True
        if finding.question_id in already:
            continue
        already.add(finding.question_id)
        flag = DisclosureFlag(
            response_id=response.id,
            question_id=finding.question_id,
            reasons=",".join(finding.reasons)[:300],
            source=finding.source,
            flagged_at=now,
            review_due_at=now + REVIEW_TIME,
        )
        session.add(flag)
        added.append(flag)
    if added:
        log.info("disclosure flagged", extra={"response_id": response.id, "flags": len(added)})
    return added


# --- Alerts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    """The DSLs to tell that a response has new flags: an id and addresses, never text."""

    response_id: int
    flag_ids: tuple[int, ...]
    recipients: tuple[str, ...]


def pending_alerts(session: Session) -> list[Alert]:
    """Return one alert per response with flags no DSL has been told about yet."""
    flags = session.execute(
        select(DisclosureFlag.id, DisclosureFlag.response_id)
        .where(DisclosureFlag.alerted_at.is_(None))
        .order_by(DisclosureFlag.flagged_at, DisclosureFlag.id)
    ).all()
    if not flags:
        return []
    partnership_id = tenancy.partnership_of(session)
    leads = tuple(
        sorted(tenancy.member_emails(session, partnership_id, Role.SAFEGUARDING_LEAD))
        if partnership_id is not None
        else ()
    )
    by_response: dict[int, list[int]] = {}
    for flag_id, response_id in flags:
        by_response.setdefault(response_id, []).append(flag_id)
    if not leads:
        log.warning("no active safeguarding lead to alert", extra={"responses": len(by_response)})
    return [Alert(rid, tuple(ids), leads) for rid, ids in by_response.items()]


def mark_alerted(session: Session, alert: Alert, *, now: datetime | None = None) -> None:
    """Record that the DSLs were told about an alert's flags."""
    for flag in session.scalars(
        select(DisclosureFlag).where(DisclosureFlag.id.in_(alert.flag_ids))
    ):
        flag.alerted_at = now or utcnow()
    session.commit()


# --- The semantic screen ------------------------------------------------------------------


def responses_to_screen(session: Session, *, limit: int = 50) -> list[int]:
    """Return ids of submitted responses the semantic screen has not read yet."""
    return list(
        session.scalars(
            select(Response.id)
            .where(Response.submitted_at.is_not(None), Response.semantic_screened_at.is_(None))
            .order_by(Response.submitted_at)
            .limit(limit)
        )
    )


def screen_semantically(
    sessions: sessionmaker[Session],
    response_id: int,
    definition_of: Callable[[Response], SurveyDefinition],
    *,
    semantic: SemanticScreen | None = None,
) -> int:
    """Run the semantic screen over one submitted response; return how many answers it flagged.

    Reads in one short transaction, embeds with none open (a model may be loading), then
    writes new flags and `semantic_screened_at` in another. Running it twice is harmless.
    """
    with sessions() as session:
        response = session.get(Response, response_id)
        if response is None or not response.is_submitted or response.semantic_screened_at:
            return 0
        definition = definition_of(response)
        texts = screened_texts(definition, response.answers or {})
        writer = writer_of(definition)
        session.rollback()  # end the read: nothing is held while the model works
    results = (semantic or _semantic_screen)([t for _, t in texts], writer) if texts else []
    findings = [
        Finding(question_id, result.reasons, FlagSource.SEMANTIC)
        for (question_id, _), result in zip(texts, results, strict=True)
        if result.flagged
    ]
    with sessions() as session:
        response = session.get(Response, response_id)
        if response is None or response.semantic_screened_at:
            return 0
        added = _write_flags(session, response, findings, utcnow())
        response.semantic_screened_at = utcnow()
        session.commit()
    log.info("semantic screen done", extra={"response_id": response_id, "flagged": len(added)})
    return len(added)


def _semantic_screen(texts: Sequence[str], writer: Writer) -> list[Screening]:
    from nlp.disclosure_model import screen_semantic

    return screen_semantic(texts, writer=writer)


# --- What is withheld -----------------------------------------------------------------------

WITHHELD = "[withheld: passed to the designated safeguarding lead]"


def flagged_questions(session: Session, response_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """Return, per response id, the question ids flagged as possible disclosures."""
    ids = list(response_ids)
    found: dict[int, set[str]] = {}
    for start in range(0, len(ids), 500):  # keep IN (...) lists small for every back-end
        rows = session.execute(
            select(DisclosureFlag.response_id, DisclosureFlag.question_id).where(
                DisclosureFlag.response_id.in_(ids[start : start + 500])
            )
        )
        for response_id, question_id in rows:
            found.setdefault(response_id, set()).add(question_id)
    return {response_id: frozenset(questions) for response_id, questions in found.items()}


def withheld_questions(
    response: Response, definition: SurveyDefinition, flagged: Collection[str]
) -> frozenset[str]:
    """Return the question ids whose answers must not leave the DSL's queue.

    Fails closed: a response marked as flagged whose flags are missing or name unknown
    questions has every free-text answer withheld.
    """
    questions = _questions(definition)
    known = {question.id for question in questions}
    if (response.is_flagged and not flagged) or not set(flagged) <= known:
        return frozenset(flagged) | {q.id for q in questions if _holds_free_text(q)}
    return frozenset(flagged)


def shareable(
    response_id: InstrumentedAttribute[int], question_id: InstrumentedAttribute[str]
) -> ColumnElement[bool]:
    """SQL twin of `withheld_questions`: the answer is not (and may not be) a flagged one."""
    flag_on_answer = exists().where(
        DisclosureFlag.response_id == response_id, DisclosureFlag.question_id == question_id
    )
    any_flag = exists().where(DisclosureFlag.response_id == response_id)
    flagged_unknown = exists().where(Response.id == response_id, Response.is_flagged.is_(True))
    return and_(not_(flag_on_answer), not_(and_(flagged_unknown, not_(any_flag))))


def _holds_free_text(question: Question) -> bool:
    return question.type in FREE_TEXT_TYPES or any(_holds_free_text(f) for f in question.fields)


def _questions(definition: SurveyDefinition) -> list[Question]:
    return [question for page in definition.pages for question in page.questions]
