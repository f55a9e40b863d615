"""Security headers on every response and safe cookie defaults (verification S7).

The Content-Security-Policy allows scripts and styles only from our own origin, so no
template may carry inline ``<script>``, ``on*=`` handlers or ``style=`` attributes
(``tests/test_security_headers.py`` checks the templates).
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.wrappers import Response

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000; includeSubDomains"
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _local_mode(app: Flask) -> bool:
    """Debug, tests and `make run` on http://127.0.0.1 cannot send Secure cookies."""
    return bool(app.config["DEBUG"] or app.config["TESTING"] or app.config.get("LOCAL_HTTP"))


def _configure_cookies(app: Flask) -> None:
    """``None`` in config.py means automatic: Secure everywhere except in local mode."""
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = not _local_mode(app)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    # Flask-Login's remember-me cookie (unused today) gets the same protection.
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_SAMESITE"] = app.config["SESSION_COOKIE_SAMESITE"]


def _hsts_wanted(app: Flask) -> bool:
    setting = app.config.get("HSTS")
    if setting is not None:
        return bool(setting)
    https = request.is_secure or app.config.get("PREFERRED_URL_SCHEME") == "https"
    return https and not (app.config["DEBUG"] or app.config["TESTING"])


def _add_headers(app: Flask, response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if _hsts_wanted(app):
        response.headers["Strict-Transport-Security"] = HSTS
    # Pages can hold pupil data: no browser or proxy may keep a copy. Our own static
    # files (CSS, JS) hold none and may be cached.
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    _configure_cookies(app)
    app.after_request(lambda response: _add_headers(app, response))
