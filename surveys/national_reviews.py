"""Nationally significant reviews: record them and their findings, ask agencies how local
services measure against each finding, and read the answers as findings × agencies.

Each finding asks its agencies in a cycle of its own of the `national-review-finding` form
(`surveys.own_cycles`), titled with the finding, so each agency answers every finding once
(a rating, what is in place, the gap) from its Assessments page, as any return: drafts,
sign-off by its lead, one submission, each agency seeing only its own. The grid shows
submitted answers only. Changes are audited by id; nothing here logs what was written.

Public API:
    FINDING_FORM, RATINGS
    NewNationalReview(title, publisher, published_on, link)
    record_review(session, new, *, today, by) -> NationalReview
    add_finding(session, review_id, statement, *, by) -> NationalFinding
    ask_agencies(session, review_id, organisation_ids, *, definition, closes_on, by)
        -> dict[int, set[int]]   (each finding's newly asked organisation ids)
    list_reviews(session) / get_review(session, id) / get_finding(session, review_id, id)
    asked_agencies(review) -> list[Organisation]
    grid(session, review) -> Grid
    submitted_answer(session, finding, organisation_id) -> Response
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import cycles, organisations
from surveys.audit import record_audit
from surveys.definition import SurveyDefinition
from surveys.errors import NationalReviewError, NationalReviewNotFound
from surveys.models import NationalFinding, NationalReview, Organisation, Response, User
from surveys.own_cycles import ask_in_own_cycle

log = logging.getLogger(__name__)
FINDING_FORM = "national-review-finding"
RATINGS = {
    "in_place": "In place",
    "partly_in_place": "Partly in place",
    "not_in_place": "Not in place",
}
MAX_STATEMENT = 180  # a short statement: "Finding N: <statement>" is the cycle's title


@dataclass(frozen=True)
class NewNationalReview:
    title: str
    publisher: str
    published_on: date
    link: str = ""


def _checked(new: NewNationalReview, today: date) -> NewNationalReview:
    title, publisher, link = new.title.strip(), new.publisher.strip(), new.link.strip()
    if not title:
        raise NationalReviewError("Enter the review's title", field="title")
    if len(title) > 300:
        raise NationalReviewError("The title must be 300 characters or fewer", field="title")
    if not publisher:
        raise NationalReviewError("Enter who published the review", field="publisher")
    if len(publisher) > 200:
        raise NationalReviewError(
            "The publisher must be 200 characters or fewer", field="publisher"
        )
    if new.published_on > today:
        raise NationalReviewError(
            "The date published must be today or in the past", field="published_on"
        )
    if link and (not link.startswith(("https://", "http://")) or len(link) > 500 or " " in link):
        raise NationalReviewError(
            "Enter the link as a web address starting https://, 500 characters or fewer",
            field="link",
        )
    return NewNationalReview(title, publisher, new.published_on, link)


def record_review(
    session: Session, new: NewNationalReview, *, today: date, by: User
) -> NationalReview:
    """Record a nationally significant review the partnership will test itself against."""
    checked = _checked(new, today)
    review = NationalReview(
        title=checked.title,
        publisher=checked.publisher,
        published_on=checked.published_on,
        link=checked.link,
        created_by_id=by.id,
    )
    session.add(review)
    session.flush()
    _audit(session, "national_review.recorded", "national_review", review.id, by)
    session.commit()
    log.info("national review recorded review_id=%s", review.id)
    return review


def add_finding(session: Session, review_id: int, statement: str, *, by: User) -> NationalFinding:
    """Add a finding (a short statement); agencies are asked about it with the others."""
    review = get_review(session, review_id)
    text = " ".join(statement.split())
    if not text:
        raise NationalReviewError("Enter the finding", field="statement")
    if len(text) > MAX_STATEMENT:
        raise NationalReviewError(
            f"Enter the finding in {MAX_STATEMENT} characters or fewer", field="statement"
        )
    if any(f.statement.casefold() == text.casefold() for f in review.findings):
        raise NationalReviewError("This review already has that finding", field="statement")
    finding = NationalFinding(number=len(review.findings) + 1, statement=text)
    review.findings.append(finding)
    session.flush()
    _audit(session, "national_finding.added", "national_finding", finding.id, by)
    session.commit()
    return finding


def ask_agencies(
    session: Session,
    review_id: int,
    organisation_ids: list[int],
    *,
    definition: SurveyDefinition,
    closes_on: date,
    today: date,
    by: User,
) -> dict[int, set[int]]:
    """Ask agencies how their services measure against every finding of the review.

    Agencies asked before are asked about findings added since; asking one again changes
    nothing. Returns, by finding id, the organisations newly asked (to tell them).
    """
    review = get_review(session, review_id)
    if not review.findings:
        raise NationalReviewError("Add the review's findings first", field="organisations")
    if closes_on <= today:
        raise NationalReviewError("The date to answer by must be in the future", field="closes_on")
    wanted = set(organisation_ids)
    if not wanted:
        raise NationalReviewError("Select the agencies to ask", field="organisations")
    if not wanted <= {o.id for o in organisations.list_organisations(session)}:
        raise NationalReviewError("Select agencies from the list", field="organisations")
    wanted |= {o.id for o in asked_agencies(review)}
    closes_at = datetime.combine(closes_on + timedelta(days=1), time.min, tzinfo=UTC)
    newly_asked: dict[int, set[int]] = {}
    for finding in review.findings:
        cycle, newly = ask_in_own_cycle(
            session,
            finding.cycle,
            definition,
            title=f"Finding {finding.number}: {finding.statement}",
            closes_at=closes_at,
            organisation_ids=wanted,
            by=by,
        )
        finding.cycle = cycle
        newly_asked[finding.id] = newly
    _audit(
        session,
        "national_review.agencies_asked",
        "national_review",
        review.id,
        by,
        detail=f"organisations={len(wanted)}",
    )
    session.commit()
    log.info("national review agencies asked review_id=%s", review.id)
    return newly_asked


def list_reviews(session: Session) -> list[NationalReview]:
    """Return every national review, the most recently published first."""
    return list(
        session.scalars(
            select(NationalReview).order_by(
                NationalReview.published_on.desc(), NationalReview.id.desc()
            )
        )
    )


def get_review(session: Session, review_id: int) -> NationalReview:
    found = session.get(NationalReview, review_id)
    if found is None:
        raise NationalReviewNotFound("There is no national review with that number")
    return found


def get_finding(session: Session, review_id: int, finding_id: int) -> NationalFinding:
    found = session.get(NationalFinding, finding_id)
    if found is None or found.review_id != review_id:
        raise NationalReviewNotFound("There is no such finding in this review")
    return found


def asked_agencies(review: NationalReview) -> list[Organisation]:
    """Return the agencies asked about any of the review's findings, by name."""
    found = {
        a.organisation.id: a.organisation
        for f in review.findings
        if f.cycle is not None
        for a in f.cycle.assignments
    }
    return sorted(found.values(), key=lambda o: o.name.casefold())


