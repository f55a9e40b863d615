"""S7: security headers on every response and safe cookies, walked over every GET route.

Also: no template carries inline script or style, which the Content-Security-Policy would block.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.http import parse_dict_header

from app import create_app
from models import db
from tests.conftest import ROOT
from tests.test_csrf_and_get import demo_data, logged_in, urls
from web.seed import DemoWorld

TEMPLATES = ROOT / "web" / "templates"
CSP_REQUIRED = ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'")
NOT_CACHED_EXCEPT = {"static": "our own CSS and JavaScript: public, no personal data"}
INLINE = {
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE),
    "<style> element": re.compile(r"<style\b", re.IGNORECASE),
    "style= attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "on*= event handler": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "hx-on handler": re.compile(r"\shx-on", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def check_headers(url: str, response, logged_in: bool, endpoint: str) -> list[str]:  # type: ignore[no-untyped-def]
    problems = []
    csp = response.headers.get("Content-Security-Policy", "")
    problems += [f"{url}: CSP lacks {d}" for d in CSP_REQUIRED if d not in csp]
    problems += [f"{url}: CSP allows {bad}" for bad in ("'unsafe-inline'", "'unsafe-eval'") if bad in csp]
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{url}: no nosniff")
    if response.headers.get("X-Frame-Options") != "DENY" or response.headers.get("Referrer-Policy") != "same-origin":
        problems.append(f"{url}: X-Frame-Options/Referrer-Policy missing")
    if logged_in and endpoint not in NOT_CACHED_EXCEPT and "no-store" not in response.headers.get("Cache-Control", ""):
        problems.append(f"{url}: logged-in response without Cache-Control: no-store")
    return problems


def cookies(response) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Cookies the response sets; a deletion (empty value, expired) carries nothing to protect."""
    for header in response.headers.getlist("Set-Cookie"):
        name, rest = header.split("=", 1)
        if rest.startswith(";") and ("Max-Age=0" in header or "01 Jan 1970" in header):
            continue
        yield name, header


def cookie_problems(header: str, secure: bool) -> list[str]:
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in header.split(";")[1:]}
    problems = [] if "httponly" in attributes else ["not HttpOnly"]
    problems += [] if attributes.get("samesite", "").lower() == "samesite=lax" else ["not SameSite=Lax"]
    problems += [] if ("secure" in attributes) is secure else [f"Secure should be {secure}"]
    return problems


# --- every GET route ----------------------------------------------------------------------
@pytest.mark.parametrize("username", [None, "aanvrager", "beheerder"])
def test_every_get_route_sends_the_security_headers(
    app: Flask, client: FlaskClient, world: DemoWorld, username: str | None
) -> None:
    demo_data(world)
    browser = logged_in(app, username) if username else client
    problems: list[str] = []

    for endpoint, url in urls(app, "GET"):
        response = browser.get(url)
        problems += check_headers(url, response, username is not None, endpoint)
        for name, header in cookies(response):
            problems += [f"{url}: cookie {name} {p}" for p in cookie_problems(header, secure=False)]
        assert "Strict-Transport-Security" not in response.headers, "no HSTS in tests (plain http)"

    assert problems == []


def test_login_flow_cookies_are_httponly_and_samesite(client: FlaskClient, world: DemoWorld, auth) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/login")
    set_cookies = dict(cookies(page))
    assert "session" in set_cookies, "the login page starts a session (CSRF token)"
    assert cookie_problems(set_cookies["session"], secure=False) == []
    response = auth.login("aanvrager")
    assert response.status_code == 200
    assert check_headers("/taken", client.get("/taken"), True, "taken.inbox") == []


# --- production and `make run` ------------------------------------------------------------
def _app(database_url: str, monkeypatch: pytest.MonkeyPatch, **env: str) -> Flask:
    for name in ("FLASK_DEBUG", "KANSRIJK_LOCAL_HTTP", "SESSION_COOKIE_SECURE", "HSTS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return create_app(
        {
            "SECRET_KEY": "production-like-test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "BPMN_PUBLISH_ON_START": False,
            "CELERY_BROKER_URL": "memory://",
        }
    )


def _close(other: Flask) -> None:
    with other.app_context():
        db.engine.dispose()


def test_production_cookies_are_secure_and_https_gets_hsts(
    app: Flask, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    production = _app(database_url, monkeypatch)
    assert not production.testing and not production.debug

    response = production.test_client().get("/login", base_url="https://kansrijk.example")

    session_cookie = dict(cookies(response))["session"]
    assert cookie_problems(session_cookie, secure=True) == []
    hsts = parse_dict_header(response.headers.get("Strict-Transport-Security", "").replace(";", ","))
    assert hsts.get("max-age") == "31536000" and "includeSubDomains" in hsts
    assert check_headers("/login", response, False, "auth.login") == []
    _close(production)


def test_behind_a_proxy_https_is_configured_by_url_scheme(
    app: Flask, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    production = _app(database_url, monkeypatch)
    production.config["PREFERRED_URL_SCHEME"] = "https"

    response = production.test_client().get("/login")  # TLS ended at the proxy: plain http here

    assert "Strict-Transport-Security" in response.headers
    _close(production)


def test_make_run_over_plain_http_keeps_a_usable_cookie(
    app: Flask, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = _app(database_url, monkeypatch, KANSRIJK_LOCAL_HTTP="1")

    response = local.test_client().get("/login")

    assert cookie_problems(dict(cookies(response))["session"], secure=False) == []
    assert "Strict-Transport-Security" not in response.headers
    assert "KANSRIJK_LOCAL_HTTP" in (ROOT / "scripts" / "run.sh").read_text("utf-8"), "make run serves http"
    _close(local)


# --- templates ----------------------------------------------------------------------------
def test_no_template_has_inline_script_or_style() -> None:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text("utf-8")
        for what, pattern in INLINE.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert found == []


def test_the_inline_check_catches_what_it_should() -> None:
    bad = ["<script>alert(1)</script>", '<a onclick="x()">', '<p style="color:red">', '<div hx-on:click="x">']
    good = ['<script src="/static/x.js" defer></script>', '<option value="on">', '<p class="stijl">']
    assert all(any(p.search(text) for p in INLINE.values()) for text in bad)
    assert not any(p.search(text) for p in INLINE.values() for text in good)
