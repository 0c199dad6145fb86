"""Access control declared on each view: who may use it. Deny by default.

Every endpoint must carry a rule (`public`, `signed_in`, `roles(...)` or `platform_admin`);
an endpoint without one answers 404 and fails the url_map test. Signed-in people asking for
something their roles do not allow get 404, so a page's existence is not confirmed.
Roles are the person's roles in the partnership they work in on this request
(`g.member.roles`, chosen by `webapp.tenancy`), never anything stored on the person: someone
in the quality group of one partnership and a contributor in another has the quality group's
pages only while working in the first. A person holding several roles there may use
everything any of them allows (the union). `roles(..., or_when=...)` also lets in people a
check on their membership finds (a reviewer named for one cycle, who holds no reviewer role).
`platform_admin` views are for people who run the service (`User.is_platform_admin`), which
by itself opens no partnership's data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, abort, g, redirect, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from surveys.models import Membership, Role

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class AccessRule:
    is_public: bool = False
    roles: frozenset[Role] = frozenset()  # empty and not public: any signed-in user
    is_for_platform_admins: bool = False
    # Lets in a member holding none of `roles` when it says yes (it may read the database).
    or_when: Callable[[Membership], bool] | None = None

    def lets_in(self, member: Membership | None) -> bool:
        """Whether a member (None: someone in no partnership) passes the roles check."""
        if not self.roles:
            return True
        if member is None:
            return False
        if not self.roles.isdisjoint(member.roles):
            return True
        return self.or_when is not None and self.or_when(member)


def _declare(rule: AccessRule) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        view.access_rule = rule  # type: ignore[attr-defined]
        return view

    return decorator


def public(view: F) -> F:
    """Anyone, signed in or not, may use this view."""
    return _declare(AccessRule(is_public=True))(view)


def signed_in(view: F) -> F:
    """Any signed-in user may use this view."""
    return _declare(AccessRule())(view)


def roles(*allowed: Role, or_when: Callable[[Membership], bool] | None = None) -> Callable[[F], F]:
    """Only people holding one of these roles in the partnership they work in may use this
    view (or, with `or_when`, members it says yes to)."""
    return _declare(AccessRule(roles=frozenset(allowed), or_when=or_when))


def platform_admin(view: F) -> F:
    """Only platform admins may use this view."""
    return _declare(AccessRule(is_for_platform_admins=True))(view)


def rule_for(app: Flask, endpoint: str) -> AccessRule | None:
    """Return the rule declared on an endpoint's view, or None if it has none."""
    if endpoint == "static" or endpoint.endswith(".static"):
        return AccessRule(is_public=True)
    view = app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def init_app(app: Flask) -> None:
    """Check every request against its endpoint's rule before the view runs."""

    @app.before_request
    def _enforce() -> WerkzeugResponse | None:
        if request.endpoint is None:
            return None  # 404/405 from routing
        rule = rule_for(app, request.endpoint)
        if rule is None:
            abort(404)
        if rule.is_public:
            return None
        user = g.get("user")
        if user is None:
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
        if rule.is_for_platform_admins and not user.is_platform_admin:
            abort(404)
        if not rule.lets_in(g.get("member")):
            abort(404)
        return None
