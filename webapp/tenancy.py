"""Which partnership each request works in, decided in one place before any view runs.

- a public link (`/f/<token>/...`): the link's partnership, found by its token (the one
  cross-partnership read, in `surveys.tenancy`'s named scope);
- the API: the partnership of the bearer token;
- a signed-in person: the partnership of their membership chosen for this sign-in
  (`g.sign_in.working_partnership_id`, stored server-side with the sign-in), re-checked
  against their memberships on every request (`surveys.memberships.working_membership`);
- anyone else, or a person with no membership: no partnership, so any query of a
  partnership's data fails closed or finds nothing.

`g.member` is that membership: the one accessor views, templates and services use for what
the person may do here (`g.member.roles`, `.organisation_id`, `.organisation`,
`.partnership`). `g.user` stays the person. `g.memberships` lists every partnership they
may switch to. An unknown link or token works in no partnership's data (`NOWHERE`): the
view finds nothing and answers as it does for any unknown link. Jobs find their partnership
from what they act for (`webapp.tasks`).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, request

from surveys import memberships, tenancy
from surveys.models import Membership
from surveys.organisations import get_partnership
from webapp.database import get_session

UNSCOPED_ENDPOINTS = frozenset({"static", "main.assets", "main.healthz"})


def init_app(app: Flask) -> None:
    """Choose each request's partnership (after `webapp.security` has loaded the user)."""
    app.before_request(choose_partnership)
    app.context_processor(_template_values)


def current_member() -> Membership | None:
    """Return the membership the signed-in person works in on this request (None: none)."""
    return g.get("member")


def choose_partnership() -> None:
    """Scope this request's session to the partnership it works in, if any."""
    g.member, g.memberships = None, []
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
        g.memberships = memberships.memberships_of(session, g.user.id)
        g.member = memberships.working_membership(
            g.memberships, chosen=g.sign_in.working_partnership_id if g.get("sign_in") else None
        )
        tenancy.work_in(session, g.member.partnership_id if g.member else tenancy.NOWHERE)


def _template_values() -> dict[str, Any]:
    """What every page shows of the partnership: its name in the header and, for people,
    which one they work in and whether they can switch."""
    if request.endpoint in UNSCOPED_ENDPOINTS:
        return {"partnership": None, "current_member": None, "can_switch_partnership": False}
    partnership = get_partnership(get_session())
    return {
        "partnership": partnership,
        "partnership_name": partnership.name
        if partnership
        else current_app.config["PARTNERSHIP_NAME"],
        "current_member": current_member(),
        "can_switch_partnership": len(g.get("memberships", [])) > 1,
    }
