"""Access control declared on each view: who may use it. Deny by default.

Every endpoint must carry a rule (`public`, `signed_in`, `roles(...)` or `platform_admin`);
an endpoint without one answers 404 and fails the url_map test. Signed-in people asking for
something their role does not allow get 404, so a page's existence is not confirmed.
A role is the person's role in the partnership they work in on this request (`g.member`,
chosen by `webapp.tenancy`), never anything stored on the person: someone in the quality
group of one partnership and a contributor in another has the quality group's pages only
while working in the first. `platform_admin` views are for people who run the service
(`User.is_platform_admin`), which by itself opens no partnership's data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, abort, g, redirect, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from surveys.models import Role

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class AccessRule:
    is_public: bool = False
    roles: frozenset[Role] = frozenset()  # empty and not public: any signed-in user
    is_for_platform_admins: bool = False


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


def roles(*allowed: Role) -> Callable[[F], F]:
    """Only people with one of these roles in the partnership they work in may use this view."""
    return _declare(AccessRule(roles=frozenset(allowed)))


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
        member = g.get("member")
        if rule.roles and (member is None or member.role not in rule.roles):
            abort(404)
        return None
