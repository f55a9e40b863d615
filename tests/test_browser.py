"""Browser journey in headless Chromium (Debian's package) driven by Playwright."""

from __future__ import annotations

import pytest

from tests.browser import live_server, login, logout, page  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_intake_journey_in_the_browser(page, tmp_path):  # type: ignore[no-untyped-def]  # noqa: F811
    login(page, "aanvrager")
    page.click("text=Nieuwe hulpvraag")
    page.locator("#q").press_sequentially("El-Makrini", delay=30)  # first the pupil search
    page.click("#leerlingen a:has-text('Nieuwe leerling')")
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
    logout(page)

    login(page, "scp")
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
