"""Route policy: every endpoint declares who may call it, and a request without a
declaration is refused (fail closed). Object-level scope (which hulpvraag, which task)
lives in workflow/access.py, which every view and list query calls.

    @bp.get("/x")
    @policy.roles("beheerder")      # or @policy.public, @policy.authenticated
    def x(): ...

``tests/test_policy.py`` fails when an endpoint in ``app.url_map`` has no declaration.

One grant sits beside ``hulpvraag_or_404`` on purpose: a procesbeheerder may open a hulpvraag with an
incident read-only, on the incident's own case page only (``may_inspect_hulpvraag``; why and what they
see: workflow/access.py, "procesbeheerders and stuck cases"). It does not widen ``hulpvraag_or_404``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user

from models import Hulpvraag, db
from workflow.access import hulpvraag_filter

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
    koppeling: bool = False  # an LVS with its verificatiecode as bearer token; cookies count for nothing

    def describe(self) -> str:
        if self.public:
            return "openbaar"
        if self.koppeling:
            return "LVS-koppeling (verificatiecode)"
        return "rollen: " + ", ".join(sorted(self.rollen)) if self.rollen else "ingelogd"


def _declare(rule: Rule) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        setattr(view, _ATTR, rule)
        return view

    return decorator


public = _declare(Rule(public=True))
authenticated = _declare(Rule())
login_step = _declare(Rule(second_factor=False))
koppeling = _declare(Rule(koppeling=True))  # the LVS API (web/api/): authenticated in web/api/auth.py


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
        if rule.koppeling:
            from web.api.auth import authenticate

            return authenticate()
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


def hulpvraag_or_404(hulpvraag_id: int) -> Hulpvraag:
    """The hulpvraag if this user may see it (workflow/access.py); otherwise the same 404 as for
    a nonexistent one, with the denial logged (no pupil data)."""
    query = sa.select(Hulpvraag).where(Hulpvraag.id == hulpvraag_id, hulpvraag_filter(current_user))
    hulpvraag = db.session.scalar(query)
    if hulpvraag is None:
        reason = "out of scope" if db.session.get(Hulpvraag, hulpvraag_id) is not None else "not found"
        log.warning("denied: hulpvraag_id=%s user_id=%s (%s)", hulpvraag_id, current_user.id, reason)
        abort(404)
    return hulpvraag
