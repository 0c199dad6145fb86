"""The assessments blueprint at /assessments, for an organisation's lead and contributors:
views.py answers a return, reading.py reads, prints and downloads one.

Public API: `bp`, `members`, `assigned_cycle`, `own_response`, `return_journey`,
`evidence_folder`.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, g

from surveys import cycles, responses, shared_returns, sign_off
from surveys.audit import record_audit
from surveys.journey import Journey
from surveys.models import Cycle, Response, Role
from webapp.access import roles
from webapp.database import get_session
from webapp.form_pages import data_folder, definition_of

bp = Blueprint("assessments", __name__, url_prefix="/assessments")
members = roles(Role.ORGANISATION_LEAD, Role.ORGANISATION_CONTRIBUTOR)


def assigned_cycle(cycle_id: int) -> Cycle:
    """Return a cycle assigned to the user's organisation; anything else is 404 (and audited)."""
    cycle = get_session().get(Cycle, cycle_id)
    if cycle is None or not cycles.is_assigned(get_session(), cycle, g.member.organisation_id):
        record_audit(
            get_session(),
            user_id=g.user.id,
            action="access.denied",
            object_type="cycle",
            object_id=cycle_id,
        )
        get_session().commit()
        abort(404)
    return cycle


def own_response(cycle: Cycle) -> Response | None:
    """Return the organisation's return to a cycle, if it has started one."""
    return responses.organisation_response(get_session(), cycle, g.member.organisation_id)


def return_journey(response: Response, *, whole: bool = False) -> Journey:
    """The return as this person answers it: the form and every partnership's questions,
    without the lead's declaration for anyone but the lead (unless `whole`, to read it)."""
    session = get_session()
    definition = shared_returns.return_definition(session, response, definition_of(response))
    if not whole and g.member.role is not Role.ORGANISATION_LEAD:
        definition = sign_off.without_declaration(definition)
    return Journey(definition, shared_returns.return_answers(session, response))


def evidence_folder() -> Path:
    return data_folder() / "evidence"
