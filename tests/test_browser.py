"""Browser journey in headless Chromium (Debian's package) driven by Playwright."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from models import User, db

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
HTMX = Path(__file__).resolve().parent.parent / "web" / "static" / "vendor" / "htmx.min.js"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--headless=new"]  # fmt: skip


def _require(condition: bool, reason: str) -> None:
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


@pytest.fixture
def page(live_server):  # type: ignore[no-untyped-def]
    _require(Path(CHROMIUM).exists(), "Chromium is not installed")
    _require(HTMX.exists(), "htmx is not installed in web/static/vendor")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(base_url=live_server)
        page.set_default_timeout(10_000)
        yield page
        browser.close()


def _login(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", "kansrijk-test-wachtwoord")
    page.click("main button.primary")
    page.wait_for_selector("h1:has-text('Inlogcode')")
    user = db.session.scalar(sa.select(User).filter_by(username=username))
    db.session.execute(sa.update(User).where(User.id == user.id).values(totp_last_step=None))
    db.session.commit()
    page.fill("#code", pyotp.TOTP(user.totp_secret).now())
    page.click("main button.primary")
    page.wait_for_selector("h1:has-text('Mijn taken')")


def _logout(page) -> None:  # type: ignore[no-untyped-def]
    page.click("text=Uitloggen")
    page.wait_for_selector("h1:has-text('Inloggen')")


def test_intake_journey_in_the_browser(page, tmp_path):  # type: ignore[no-untyped-def]
    _login(page, "aanvrager")
    page.click("text=Nieuwe hulpvraag")
    page.select_option("#school_id", label="OBS De Regenboog (00YY00)")
    page.fill("#roepnaam", "Fatima")
    page.fill("#achternaam", "El-Makrini")
    page.fill("#geboortedatum", "2015-09-02")
    page.check("input[name=geslacht][value=v]")
    page.select_option("#titel", "Ambulante Begeleiding")
    page.click("main button.primary")  # omschrijving missing: refused beside the field
    assert page.locator("#fout-omschrijving").inner_text() == "Dit veld is verplicht."
    page.fill("#omschrijving", "Vraag over gedrag in de groep.")
    page.click("main button.primary")
    page.wait_for_selector("text=Huidige status")
    assert "Voorlopige aanmelding" in page.locator(".sub .status").inner_text()
    nummer = page.locator("h1").inner_text().split()[1]

    page.click("ul.tasks a:has-text('Hulpvraag indienen')")
    page.check("input[name=ouders_geinformeerd][value=ja]")
    page.click("main button.primary")
    page.wait_for_selector(".sub .status:has-text('Aanmelding')")
    _logout(page)

    _login(page, "scp")
    page.click("table.list a:has-text('Aanmelding beoordelen')")
    page.check("input[name=besluit][value=dossier_compleet]")
    page.fill("#reden", "Alle stukken zijn aanwezig.")
    page.click("main button.primary")
    page.wait_for_selector(".sub .status:has-text('Dossier compleet')")
    assert "Alle stukken zijn aanwezig." in page.locator("table.list").inner_text()

    page.click("nav >> text=Hulpvragen")
    page.fill("#q", "makrini")  # search while typing: no button, no Enter
    page.wait_for_selector(f"#resultaten >> text={nummer}")
    page.fill("#q", "bestaat-niet")
    page.wait_for_selector("#resultaten >> text=Geen hulpvragen gevonden")
    page.screenshot(path=str(tmp_path / "hulpvragen.png"), full_page=True)
