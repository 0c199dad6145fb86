"""Errors raised by the surveys package.

Public API:
    SurveysError: base of every error this package raises.
    DefinitionError: a survey definition file is missing, unreadable or invalid.
    UnknownDefinition: no loaded definition has the requested key (and version).
    UnknownPage: a definition has no page with the requested id.
"""

from __future__ import annotations


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
