"""Access control declared on each view: who may use it. Deny by default.

Every endpoint must carry a rule (`public`, `signed_in` or `roles(...)`); an endpoint
without one answers 404 and fails the url_map test. Signed-in people asking for something
their role does not allow get 404, so a page's existence is not confirmed.
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
    """Only signed-in users with one of these roles may use this view."""
    return _declare(AccessRule(roles=frozenset(allowed)))


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
        if rule.roles and user.role not in rule.roles:
            abort(404)
        return None
