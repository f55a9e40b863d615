"""Authentication of an LVS: its verificatiecode as bearer token, rate limited per koppeling.

Sessions and cookies count for nothing here: a logged-in browser calling the API is anonymous.
Failed attempts are limited per address and logged (never the code itself).
"""

from __future__ import annotations

import logging

from flask import current_app, g, request
from limits import parse
from werkzeug.wrappers import Response

from web.api.errors import fout
from web.extensions import limiter
from workflow.koppelingen import koppeling_voor_code

log = logging.getLogger(__name__)


def authenticate() -> Response | None:
    """before_request for routes declared ``@policy.koppeling``: sets ``g.koppeling_id`` or answers 401/429."""
    if too_many_failures():
        log.warning("api auth refused: too many failures from this address path=%s", request.path)
        return fout(429, "Te veel mislukte pogingen vanaf dit adres; probeer het later opnieuw.")
    code = _bearer()
    koppeling = koppeling_voor_code(code) if code else None
    if koppeling is None:
        register_failure()
        log.warning("api auth failed: reason=%s path=%s", "missing" if not code else "unknown code", request.path)
        return fout(401)
    if not _hit("API_LIMIT_PER_KOPPELING", "lvs", str(koppeling.id)):
        log.warning("api rate limit: koppeling_id=%s", koppeling.id)
        return fout(429, headers={"Retry-After": "60"})
    g.koppeling_id = koppeling.id
    return None


def too_many_failures() -> bool:
    return not _test("API_LIMIT_AUTH_FAILURES", "lvs-auth", request.remote_addr or "?")


def register_failure() -> None:
    _hit("API_LIMIT_AUTH_FAILURES", "lvs-auth", request.remote_addr or "?")


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _hit(setting: str, *key: str) -> bool:
    if not limiter.enabled:
        return True
    return bool(limiter.limiter.hit(parse(current_app.config[setting]), *key))


def _test(setting: str, *key: str) -> bool:
    if not limiter.enabled:
        return True
    return bool(limiter.limiter.test(parse(current_app.config[setting]), *key))
