"""Shared browser-test pieces: a live server, a headless Chromium page (Debian's package,
driven by Playwright) and logging in with the second factor. Test modules import the fixtures:

    from tests.browser import live_server, page  # noqa: F401 - fixtures
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from models import User, db

CHROMIUM = "/usr/bin/chromium"
HTMX = Path(__file__).resolve().parent.parent / "web" / "static" / "vendor" / "htmx.min.js"
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--headless=new"]  # fmt: skip


def require(condition: bool, reason: str) -> None:
    """Skip locally, fail in CI: there `make setup` installs what the browser tests need."""
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (make setup installs it)")
    pytest.skip(reason)


@pytest.fixture
def live_server(app, world) -> Iterator[str]:  # type: ignore[no-untyped-def]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def _chromium() -> Iterator[Callable[[], Any]]:
    """One headless Chromium per test process (per xdist worker), started by the first browser test;
    every test gets a fresh context of its own (no cookies, storage or pages of another test).
    A browser that crashed or was closed is started again for the next test."""
    state: dict[str, Any] = {}

    def browser() -> Any:
        if "browser" not in state or not state["browser"].is_connected():
            if "playwright" not in state:
                from playwright.sync_api import sync_playwright

                state["playwright"] = sync_playwright().start()
            state["browser"] = state["playwright"].chromium.launch(executable_path=CHROMIUM, args=ARGS)
        return state["browser"]

    yield browser
    if "browser" in state:
        with contextlib.suppress(Exception):
            state["browser"].close()
    if "playwright" in state:
        state["playwright"].stop()


@pytest.fixture
def page(live_server, _chromium):  # type: ignore[no-untyped-def]
    require(Path(CHROMIUM).exists(), "Chromium is not installed")
    require(HTMX.exists(), "htmx is not installed in web/static/vendor")
    context = _chromium().new_context(base_url=live_server, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def login(page, username: str) -> None:  # type: ignore[no-untyped-def]
    """Password, then the TOTP code of the user's enrolled secret."""
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", "kansrijk-test-wachtwoord")
    page.click("main button.primary")
    page.wait_for_selector("h1:has-text('Inlogcode')")
    user = db.session.scalar(sa.select(User).filter_by(username=username))
    # Tests log in many times a minute; a real user waits for the next code (replays are refused).
    db.session.execute(sa.update(User).where(User.id == user.id).values(totp_last_step=None))
    db.session.commit()
    page.fill("#code", pyotp.TOTP(user.totp_secret).now())
    page.click("main button.primary")
    page.wait_for_selector("h1:has-text('Mijn taken')")


def logout(page) -> None:  # type: ignore[no-untyped-def]
    page.click("text=Uitloggen")
    page.wait_for_selector("h1:has-text('Inloggen')")


def assert_accessible(page) -> None:  # type: ignore[no-untyped-def]
    """axe-core (WCAG 2.1 A and AA) finds no violation on the page as it is now."""
    require(AXE.exists(), "axe-core is not installed in node_modules (npm ci)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text("utf-8"))  # through the devtools protocol: the page's CSP allows no inline script
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} -> " + ", ".join(n["target"][0] for n in v["nodes"][:3])
        for v in result["violations"]
    ]
    assert violations == [], f"{page.url}: " + "; ".join(violations)
