"""Evidence files: checked by content, stored outside static files under random names.

Public API:
    ACCEPTED_TYPES: the file extensions the server stores (the form's default list too).
    EvidenceRejected: the file was refused; the message is for the person, `question_id` says
        which question's field to show it on.
    checked(upload, *, question_id) -> CheckedUpload: read and checked, nothing stored
    store_evidence(session, folder, *, response_id, question_id, upload, user_id)
"""

from __future__ import annotations

import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from surveys.errors import SubmissionError
from surveys.models import EvidenceFile

MAX_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 2_000
# extension -> (content type, magic bytes at the start)
ALLOWED = {
    "pdf": ("application/pdf", b"%PDF-"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", b"PK"),
    "odt": ("application/vnd.oasis.opendocument.text", b"PK"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", b"PK"),
    "txt": ("text/plain", b""),
    "csv": ("text/csv", b""),
}
ACCEPTED_TYPES = tuple(ALLOWED)
TYPES_ERROR = (
    "The selected file must be a PDF, DOCX, XLSX, PPTX, ODT, ODS, CSV, TXT, PNG or JPG file"
)


class EvidenceRejected(SubmissionError):
    """An uploaded file is refused (type, size or contents); nothing was stored."""

    def __init__(self, message: str, *, question_id: str = ""):
        super().__init__(message)
        self.question_id = question_id


@dataclass(frozen=True)
class Upload:
    filename: str
    stream: BinaryIO


def _check_content(extension: str, data: bytes) -> None:
    if extension not in ALLOWED:
        raise SubmissionError(TYPES_ERROR)
    if not data:
        raise SubmissionError("The selected file is empty")
    if len(data) > MAX_BYTES:
        raise SubmissionError("The selected file must be smaller than 10MB")
    magic = ALLOWED[extension][1]
    if not data.startswith(magic):
        raise SubmissionError("The selected file’s contents do not match its type")
    if magic == b"PK":
        _check_zip(data)
    if extension in ("txt", "csv"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise SubmissionError("The selected text file must be saved as UTF-8") from error


def _check_zip(data: bytes) -> None:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile as error:
        raise SubmissionError("The selected file is damaged and cannot be opened") from error
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNZIPPED:
        raise SubmissionError("The selected file is too large once opened")
    if any(e.filename.startswith(("/", "\\")) or ".." in e.filename for e in entries):
        raise SubmissionError("The selected file is damaged and cannot be opened")
    if any(_is_macro(e.filename) for e in entries):
        raise SubmissionError("Files with macros cannot be uploaded")


def _is_macro(name: str) -> bool:
    """VBA in Office Open XML; Basic or scripts in OpenDocument."""
    lowered = name.lower()
    return lowered.endswith("vbaproject.bin") or lowered.startswith(("basic/", "scripts/"))


def checked(upload: Upload, *, question_id: str) -> CheckedUpload:
    """Read an upload and check it by its content, storing nothing.

    Raises:
        EvidenceRejected: the file's type, size or contents are refused.
    """
    extension = upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
    data = upload.stream.read(MAX_BYTES + 1)
    try:
        _check_content(extension, data)
    except SubmissionError as error:
        raise EvidenceRejected(str(error), question_id=question_id) from error
    return CheckedUpload(upload.filename, extension, data)


@dataclass(frozen=True)
class CheckedUpload:
    filename: str
    extension: str
    data: bytes


def store_evidence(
    session: Session,
    folder: Path,
    *,
    response_id: int,
    question_id: str,
    upload: Upload | CheckedUpload,
    user_id: int | None,
) -> EvidenceFile:
    """Check an upload by its content (unless checked already) and store it; never uses the
    client's file name as a path.

    Raises:
        EvidenceRejected: the file's type, size or contents are refused.
    """
    if isinstance(upload, Upload):
        upload = checked(upload, question_id=question_id)
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = uuid.uuid4().hex
    (folder / stored_name).write_bytes(upload.data)
    safe_name = (
        "".join(c for c in Path(upload.filename.replace("\\", "/")).name if c.isprintable())[:200]
        or f"evidence.{upload.extension}"
    )
    evidence = EvidenceFile(
        response_id=response_id,
        question_id=question_id,
        stored_name=stored_name,
        filename=safe_name,
        content_type=ALLOWED[upload.extension][0],
        size=len(upload.data),
        uploaded_by_id=user_id,
    )
    session.add(evidence)
    session.flush()
    return evidence
