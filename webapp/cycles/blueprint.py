"""The cycles blueprint at /admin/cycles, for partnership admins; views.py and answers.py
add its routes.

Public API: `bp`, `admin_only`, `readers` (admins and the quality group: the returns, read
only), `training_readers` and `training_exporters` (those, with training leads, who open the
training forms' cycles only), `cycle_or_404`.
"""

from __future__ import annotations

from flask import Blueprint, abort, g

from surveys.models import Cycle, Role
from webapp.access import roles
from webapp.database import get_session
from webapp.form_pages import definitions

bp = Blueprint("cycles", __name__, url_prefix="/admin/cycles")
admin_only = roles(Role.PARTNERSHIP_ADMIN)
readers = roles(Role.PARTNERSHIP_ADMIN, Role.QUALITY_GROUP)
# A training lead sees the training forms' cycles (their answers, exports and imports) only.
training_readers = roles(Role.PARTNERSHIP_ADMIN, Role.QUALITY_GROUP, Role.TRAINING_LEAD)
training_exporters = roles(Role.PARTNERSHIP_ADMIN, Role.TRAINING_LEAD)
TRAINING_STREAMS = frozenset({"training", "training_follow_up"})
SEES_EVERY_CYCLE = frozenset({Role.PARTNERSHIP_ADMIN, Role.QUALITY_GROUP})


def sees_training_only() -> bool:
    """Whether the member's cycles are the training forms' only (a training lead's)."""
    member = g.get("member")
    return member is None or SEES_EVERY_CYCLE.isdisjoint(member.roles)


def is_training_cycle(cycle: Cycle) -> bool:
    stream = definitions().get(cycle.definition_key, cycle.definition_version).stream
    return stream.value in TRAINING_STREAMS


def cycle_or_404(cycle_id: int) -> Cycle:
    """Return the cycle, or answer 404 (for a training lead, also any but a training form's)."""
    cycle = get_session().get(Cycle, cycle_id) or abort(404)
    if sees_training_only() and not is_training_cycle(cycle):
        abort(404)
    return cycle
