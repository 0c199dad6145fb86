"""Triangulation pages: a return's ratings beside its practitioners' answers, for its
reviewers and for the organisation itself (counts only, small groups suppressed).

Routes on the scrutiny blueprint: `triangulation` (reviewers), `organisation_triangulation`
(the organisation's leads and contributors); `triangulation_of(response)` for the panels on
the return's pages.
"""

from __future__ import annotations

from flask import abort, g, render_template, url_for
from flask.typing import ResponseReturnValue

from surveys import partnership_view, triangulation
from surveys.errors import NotReviewable
from surveys.models import Response
from surveys.scrutiny import returns as scrutiny_returns
from webapp.database import get_session
from webapp.form_pages import definitions
from webapp.scrutiny.blueprint import bp, definition_for, organisation, reviewable_return, reviewers


def triangulation_of(response: Response) -> triangulation.Triangulation:
    """Return the return's triangulation (its moderated ratings read once)."""
    session = get_session()
    moderated = partnership_view.moderated_ratings(session, [response.id]).get(response.id, {})
    return triangulation.triangulate_return(
        session, response, definition_for(response), definitions(), moderated=moderated
    )


@bp.get("/returns/<int:return_id>/triangulation")
@reviewers
def triangulation_page(return_id: int) -> ResponseReturnValue:
    response = reviewable_return(return_id)
    return render_template(
        "scrutiny/triangulation.html",
        found=triangulation_of(response),
        rule=triangulation.DISAGREEMENT_RULE,
        back=url_for("scrutiny.review", return_id=response.id),
    )


@bp.get("/your-returns/<int:return_id>/triangulation")
@organisation
def organisation_triangulation(return_id: int) -> ResponseReturnValue:
    try:
        response = scrutiny_returns.own_return(get_session(), g.member, return_id)
    except NotReviewable:
        abort(404)
    return render_template(
        "scrutiny/triangulation.html",
        found=triangulation_of(response),
        rule=triangulation.DISAGREEMENT_RULE,
        back=url_for("scrutiny.organisation_return", return_id=response.id),
    )
