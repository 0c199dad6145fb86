"""The scrutiny blueprint at /scrutiny: who may use which of its pages, and their shared steps.

- `reviewers`: people holding the reviewer role, and people named to review a cycle;
  each return's page then checks they may review that return (never their own
  organisation's: 404);
- `oversight`: the same, and the partnership's admins (the cycles' scrutiny, meetings);
- `admins`: partnership admins (naming a cycle's reviewers);
- `organisation`: an organisation's leads and contributors (their challenges and feedback).

Public API: `bp`, the four rules, `reviewable_return(return_id)`, `definition_for(response)`,
`today()`.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, g
from werkzeug.exceptions import NotFound

from surveys import shared_returns
from surveys.definition import SurveyDefinition
from surveys.errors import NotReviewable
from surveys.models import Membership, Response, Role, utcnow
from surveys.scrutiny import reviewers as scrutiny_reviewers
from webapp.access import roles
from webapp.database import get_session
from webapp.form_pages import definition_of

bp = Blueprint("scrutiny", __name__, url_prefix="/scrutiny")


def _is_named_reviewer(member: Membership) -> bool:
    return scrutiny_reviewers.is_named_reviewer(get_session(), member.user_id)


reviewers = roles(Role.REVIEWER, or_when=_is_named_reviewer)
oversight = roles(Role.REVIEWER, Role.PARTNERSHIP_ADMIN, or_when=_is_named_reviewer)
admins = roles(Role.PARTNERSHIP_ADMIN)
organisation = roles(Role.ORGANISATION_LEAD, Role.ORGANISATION_CONTRIBUTOR)


def reviewable_return(return_id: int) -> Response:
    """Return a submitted return the person may review; anything else answers 404."""
    response = get_session().get(Response, return_id)
    if response is None:
        abort(404)
    try:
        scrutiny_reviewers.check_may_review(get_session(), g.member, response)
    except NotReviewable:
        raise NotFound() from None
    return response


def definition_for(response: Response) -> SurveyDefinition:
    """The form a return answers, with this partnership's own questions (its copy's)."""
    return shared_returns.own_definition(get_session(), response.cycle, definition_of(response))


def today() -> date:
    return utcnow().date()
