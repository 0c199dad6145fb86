"""The cycles blueprint at /admin/cycles, for partnership admins; views.py and answers.py
add its routes.

Public API: `bp`, `admin_only`, `readers` (admins and the quality group: the returns, read
only), `cycle_or_404`.
"""

from __future__ import annotations

from flask import Blueprint, abort

from surveys.models import Cycle, Role
from webapp.access import roles
from webapp.database import get_session

bp = Blueprint("cycles", __name__, url_prefix="/admin/cycles")
admin_only = roles(Role.PARTNERSHIP_ADMIN)
readers = roles(Role.PARTNERSHIP_ADMIN, Role.QUALITY_GROUP)


def cycle_or_404(cycle_id: int) -> Cycle:
    """Return the cycle, or answer 404."""
    return get_session().get(Cycle, cycle_id) or abort(404)
