"""Which partnership each request works in, decided in one place before any view runs.

- a public link (`/f/<token>/...`): the link's partnership, found by its token (the one
  cross-partnership read, in `surveys.tenancy`'s named scope);
- the API: the partnership of the bearer token;
- a signed-in person: their partnership (today each person has one membership);
- anyone else: no partnership, so any query of a partnership's data fails closed.

An unknown link or token works in no partnership's data (`NOWHERE`): the view finds nothing
and answers as it does for any unknown link. Jobs find their partnership from what they act
for (`webapp.tasks`).
"""

from __future__ import annotations

from flask import Flask, g, request

from surveys import tenancy
from webapp.database import get_session

UNSCOPED_ENDPOINTS = frozenset({"static", "main.assets", "main.healthz"})


def init_app(app: Flask) -> None:
    """Choose each request's partnership (after `webapp.security` has loaded the user)."""
    app.before_request(choose_partnership)


def choose_partnership() -> None:
    """Scope this request's session to the partnership it works in, if any."""
    if request.endpoint is None or request.endpoint in UNSCOPED_ENDPOINTS:
        return
    session = get_session()
    token = (request.view_args or {}).get("token")
    if request.blueprint == "respond" and isinstance(token, str):
        tenancy.work_in(session, tenancy.partnership_of_link(session, token))
    elif request.blueprint == "api" and request.endpoint != "api.openapi":
        header = request.headers.get("Authorization")
        tenancy.work_in(session, tenancy.partnership_of_api_token(session, header))
    elif g.get("user") is not None:
        home = tenancy.home_partnership(session, g.user.id)
        tenancy.work_in(session, home if home is not None else tenancy.NOWHERE)
