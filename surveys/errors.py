"""Errors raised by the surveys package.

Public API:
    SurveysError: base of every error this package raises.
    DefinitionError: a survey definition file is missing, unreadable or invalid.
    UnknownDefinition: no loaded definition has the requested key (and version).
    UnknownPage: a definition has no page with the requested id.
    SubmissionError and its kinds (CycleClosed, ResponseLocked, EditConflict,
        IncompleteResponse, UnconfirmedStandards, ChangedSinceReview): a response cannot
        be saved or submitted.
    CaseReviewError (ReviewNotFound): a case review cannot be found or changed as asked.
    UnknownPartnership; PartnershipExitRefused (NotExportedRecently): a partnership cannot be
        deleted now.
    ScrutinyError (NotReviewable): a return's scrutiny cannot be changed as asked.
"""

from __future__ import annotations

from typing import Any


class SurveysError(Exception):
    """Base class for errors raised by the surveys package."""


class DefinitionError(SurveysError):
    """A survey definition cannot be used; the message says which file, where and why."""

    def __init__(
        self, message: str, *, source: str | None = None, problems: list[str] | None = None
    ):
        super().__init__(message)
        self.source = source
        self.problems = list(problems or [])


class UnknownDefinition(SurveysError, LookupError):
    """No loaded survey definition matches the requested key and version."""


class UnknownPage(SurveysError, LookupError):
    """The survey definition has no page with the requested id."""


class SubmissionError(SurveysError):
    """A response cannot be saved or submitted; the message is written for the person."""


class CycleClosed(SubmissionError):
    """The cycle is not open for answers (not yet open, or closed)."""


class ResponseLocked(SubmissionError):
    """The response has been submitted and is read-only until an admin reopens it."""


class EditConflict(SubmissionError):
    """Someone else saved this page after it was loaded; nothing was overwritten."""

    def __init__(self, message: str, *, current_version: int):
        super().__init__(message)
        self.current_version = current_version


class IncompleteResponse(SubmissionError):
    """Required questions are unanswered; `missing` lists (page id, question id)."""

    def __init__(self, message: str, *, missing: list[tuple[str, str]]):
        super().__init__(message)
        self.missing = missing


class UnconfirmedStandards(SubmissionError):
    """Standards carried forward from the last return are not yet confirmed or changed;
    `page_ids` lists their pages, in form order."""

    def __init__(self, message: str, *, page_ids: list[str]):
        super().__init__(message)
        self.page_ids = page_ids


class ChangedSinceReview(SubmissionError):
    """Answers changed after the lead opened the sign-off page; nothing was submitted."""

    def __init__(self, message: str, *, current_version: int, changes: list[Any]):
        super().__init__(message)
        self.current_version = current_version
        self.changes = changes  # surveys.changes.Change, oldest first


class UnknownPartnership(SurveysError, LookupError):
    """No partnership has the requested id or name."""


class PartnershipExitRefused(SurveysError):
    """A partnership cannot be deleted now; the message says why and what to do."""


class NotExportedRecently(PartnershipExitRefused):
    """The partnership has not been exported in the last 24 hours; nothing was deleted."""


class ScrutinyError(SurveysError):
    """A return's scrutiny cannot be changed as asked; the message is written for the person."""


class NotReviewable(ScrutinyError, LookupError):
    """Not a return, challenge or meeting this person may see here (answered as not found)."""


class CaseReviewError(SurveysError):
    """A case review cannot be found or changed as asked; the message is for the person."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field  # the form field the message is about, if one


class ReviewNotFound(CaseReviewError, LookupError):
    """There is no such case review (or recommendation, or return) in this partnership."""


class AuditError(CaseReviewError):
    """A case audit (programme, day, case or finding) or a practice concern's triage cannot be
    changed as asked; the message is for the person, `field` names the form field."""


class AuditNotFound(AuditError, LookupError):
    """There is no such audit programme, day, case, finding or concern in this partnership."""


class NationalReviewError(CaseReviewError):
    """A national review or its finding cannot be recorded or asked as asked; the message is
    for the person, `field` names the form field it is about."""


class NationalReviewNotFound(NationalReviewError, LookupError):
    """There is no such national review, finding or answer in this partnership."""
