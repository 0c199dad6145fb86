"""Case audit findings as the read-only API serves them, with what each led to: the learning
log entry it became (`learning_entries.audit_finding_id`) and that entry's actions.

Public API:
    audit_finding_documents(session, findings) -> list[dict]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning.models import Action, LearningEntry
from surveys.api_reviews import audit_finding_document
from surveys.models import AuditFinding


def audit_finding_documents(
    session: Session, findings: Sequence[AuditFinding]
) -> list[dict[str, Any]]:
    """Return the findings as API documents, each with its learning entry and action ids."""
    entries: dict[int | None, int] = {
        finding_id: entry_id
        for finding_id, entry_id in session.execute(
            select(LearningEntry.audit_finding_id, LearningEntry.id).where(
                LearningEntry.audit_finding_id.in_([f.id for f in findings])
            )
        )
    }
    actions: dict[int, list[int]] = {}
    for entry_id, action_id in session.execute(
        select(Action.entry_id, Action.id)
        .where(Action.entry_id.in_(list(entries.values())))
        .order_by(Action.id)
    ):
        if entry_id is not None:
            actions.setdefault(entry_id, []).append(action_id)
    documents = []
    for finding in findings:
        entry_id = entries.get(finding.id)
        documents.append(
            audit_finding_document(
                finding,
                learning_entry_id=entry_id,
                action_ids=actions.get(entry_id, []) if entry_id is not None else [],
            )
        )
    return documents
