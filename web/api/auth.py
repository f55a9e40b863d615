"""Authentication of an LVS: its verificatiecode as bearer token, rate limited per koppeling.

Sessions and cookies count for nothing here: a logged-in browser calling the API is anonymous.

Failed attempts are counted twice: per presented code (its HMAC, never the code itself) and per
address. ESIS and ParnasSys send for many schools from a few central addresses, so:

- a valid code is never refused because of other codes' failures from the same address;
- a wrong code is refused (429) after ``API_LIMIT_AUTH_FAILURES_PER_CODE`` failures: one school's
  typo stops there, and its refused retries no longer count for the address;
- an address is refused for unknown codes after ``API_LIMIT_AUTH_FAILURES`` failures, a threshold one
  school's typo (at most the per-code limit) cannot reach: it stops guessing many codes.

Every 429 carries ``Retry-After`` (seconds until the window frees up). Failures are logged, never the code.
"""

from __future__ import annotations

import logging
import time

from flask import current_app, g, request
from limits import RateLimitItem, parse
from werkzeug.wrappers import Response

from web.api.errors import fout
from web.extensions import limiter
from workflow.koppelingen import code_digest, koppeling_voor_code

log = logging.getLogger(__name__)
PER_CODE_STANDAARD = "10 per 15 minutes"
TE_VEEL_CODE = "Te veel mislukte pogingen met deze verificatiecode; controleer de code en probeer het later opnieuw."
TE_VEEL_ADRES = "Te veel mislukte pogingen met onbekende codes vanaf dit adres; probeer het later opnieuw."


def authenticate() -> Response | None:
    """before_request for routes declared ``@policy.koppeling``: sets ``g.koppeling_id`` or answers 401/429."""
    code = _bearer()
    if code and (wacht := geweigerd_voor_code(code)):
        log.warning("api auth refused: too many failures with this code path=%s", request.path)
        return fout(429, TE_VEEL_CODE, headers={"Retry-After": str(wacht)})
    koppeling = koppeling_voor_code(code) if code else None
    if koppeling is None:
        if wacht := geweigerd_voor_adres():
            log.warning("api auth refused: too many failures from this address path=%s", request.path)
            return fout(429, TE_VEEL_ADRES, headers={"Retry-After": str(wacht)})
        register_failure(code)
        log.warning("api auth failed: reason=%s path=%s", "missing" if not code else "unknown code", request.path)
        return fout(401)
    limiet = _limiet("API_LIMIT_PER_KOPPELING", "120 per minute")
    if limiter.enabled and not limiter.limiter.hit(limiet, "lvs", str(koppeling.id)):
        log.warning("api rate limit: koppeling_id=%s", koppeling.id)
        return fout(429, headers={"Retry-After": str(_wachttijd(limiet, "lvs", str(koppeling.id)))})
    g.koppeling_id = koppeling.id
    return None


def geweigerd_voor_code(code: str) -> int | None:
    """Seconds to wait when this (wrong) code failed too often, else None."""
    return _vol(_limiet("API_LIMIT_AUTH_FAILURES_PER_CODE", PER_CODE_STANDAARD), "lvs-auth-code", code_digest(code))


def geweigerd_voor_adres() -> int | None:
    return _vol(_limiet("API_LIMIT_AUTH_FAILURES", "200 per 15 minutes"), "lvs-auth", request.remote_addr or "?")


def register_failure(code: str | None) -> None:
    if not limiter.enabled:
        return
    per_adres = _limiet("API_LIMIT_AUTH_FAILURES", "200 per 15 minutes")
    limiter.limiter.hit(per_adres, "lvs-auth", request.remote_addr or "?")
    if code:
        per_code = _limiet("API_LIMIT_AUTH_FAILURES_PER_CODE", PER_CODE_STANDAARD)
        limiter.limiter.hit(per_code, "lvs-auth-code", code_digest(code))


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _limiet(setting: str, standaard: str) -> RateLimitItem:
    return parse(str(current_app.config.get(setting) or standaard))


def _vol(limiet: RateLimitItem, *key: str) -> int | None:
    if not limiter.enabled or limiter.limiter.test(limiet, *key):
        return None
    return _wachttijd(limiet, *key)


def _wachttijd(limiet: RateLimitItem, *key: str) -> int:
    reset, _ = limiter.limiter.get_window_stats(limiet, *key)
    return max(1, int(reset - time.time()) + 1)
