"""What changed in a shared return since someone looked at it, and who changed it.

Each page save that changes answers is logged as question ids (never the answers), so:
- a lead who reviewed version v before signing off can be told what changed since v;
- a person whose save clashed with a colleague's sees, for each question the colleague
  changed, their answer beside theirs, and chooses which to keep.

Public API:
    is_same_answer(first, second) -> bool: all blanks are alike
    fingerprint(value), page_fingerprints(page, answers), parse_fingerprints(text),
        untouched(mine, loaded): what a person changed since loading a page, without
        keeping the answers themselves
    changed_question_ids(before, after) -> the ids in `after` whose answer differs
    record_change(session, *, response_id, version, page_id, question_ids, user_id): no commit
    Change; changes_since(session, response_id, version) -> list[Change], oldest first
    questions_changed_since(session, response_id, page_id, version) -> set[str] | None
    LastSave, ConflictingAnswer; conflicting_answers(session, *, response_id, definition,
        page, stored, mine, candidates, fallback) -> list[ConflictingAnswer]
    resolve(mine, stored, keep_theirs) -> my answers, with theirs where chosen
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.answer_types import answer_type, display_values
from surveys.definition import JSONValue, Page, Question, SurveyDefinition
from surveys.models import ResponseChange


def _blank(value: JSONValue) -> bool:
    return value is None or value == "" or value == [] or value == {}


def is_same_answer(first: JSONValue, second: JSONValue) -> bool:
    """Return whether two stored answers say the same thing (all blanks are alike)."""
    return (_blank(first) and _blank(second)) or first == second


def fingerprint(value: JSONValue) -> str:
    """Return a short digest of an answer: enough to tell whether it changed, not what it is."""
    if _blank(value):
        return "blank"
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def page_fingerprints(page: Page, answers: Mapping[str, JSONValue]) -> str:
    """Return the page's answers as loaded, as digests a form can carry ("id:digest;...")."""
    return ";".join(f"{q.id}:{fingerprint(answers.get(q.id))}" for q in page.questions)


def parse_fingerprints(text: str) -> dict[str, str]:
    """Read what page_fingerprints wrote; anything malformed is ignored."""
    pairs = (part.split(":", 1) for part in text[:20_000].split(";") if ":" in part)
    return {
        key: digest
        for key, digest in pairs
        if re.fullmatch(r"\w{1,64}", key) and re.fullmatch(r"blank|[0-9a-f]{16}", digest)
    }


def untouched(mine: Mapping[str, JSONValue], loaded: Mapping[str, str]) -> set[str]:
    """Return the questions whose answer I left as I loaded it (their save may stand)."""
    return {
        question_id
        for question_id, value in mine.items()
        if question_id in loaded and fingerprint(value) == loaded[question_id]
    }


def changed_question_ids(
    before: Mapping[str, JSONValue], after: Mapping[str, JSONValue]
) -> list[str]:
    """Return the question ids whose answer in `after` differs from the one in `before`."""
    return [
        question_id
        for question_id, value in after.items()
        if not is_same_answer(before.get(question_id), value)
    ]


def record_change(
    session: Session,
    *,
    response_id: int,
    version: int,
    page_id: str,
    question_ids: list[str],
    user_id: int | None,
) -> None:
    """Log one save's changed questions; the caller commits with the save."""
    session.add(
        ResponseChange(
            response_id=response_id,
            version=version,
            page_id=page_id,
            question_ids=question_ids,
            saved_by_id=user_id,
        )
    )


@dataclass(frozen=True)
class Change:
    version: int
    page_id: str
    question_ids: tuple[str, ...]
    saved_by: str | None  # the person's name; None when unknown or since deleted
    saved_at: datetime


def changes_since(session: Session, response_id: int, version: int) -> list[Change]:
    """Return the saves that changed answers after `version`, oldest first."""
    rows = session.scalars(
        select(ResponseChange)
        .where(ResponseChange.response_id == response_id, ResponseChange.version > version)
        .order_by(ResponseChange.version)
    )
    return [
        Change(
            row.version,
            row.page_id,
            tuple(row.question_ids),
            row.saved_by.name if row.saved_by else None,
            row.saved_at,
        )
        for row in rows
        if row.question_ids
    ]


@dataclass(frozen=True)
class ConflictingAnswer:
    question: Question
    theirs: tuple[str, ...]  # their answer as lines to read; empty when they left it blank
    mine: tuple[str, ...]
    saved_by: str | None
    saved_at: datetime


@dataclass(frozen=True)
class LastSave:
    """Who last saved the response: used for saves made before changes were logged."""

    saved_by: str | None
    saved_at: datetime


def questions_changed_since(
    session: Session, response_id: int, page_id: str, version: int
) -> set[str] | None:
    """Return the page's questions others changed after `version`; None if none were logged.

    None means the saves came before changes were logged: treat every question as changed.
    """
    changed = {
        question_id
        for change in changes_since(session, response_id, version)
        if change.page_id == page_id
        for question_id in change.question_ids
    }
    return changed or None


def conflicting_answers(
    session: Session,
    *,
    response_id: int,
    definition: SurveyDefinition,
    page: Page,
    stored: Mapping[str, JSONValue],
    mine: Mapping[str, JSONValue],
    candidates: Collection[str] | None,
    fallback: LastSave,
) -> list[ConflictingAnswer]:
    """Return each candidate question where my answer and the stored one differ.

    `candidates` are the questions someone else changed (None: every question on the page);
    a question only I changed is no conflict, so my answer simply stands. Each conflict
    names who last saved that question, and when.
    """
    latest = {
        question_id: change
        for change in changes_since(session, response_id, 0)
        if change.page_id == page.id
        for question_id in change.question_ids
    }
    labels = definition.labels
    conflicts = []
    for question in page.questions:
        # Uploaded evidence is not compared: a file cannot be carried back through a form unseen.
        if not answer_type(question).is_compared or question.id not in mine:
            continue
        if candidates is not None and question.id not in candidates:
            continue
        theirs, ours = stored.get(question.id), mine[question.id]
        if is_same_answer(theirs, ours):
            continue
        who = latest.get(question.id)
        conflicts.append(
            ConflictingAnswer(
                question,
                display_values(question, theirs, labels),
                display_values(question, ours, labels),
                who.saved_by if who else fallback.saved_by,
                who.saved_at if who else fallback.saved_at,
            )
        )
    return conflicts


def resolve(
    mine: Mapping[str, JSONValue], stored: Mapping[str, JSONValue], keep_theirs: Collection[str]
) -> dict[str, JSONValue]:
    """Return my page answers with their stored answer wherever it was chosen."""
    return {
        question_id: stored.get(question_id) if question_id in keep_theirs else value
        for question_id, value in mine.items()
    }
