"""Ratings across the partnership: for its admins, the quality group and return reviewers.

Reviewers see every organisation's ratings here (they read every return they may review,
and this page changes nothing); their own organisation's return is still never theirs to
review (webapp/scrutiny). People named to review one cycle only, without the role, review
returns but are not given this partnership-wide view.
"""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from surveys import partnership_view, rating_history
from surveys.models import Cycle, CycleAudience, OrganisationKind, Role, Sector
from surveys.organisations import organisation_here
from surveys.scrutiny.reviewers import has_standards
from surveys.small_groups import FEWER_THAN, SMALL_NUMBER
from webapp.access import roles
from webapp.database import get_session
from webapp.form_pages import definition_of, definitions

bp = Blueprint("findings", __name__, url_prefix="/findings")
viewers = roles(Role.PARTNERSHIP_ADMIN, Role.QUALITY_GROUP, Role.REVIEWER)
RULE = (
    f"A summary that covers a school is shown only for {SMALL_NUMBER} or more organisations, "
    f"and in it any count from 1 to {SMALL_NUMBER - 1} is shown as “{FEWER_THAN}”, so no "
    "summary says how one school rated itself. Counts over agencies alone are shown in full."
)


def rated_cycle_or_404(cycle_id: int) -> Cycle:
    """Return an organisations' cycle of a form with rated standards, or answer 404."""
    cycle = get_session().get(Cycle, cycle_id)
    if cycle is None or cycle.audience is not CycleAudience.ORGANISATIONS:
        abort(404)
    if not _is_rated(cycle):
        abort(404)
    return cycle


def _filters() -> partnership_view.Filters:
    return partnership_view.Filters.read(request.args.get("sector"), request.args.get("kind"))


def _context(cycle: Cycle, filters: partnership_view.Filters) -> dict[str, object]:
    return {
        "cycle": cycle,
        "filters": filters,
        "sectors": list(Sector),
        "kinds": list(OrganisationKind),
        "rule": RULE,
        "changes": list(partnership_view.Change),
        **_links(),
    }


def _links() -> dict[str, bool]:
    """Whether the person may open the findings report (admins and the quality group)."""
    held = g.member.roles
    return {"sees_reports": not held.isdisjoint({Role.PARTNERSHIP_ADMIN, Role.QUALITY_GROUP})}


@bp.get("")
@viewers
def index() -> ResponseReturnValue:
    cycles = get_session().scalars(
        select(Cycle)
        .where(Cycle.audience == CycleAudience.ORGANISATIONS)
        .order_by(Cycle.opens_at.desc(), Cycle.id.desc())
    )
    rated = [cycle for cycle in cycles if _is_rated(cycle)]
    return render_template("findings/index.html", cycles=rated, **_links())


def _is_rated(cycle: Cycle) -> bool:
    """Whether the cycle's form has rated standards (a form no longer installed has none)."""
    try:
        return has_standards(definition_of(cycle))
    except KeyError:
        return False


@bp.get("/cycles/<int:cycle_id>")
@viewers
def grid(cycle_id: int) -> ResponseReturnValue:
    cycle = rated_cycle_or_404(cycle_id)
    filters = _filters()
    found = partnership_view.ratings_grid(
        get_session(), cycle, definition_of(cycle), definitions(), filters=filters
    )
    return render_template("findings/grid.html", grid=found, **_context(cycle, filters))


@bp.get("/cycles/<int:cycle_id>/standards/<standard_ref>")
@viewers
def standard(cycle_id: int, standard_ref: str) -> ResponseReturnValue:
    cycle = rated_cycle_or_404(cycle_id)
    filters = _filters()
    try:
        view = partnership_view.standard_view(
            get_session(), cycle, definition_of(cycle), definitions(), standard_ref, filters=filters
        )
    except KeyError:
        abort(404)
    return render_template("findings/standard.html", view=view, **_context(cycle, filters))


@bp.get("/organisations/<int:organisation_id>")
@viewers
def organisation(organisation_id: int) -> ResponseReturnValue:
    found = organisation_here(get_session(), organisation_id) or abort(404)
    history = rating_history.organisation_history(get_session(), found.id, definitions())
    return render_template("findings/organisation.html", organisation=found, history=history)
