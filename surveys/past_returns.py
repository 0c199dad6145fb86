"""An organisation's returns across cycles, and a return laid out to read, print or download.

Public API:
    organisation_returns(session, organisation_id) -> list[Response]: every return the
        organisation has made in the partnership worked in, newest cycle first (answers not
        loaded: reading them raises)
    FileLink, ReadAnswer, ReadSection
    read_sections(journey) -> list[ReadSection]: each shown page, its answers as lines to read
        and its evidence files apart (so a page can link them), in form order
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, defer

from surveys.answer_types import format_size, stored_files
from surveys.definition import Page, QuestionType
from surveys.journey import Journey
from surveys.models import Cycle, CycleAudience, Response


def organisation_returns(session: Session, organisation_id: int) -> list[Response]:
    """Return the organisation's returns, newest cycle first, with their cycles."""
    return list(
        session.scalars(
            select(Response)
            .join(Cycle, Cycle.id == Response.cycle_id)
            .options(contains_eager(Response.cycle), defer(Response.answers, raiseload=True))
            .where(
                Response.organisation_id == organisation_id,
                Cycle.audience == CycleAudience.ORGANISATIONS,
            )
            .order_by(Cycle.opens_at.desc(), Cycle.id.desc())
        )
    )


@dataclass(frozen=True)
class FileLink:
    file_id: int | None  # None: a file named in an answer with no stored copy (the demo's)
    filename: str
    size: str


@dataclass(frozen=True)
class ReadAnswer:
    question_id: str
    label: str
    lines: tuple[str, ...]  # empty when not answered (or when the answer is files)
    files: tuple[FileLink, ...] = ()

    @property
    def is_answered(self) -> bool:
        return bool(self.lines or self.files)


@dataclass
class ReadSection:
    page_id: str
    title: str  # with the standard's reference, e.g. "S11-1. Standard 1: ..."
    answers: list[ReadAnswer]
    notes: list[str] = field(default_factory=list)  # e.g. what changed since last cycle


def section_title(page: Page) -> str:
    """Return a page's heading in summaries: the standard's reference, then its title."""
    return (f"{page.standard.ref}. " if page.standard else "") + page.title


def read_sections(journey: Journey) -> list[ReadSection]:
    """Return each shown page with its shown questions' answers, files listed apart."""
    rows: dict[str, list[ReadAnswer]] = {}
    for row in journey.summary_rows():
        question = journey.definition.question(row.question_id)
        files: tuple[FileLink, ...] = ()
        if question.type is QuestionType.FILE:
            files = tuple(
                FileLink(
                    file["file_id"] if isinstance(file.get("file_id"), int) else None,
                    str(file["filename"]),
                    format_size(file.get("size")),
                )
                for file in stored_files(journey.answers.get(question.id))
            )
        answer = ReadAnswer(row.question_id, row.label, () if files else row.values, files)
        rows.setdefault(row.page_id, []).append(answer)
    return [ReadSection(page.id, section_title(page), rows[page.id]) for page in journey.pages]
