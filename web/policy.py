"""Route policy: every endpoint declares who may call it, and a request without a
declaration is refused (fail closed). Object-level scope (which hulpvraag, which task)
lives in workflow/access.py, which every view and list query calls.

    @bp.get("/x")
    @policy.roles("beheerder")      # or @policy.public, @policy.authenticated
    def x(): ...

``tests/test_policy.py`` fails when an endpoint in ``app.url_map`` has no declaration.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])
_ATTR = "_kansrijk_policy"


@dataclass(frozen=True)
class Rule:
    """Who may call a route: anyone, any logged-in user, or users with one of ``rollen``.

    ``second_factor`` False is only for the login steps themselves (enrolment, code entry).
    """

    public: bool = False
    rollen: frozenset[str] = frozenset()
    second_factor: bool = True

    def describe(self) -> str:
        if self.public:
            return "openbaar"
        return "rollen: " + ", ".join(sorted(self.rollen)) if self.rollen else "ingelogd"


def _declare(rule: Rule) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        setattr(view, _ATTR, rule)
        return view

    return decorator


public = _declare(Rule(public=True))
authenticated = _declare(Rule())
login_step = _declare(Rule(second_factor=False))


def roles(*rollen: str) -> Callable[[F], F]:
    return _declare(Rule(rollen=frozenset(rollen)))


def rule_for(app: Flask, endpoint: str) -> Rule | None:
    if endpoint == "static":
        return Rule(public=True)
    view = app.view_functions.get(endpoint)
    return getattr(view, _ATTR, None) if view is not None else None


def enforce(app: Flask) -> Callable[[], Any]:
    """before_request hook: apply the declared rule of the endpoint."""

    def check() -> Any:
        if request.endpoint is None:  # 404/405: let Flask answer
            return None
        rule = rule_for(app, request.endpoint)
        if rule is None:
            log.error("route without policy refused: %s", request.endpoint)
            abort(403)
        if rule.public:
            return None
        if not current_user.is_authenticated:
            return app.login_manager.unauthorized()  # type: ignore[attr-defined]
        if rule.second_factor and not _second_factor_done():
            return redirect(url_for("auth.code"))  # password given, code still missing
        if rule.rollen and not current_user.rollen & rule.rollen:
            log.warning("denied: endpoint=%s user_id=%s", request.endpoint, current_user.id)
            abort(404)  # not-allowed looks like not-there
        return None

    return check


def _second_factor_done() -> bool:
    from web.auth.sessions import second_factor_done

    return second_factor_done()


def init_app(app: Flask) -> None:
    app.before_request(enforce(app))