@dataclass(frozen=True)
class Answer:
    """One agency's submitted answer to one finding."""

    response_id: int
    rating: str
    in_place: str
    gap: str

    @property
    def rating_label(self) -> str:
        return RATINGS.get(self.rating, self.rating)


@dataclass(frozen=True)
class Cell:
    organisation: Organisation
    asked: bool
    status: str  # Not asked, Not started, In progress, Awaiting sign-off, Submitted
    answer: Answer | None


@dataclass(frozen=True)
class FindingRow:
    finding: NationalFinding
    cells: list[Cell]

    def count(self, rating: str) -> int:
        return sum(1 for c in self.cells if c.answer is not None and c.answer.rating == rating)


@dataclass(frozen=True)
class Grid:
    agencies: list[Organisation]
    rows: list[FindingRow]


def _answer(response: Response) -> Answer | None:
    if not response.is_submitted:
        return None
    answers = response.answers or {}
    return Answer(
        response_id=response.id,
        rating=str(answers.get("rating") or ""),
        in_place=str(answers.get("in_place") or ""),
        gap=str(answers.get("gap") or ""),
    )


def _row(session: Session, finding: NationalFinding, agencies: list[Organisation]) -> FindingRow:
    rows = {}
    if finding.cycle is not None:
        rows = {r.organisation.id: r for r in cycles.returns(session, finding.cycle)}
    cells = []
    for organisation in agencies:
        row = rows.get(organisation.id)
        if row is None:
            cells.append(Cell(organisation, False, "Not asked", None))
            continue
        answer = _answer(row.response) if row.response is not None else None
        cells.append(Cell(organisation, True, row.status_label, answer))
    return FindingRow(finding, cells)


def grid(session: Session, review: NationalReview) -> Grid:
    """Return the findings × agencies grid: each agency's submitted answer or its status."""
    agencies = asked_agencies(review)
    return Grid(agencies, [_row(session, f, agencies) for f in review.findings])


def submitted_answer(session: Session, finding: NationalFinding, organisation_id: int) -> Response:
    """Return an agency's submitted answer to a finding."""
    found = None
    if finding.cycle_id is not None:
        found = session.scalar(
            select(Response).where(
                Response.cycle_id == finding.cycle_id,
                Response.organisation_id == organisation_id,
            )
        )
    if found is None or not found.is_submitted:
        raise NationalReviewNotFound("That agency has not answered this finding")
    return found


def _audit(
    session: Session, action: str, kind: str, object_id: int, by: User, *, detail: str = ""
) -> None:
    record_audit(
        session, user_id=by.id, action=action, object_type=kind, object_id=object_id, detail=detail
    )
