"""Errors the learning services raise, with messages written for the people who see them."""

from __future__ import annotations


class LearningError(Exception):
    """Base of every learning-domain error; str(error) is shown to the user."""


class NotFound(LearningError):
    """The run, theme, entry, board item or action does not exist."""


class RunNotReady(LearningError):
    """The run is not in a state that allows this (e.g. editing an unfinished run)."""


class RunCancelled(LearningError):
    """The run was cancelled while it was working."""


class EditRefused(LearningError):
    """A theme edit that cannot be made as asked."""


class NotAllowed(LearningError):
    """The user may not see or change this (e.g. another organisation's action)."""


class InvalidInput(LearningError):
    """A value a form should have caught: empty title, unknown column, date in the past."""
