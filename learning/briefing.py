"""A learning log entry as a one-page briefing for practitioners (a "7-minute briefing").

What it is about and where it came from, why it matters, what was learnt, what to do
differently and the questions to reflect on, what the partnership is doing (the entry's
actions, its board item's and, for a case review, its recommendations' actions, each with
its owner organisation and status), the evidence (counts, streams, and only the redacted
quotes snapshotted when a theme was linked), where to find out more, and the review date.

Text is shortened at a word to the limits below so the briefing stays on one page, and says
so. A case review's briefing never carries the child's details: no field reads them, and any
of them typed into the entry's own words is removed (`_scrubber`).

Public API:
    Briefing, BriefingAction, BriefingTheme, BriefingWording, LIMITS, MAX_QUESTIONS
    briefing_for(session, entry_id, *, today) -> Briefing
    change_wording(session, entry_id, wording) -> LearningEntry
    record_download(session, entry_id, *, user_id, fmt)
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import actions, board, log
from learning.errors import InvalidInput
from learning.models import (
    Action,
    BoardItem,
    EntryTheme,
    LearningEntry,
    SourceKind,
    ThemeLineage,
)
from learning.review_learning import actions_by_recommendation
from nlp.identifiers import find_postcodes
from surveys.audit import record_audit
from surveys.definition import Stream
from surveys.models import CaseDetails, CaseReview, Partnership, utcnow

log_ = logging.getLogger(__name__)

# What the quality group may write (the form says so) and what the briefing shows of longer
# text, in characters, measured to keep the longest briefing on one A4 page.
LIMITS = {"why": 300, "do": 400, "questions": 400, "more": 200}
MAX_QUESTIONS = 4
LESSON_SHOWN, QUESTION_SHOWN, ACTION_SHOWN, QUOTE_SHOWN = 450, 150, 100, 120
LABEL_SHOWN, NAME_SHOWN = 60, 60  # a theme's name; an owner's or an organisation's
MAX_ACTIONS, MAX_THEMES, MAX_QUOTES, MAX_ORGANISATIONS = 4, 3, 2, 4
REMOVED = "[removed]"

DEFAULT_QUESTIONS = (
    "How does this learning apply to the children and families you work with?",
    "What will you do differently from tomorrow, and who will you tell?",
    "Who would you talk to if you saw this happening in your agency?",
)
WHY_BY_KIND = {
    SourceKind.CASE_REVIEW: "A case review looks closely at how agencies worked together for "
    "a child, so that practice changes for every child.",
    SourceKind.NATIONAL_REVIEW: "A national review sets out learning for every partnership; "
    "we checked how our local services measure up against it.",
}
WHY_BY_STREAM = {
    Stream.CASE_AUDIT.value: "Audits of real cases show how well agencies work together in "
    "practice, not only on paper.",
    Stream.PRACTICE_CONCERN.value: "Practitioners told us about something that went wrong, or "
    "nearly did, so that it does not happen again.",
    Stream.SECTION_11.value: "Agencies rated how well they meet their safeguarding duties; "
    "this is what their returns showed.",
    Stream.SECTION_175.value: "Schools and colleges rated how well they meet their "
    "safeguarding duties; this is what their audits showed.",
}
WHY_FROM_VOICES = "Practitioners, children and families told us this; it is what they see."


@dataclass(frozen=True)
class BriefingWording:
    """The practitioner-facing words the quality group may change (empty: worded for them)."""

    why: str = ""
    do: str = ""
    questions: str = ""  # one question a line
    more: str = ""


@dataclass(frozen=True)
class BriefingAction:
    description: str
    organisation: str
    due: date
    status: str  # "Not started", "In progress", "Done" or "Overdue"


@dataclass(frozen=True)
class BriefingTheme:
    label: str
    name_confirmed: bool  # a person named it, or kept the service's suggested name
    statements: int
    must_change: int
    works_well: int

    @property
    def shown_label(self) -> str:
        """The label as reports print it: marked until a person confirms it."""
        return self.label if self.name_confirmed else f"{self.label} (suggested name)"


@dataclass(frozen=True)
class Briefing:
    """Everything one page says about an entry, shortened to fit."""

    entry_id: int
    partnership: str
    title: str
    source: str
    entry_date: date
    review_date: date | None
    status: str
    owner: str
    why: str
    lesson: str
    do: str
    questions: tuple[str, ...]
    more: str
    board: str  # the board column decided, or a marked suggestion, or ""
    actions: tuple[BriefingAction, ...]
    more_actions: int
    themes: tuple[BriefingTheme, ...]
    statements: int
    quotes: tuple[tuple[str, str], ...]  # (theme shown label, redacted quote)
    organisations: str
    is_shortened: bool


def shorten(text: str, limit: int) -> tuple[str, bool]:
    """Return text cut at a word to at most `limit` characters (with "…"), and whether it was."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text, False
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.-–")
    return f"{cut}…", True


