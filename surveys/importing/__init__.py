"""Import responses collected with another tool (a CSV or XLSX file) into a cycle.

Public API (each name lives in the module of its step):
    files:   read_table(filename, data) -> list[dict[str, str]]; MAX_UPLOAD_BYTES,
             MAX_ROWS, MAX_COLUMNS, MAX_FIELD_CHARS.
    mapping: propose_mapping(columns, definition) -> {column: target or None};
             target_choices(definition) -> [(target key, label)]
    preview: RowError, ImportPreview; preview_import(rows, mapping, definition)
    apply:   apply_import(session, cycle, preview, *, imported_by=None) -> list[Response];
             FOLLOW_UP_WINDOW, IMPORT_SOURCE_KEY.
    errors:  ImportFileError (the file or the mapping cannot be used), ImportNotReady.

Reading each cell is the job of its question's answer type (`surveys.answer_types`).
"""

from __future__ import annotations

from surveys.importing.apply import FOLLOW_UP_WINDOW, IMPORT_SOURCE_KEY, apply_import
from surveys.importing.errors import ImportFileError, ImportNotReady
from surveys.importing.files import (
    MAX_COLUMNS,
    MAX_FIELD_CHARS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    read_table,
)
from surveys.importing.mapping import propose_mapping, target_choices
from surveys.importing.preview import ImportPreview, RowError, preview_import

__all__ = [
    "FOLLOW_UP_WINDOW",
    "IMPORT_SOURCE_KEY",
    "MAX_COLUMNS",
    "MAX_FIELD_CHARS",
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "ImportFileError",
    "ImportNotReady",
    "ImportPreview",
    "RowError",
    "apply_import",
    "preview_import",
    "propose_mapping",
    "read_table",
    "target_choices",
]
