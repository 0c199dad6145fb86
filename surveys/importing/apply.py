"""Apply a checked import: one submitted, anonymous response per valid row, all or nothing.

Public API:
    apply_import(session, cycle, preview, *, imported_by=None) -> list[Response]
    FOLLOW_UP_WINDOW: how long after answering a trainee can still be sent the follow-up.
    IMPORT_SOURCE_KEY: the bookkeeping key in the answers saying the response was imported.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from surveys import follow_ups
from surveys.audit import record_audit
from surveys.definition import SurveyDefinition
from surveys.importing.errors import ImportFileError, ImportNotReady
from surveys.importing.preview import ImportPreview
from surveys.models import Cycle, Response, utcnow
from surveys.responses import SOURCE_KEY, CompleteResponse, record_submitted_response

log = logging.getLogger(__name__)

IMPORT_SOURCE_KEY = SOURCE_KEY  # bookkeeping key in the answers: where the response came from
# The follow-up asks about the 6 to 8 weeks after the course: past 8 weeks it is too late.
FOLLOW_UP_WINDOW = timedelta(weeks=8)


def apply_import(
    session: Session,
    cycle: Cycle,
    preview: ImportPreview,
    *,
    imported_by: int | None = None,
) -> list[Response]:
    """Create one submitted, anonymous response per valid row, all or nothing.

    Each row is screened for disclosures like any submission (surveys.safeguarding), so a
    flagged row alerts the DSLs; a failure anywhere rolls the whole import back.
    A trainee's follow-up email never enters the stored answers: see _follow_up_due.
    """
    definition = preview.definition
    if preview.errors:
        raise ImportNotReady("Fix the problems in the file, then upload it again")
    if (cycle.definition_key, cycle.definition_version) != (definition.key, definition.version):
        raise ImportFileError("The file was checked against a different form. Upload it again")
    if not preview.valid_rows:
        raise ImportFileError("The selected file has no rows of answers to import")
    now, created = utcnow(), []
    try:
        answered_on = preview.answered_on or [None] * len(preview.valid_rows)
        for row, day in zip(preview.valid_rows, answered_on, strict=True):
            arriving = CompleteResponse(
                row,
                submitted_at=now,
                follow_up_due=_follow_up_due(definition, day, now),
                source="import",
            )
            created.append(record_submitted_response(session, cycle, definition, arriving).response)
        record_audit(
            session,
            user_id=imported_by,
            action="responses.imported",
            object_type="cycle",
            object_id=cycle.id,
            detail=f"count={len(created)}",
        )
        session.commit()
    except Exception:
        session.rollback()
        raise
    log.info("responses imported", extra={"cycle_id": cycle.id, "count": len(created)})
    return created


def _follow_up_due(
    definition: SurveyDefinition, answered_on: date | None, now: datetime
) -> datetime | None:
    """Return when to send an imported trainee's follow-up, or None to drop their email.

    The follow-up asks how the course changed practice 6 to 8 weeks on, and the trainee
    gave their address for that one email only. So an imported email is kept only when the
    file says when they answered (a timestamp column such as "Submitted at" or "Timestamp")
    and that was at most 8 weeks ago: the link goes 6 weeks after they answered, or at once
    if that day has passed. Without a date (the course may have been last year) or later
    than that, the address has no use left and is dropped without being stored.
    """
    if answered_on is None or definition.follow_up is None:
        return None
    answered = datetime.combine(answered_on, time(), tzinfo=UTC)
    if answered > now or now - answered > FOLLOW_UP_WINDOW:
        return None
    return max(follow_ups.due(definition, answered), now)
