"""Error pages: generic and Dutch, never a stack trace; the transaction is rolled back."""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from flask import Flask, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from models import db
from web.auth import vertraging
from web.extensions import limiter

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Ongeldig verzoek", "Het verzoek kon niet worden verwerkt."),
    401: ("Niet ingelogd", "Log in om verder te gaan."),
    403: ("Geen toegang", "U heeft geen rechten voor deze actie."),
    404: ("Niet gevonden", "Deze pagina bestaat niet of u heeft er geen toegang toe."),
    405: ("Niet toegestaan", "Deze actie is hier niet toegestaan."),
    409: ("Al afgehandeld", "Deze taak is al afgehandeld."),
    413: ("Te groot", "Het verzoek is te groot."),
    429: ("Te veel pogingen", "Wacht even en probeer het opnieuw."),
    500: ("Er ging iets mis", "Er ging iets mis aan onze kant. Er is niets opgeslagen; probeer het opnieuw."),
}


def render_error(code: int, message: str | None = None) -> tuple[str, int]:
    title, default = MESSAGES.get(code, MESSAGES[500])
    return render_template("error.html", code=code, title=title, message=message or default), code


def _api() -> bool:
    """Under /api/ every answer is JSON (web/api/errors.py)."""
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> Any:
        db.session.rollback()
        return render_error(
            400, "Het formulier is verlopen of ongeldig. Laad de pagina opnieuw en probeer het nog eens."
        )

    @app.errorhandler(RateLimitExceeded)
    def _too_many(_error: RateLimitExceeded) -> Any:
        """Dutch, with the wait time and Retry-After (the API answers with its own JSON)."""
        db.session.rollback()
        limit = limiter.current_limit
        seconds = 60
        if limit is not None:  # never longer than the window itself (reset_at is rounded up to a second)
            seconds = max(1, min(limit.limit.get_expiry(), math.ceil(limit.reset_at - time.time())))
        if _api():
            from web.api.errors import fout

            return fout(429, headers={"Retry-After": str(seconds)})
        page, code = render_error(429, f"Te veel pogingen vanaf dit adres. {vertraging.tekst(seconds)}")
        return page, code, {"Retry-After": str(seconds)}

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Any:
        db.session.rollback()
        if _api():
            from web.api.errors import van_http

            return van_http(error)
        code = error.code or 500
        custom = error.description != type(error).description  # werkzeug's defaults are English
        return render_error(code, error.description if custom else None)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        if _api():
            from web.api.errors import fout

            return fout(500)
        return render_error(500)
