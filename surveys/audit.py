"""The audit log: who did what to which object, in ids and codes only.

Public API:
    record_audit(session, *, user_id, action, object_type="", object_id="", detail="")
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from surveys.models import AuditEvent


def record_audit(
    session: Session,
    *,
    user_id: int | None,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    detail: str = "",
) -> None:
    """Add an audit event to the session's transaction (ids and codes only)."""
    session.add(
        AuditEvent(
            user_id=user_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            detail=detail,
        )
    )
