"""What goes wrong in an import, in words for the person importing.

Public API:
    ImportFileError: the file or the mapping cannot be used; the message is for the person.
    ImportNotReady: apply_import was asked to import a preview that still has errors.
"""

from __future__ import annotations

from surveys.errors import SurveysError


class ImportFileError(SurveysError):
    """The uploaded file, or the way its columns are matched, cannot be used."""


class ImportNotReady(SurveysError):
    """The preview still has errors, so nothing can be imported."""