def change_wording(session: Session, entry_id: int, wording: BriefingWording) -> LearningEntry:
    """Keep the quality group's wording of an entry's briefing (empty fields: worded for them)."""
    values = {
        "why": wording.why.strip(),
        "do": wording.do.strip(),
        "questions": "\n".join(_lines(wording.questions)),
        "more": wording.more.strip(),
    }
    names = {"why": "Why it matters", "do": "What to do differently"}
    names |= {"questions": "Questions to reflect on", "more": "Where to find out more"}
    for key, value in values.items():
        if len(value) > LIMITS[key]:
            raise InvalidInput(f"{names[key]} must be {LIMITS[key]} characters or fewer")
    if len(_lines(values["questions"])) > MAX_QUESTIONS:
        raise InvalidInput(f"Write {MAX_QUESTIONS} questions or fewer, one on each line")
    entry = log.get_entry(session, entry_id)
    entry.briefing_why, entry.briefing_do = values["why"], values["do"]
    entry.briefing_questions, entry.briefing_more = values["questions"], values["more"]
    entry.updated_at = utcnow()
    session.commit()
    log_.info("learning briefing worded entry_id=%s", entry.id)
    return entry


def record_download(session: Session, entry_id: int, *, user_id: int, fmt: str) -> None:
    """Write the download of an entry's briefing to the audit log (ids and format only)."""
    record_audit(
        session,
        user_id=user_id,
        action=f"learning_briefing.downloaded.{fmt}",
        object_type="learning_entry",
        object_id=entry_id,
    )
    session.commit()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def briefing_for(session: Session, entry_id: int, *, today: date) -> Briefing:
    """Build the briefing of an entry of this partnership; raise NotFound for any other."""
    entry = log.get_entry(session, entry_id)
    scrub = _scrubber(session, entry)
    shortened: list[bool] = []

    def fit(text: str, limit: int) -> str:
        shown, was_cut = shorten(scrub(text), limit)
        shortened.append(was_cut)
        return shown

    themes = [_theme(session, link, fit) for link in entry.themes]
    found_actions = _actions(session, entry)
    return Briefing(
        entry_id=entry.id,
        partnership=_partnership_name(session, entry),
        title=scrub(entry.title),
        source=scrub(log.describe_source(entry)),
        entry_date=entry.entry_date,
        review_date=entry.review_date,
        status=entry.status.value.replace("_", " ").capitalize(),
        owner=fit(entry.owner, NAME_SHOWN),
        why=fit(entry.briefing_why or _default_why(entry, themes), LIMITS["why"]),
        lesson=fit(entry.lesson, LESSON_SHOWN) or "The lesson has not been written yet.",
        do=fit(entry.briefing_do or entry.recommended_action, LIMITS["do"])
        or "Talk with your team and your supervisor about what this means for your practice.",
        questions=_questions(entry, fit),
        more=fit(entry.briefing_more, LIMITS["more"]) or _default_more(session, entry),
        board=_board_place(session, entry),
        actions=tuple(_action(a, today, fit) for a in found_actions[:MAX_ACTIONS]),
        more_actions=max(0, len(found_actions) - MAX_ACTIONS),
        themes=tuple(themes[:MAX_THEMES]),
        statements=sum(t.statements for t in themes),
        quotes=tuple(
            (theme.shown_label, fit(quote, QUOTE_SHOWN))
            for theme, quote in _quotes(entry.themes, themes)
        ),
        organisations=_organisations(entry, fit),
        is_shortened=any(shortened) or len(found_actions) > MAX_ACTIONS,
    )


def _questions(entry: LearningEntry, fit: Callable[[str, int], str]) -> tuple[str, ...]:
    written = _lines(entry.briefing_questions)[:MAX_QUESTIONS]
    return tuple(fit(q, QUESTION_SHOWN) for q in written) or DEFAULT_QUESTIONS


def _partnership_name(session: Session, entry: LearningEntry) -> str:
    partnership = session.get(Partnership, entry.partnership_id)
    return partnership.name if partnership else ""


def _theme(session: Session, link: EntryTheme, fit: Callable[[str, int], str]) -> BriefingTheme:
    lineage = session.get(ThemeLineage, link.lineage_key)
    return BriefingTheme(
        label=fit(link.label, LABEL_SHOWN),
        name_confirmed=lineage is not None and lineage.human_label == link.label,
        statements=link.size,
        must_change=link.must_change,
        works_well=link.works_well,
    )


def _quotes(
    links: Iterable[EntryTheme], themes: list[BriefingTheme]
) -> list[tuple[BriefingTheme, str]]:
    """The first quotes snapshotted with the linked themes (already redacted), one a theme
    first, so the page shows more than one theme's voice when it can."""
    pairs = [(theme, list(link.quotes or ())) for link, theme in zip(links, themes, strict=True)]
    chosen: list[tuple[BriefingTheme, str]] = []
    for depth in range(MAX_QUOTES):
        for theme, quotes in pairs:
            if len(quotes) > depth and len(chosen) < MAX_QUOTES:
                chosen.append((theme, quotes[depth]))
    return chosen


