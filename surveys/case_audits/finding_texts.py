"""An audit finding's words, themed with the case audits.

Theming reads submitted responses, so each finding is also kept as one response of the
`case-audit-finding` form (stream case_audit), in a cycle of its programme's own that asks no
organisation: its text is redacted, screened and clustered like every other answer, and
`AuditFinding.response_id` says which response it is. The finding's kind chooses the question,
so a strength is themed as a strength and an area to improve as one. Nobody answers the form:
the cycle is closed from the start, and no organisation is asked.

Public API:
    FINDING_FORM
    keep_for_theming(session, finding, definition, *, by) -> Response
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from surveys import responses
from surveys.audit import record_audit
from surveys.definition import SurveyDefinition
from surveys.models import AuditFinding, Cycle, CycleAudience, Response, User, utcnow

FINDING_FORM = "case-audit-finding"


def _findings_cycle(
    session: Session, finding: AuditFinding, definition: SurveyDefinition, by: User
) -> Cycle:
    programme = finding.programme
    if programme.findings_cycle is None:
        now = utcnow()
        programme.findings_cycle = Cycle(
            title=f"Case audit findings: {programme.title}"[:200],
            definition_key=definition.key,
            definition_version=definition.version,
            audience=CycleAudience.ORGANISATIONS,
            opens_at=min(now, finding.created_at) - timedelta(minutes=1),
            closes_at=now,
            created_by_id=by.id,
            local_questions=[],
        )
        session.flush()
        record_audit(
            session,
            user_id=by.id,
            action="cycle.published",
            object_type="cycle",
            object_id=programme.findings_cycle.id,
        )
    return programme.findings_cycle


def keep_for_theming(
    session: Session, finding: AuditFinding, definition: SurveyDefinition, *, by: User
) -> Response:
    """Record the finding's words as a response themed with the case audits (no commit)."""
    cycle = _findings_cycle(session, finding, definition, by)
    submitted = responses.record_submitted_response(
        session,
        cycle,
        definition,
        responses.CompleteResponse(
            {finding.kind.value: finding.text},
            submitted_at=finding.created_at,  # who wrote it: the finding's created_by
        ),
    )
    finding.response = submitted.response
    return submitted.response