def _actions(session: Session, entry: LearningEntry) -> list[Action]:
    found = list(actions.actions_for_entry(session, entry.id))
    item = session.scalar(select(BoardItem).where(BoardItem.entry_id == entry.id))
    if item is not None:
        found += actions.actions_for_board_item(session, item.id)
    if entry.case_review_id is not None:
        review = session.get(CaseReview, entry.case_review_id)
        if review is not None:
            found += actions_by_recommendation(session, review).values()
    unique = {a.id: a for a in found}
    return sorted(unique.values(), key=lambda a: (a.due_date, a.id))


def _action(action: Action, today: date, fit: Callable[[str, int], str]) -> BriefingAction:
    status = action.status.value.replace("_", " ").capitalize()
    if action.is_overdue(today):  # never a done action
        status = "Overdue"
    return BriefingAction(
        description=fit(action.description, ACTION_SHOWN),
        organisation=fit(action.owner_organisation.name, NAME_SHOWN),
        due=action.due_date,
        status=status,
    )


def _board_place(session: Session, entry: LearningEntry) -> str:
    item = session.scalar(select(BoardItem).where(BoardItem.entry_id == entry.id))
    if item is not None:
        return f"The quality group placed this in {item.column.label} on its board."
    suggestion = board.suggest_for_entry(session, entry)
    if suggestion is None:
        return ""
    return (
        f"{suggestion.column.label} (suggested: the quality group has not yet decided where "
        "this sits on its board)."
    )


def _default_why(entry: LearningEntry, themes: list[BriefingTheme]) -> str:
    if entry.source_kind in WHY_BY_KIND:
        return WHY_BY_KIND[entry.source_kind]
    streams = (entry.source_stream or "").split(",")
    why = next((WHY_BY_STREAM[s] for s in streams if s in WHY_BY_STREAM), "")
    if not why and (entry.source_kind is SourceKind.STREAM or themes):
        why = WHY_FROM_VOICES
    if not why:
        why = f"This learning came from {log.describe_source(entry)}."
    total = sum(t.statements for t in themes)
    if total:
        why += f" It rests on {total} statement{'s' if total != 1 else ''} people made."
    return why


def _default_more(session: Session, entry: LearningEntry) -> str:
    more = f"The partnership’s learning log, entry {entry.id}"
    if entry.case_review_id is not None:
        review = session.get(CaseReview, entry.case_review_id)
        if review is not None and review.published_on is not None:
            more = f"The published review {review.reference}, and {more[0].lower()}{more[1:]}"
    return f"{more}. Ask your agency’s safeguarding lead or the partnership’s quality group."


def _organisations(entry: LearningEntry, fit: Callable[[str, int], str]) -> str:
    names = [fit(o.name, NAME_SHOWN) for o in entry.organisations]
    shown = ", ".join(names[:MAX_ORGANISATIONS])
    if len(names) > MAX_ORGANISATIONS:
        shown += f" and {len(names) - MAX_ORGANISATIONS} more"
    return shown


def _scrubber(session: Session, entry: LearningEntry) -> Callable[[str], str]:
    """Return a function removing the case review's child details from text (identity when the
    entry is not a case review's, or none are held). The details are matched, never shown."""
    patterns: list[re.Pattern[str]] = []
    if entry.case_review_id is not None:
        details = session.scalar(
            select(CaseDetails).where(CaseDetails.review_id == entry.case_review_id)
        )
        if details is not None:
            patterns = _detail_patterns(details)

    def scrub(text: str) -> str:
        for pattern in patterns:
            text = pattern.sub(REMOVED, text)
        return text

    return scrub


def _detail_patterns(details: CaseDetails) -> list[re.Pattern[str]]:
    words = [details.child_name, details.address, details.ethnicity]
    words += [part for part in details.child_name.split() if len(part) > 1]
    words += [part for part in re.split(r"[,\n]", details.address) if len(part.strip()) > 3]
    words += [details.address[a:b] for a, b, _ in find_postcodes(details.address)]
    born = details.date_of_birth
    if born is not None:
        words += [
            born.isoformat(),
            f"{born.day} {born:%B %Y}",
            f"{born.day} {born:%b %Y}",
            f"{born:%d/%m/%Y}",
            f"{born.day}/{born.month}/{born.year}",
            f"{born:%d.%m.%Y}",
        ]
    found = sorted({w.strip() for w in words if w and w.strip()}, key=len, reverse=True)
    return [re.compile(rf"(?<!\w){re.escape(w)}(?!\w)", re.IGNORECASE) for w in found]
