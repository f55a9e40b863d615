"""Browser journey (issue 4): a hulpvraag with a PDF bijlage, found by the SCP while typing, the PDF
opened inline in a new tab."""

from __future__ import annotations

import pytest

from tests.browser import live_server, login, page  # noqa: F401 - fixtures
from tests.test_dossiers import PDF

pytestmark = pytest.mark.browser


def test_pdf_bijlage_created_found_and_opened_inline(page, tmp_path):  # noqa: F811
    pdf = tmp_path / "OPPondertekening.pdf"
    pdf.write_bytes(PDF)
    login(page, "aanvrager")
    page.click("text=Nieuwe hulpvraag")
    page.locator("#q").press_sequentially("Bouzidi", delay=30)  # first the pupil search
    page.click("#leerlingen a:has-text('Nieuwe leerling')")
    page.select_option("#school_id", label="OBS De Regenboog (00YY00)")
    page.fill("#roepnaam", "Ayoub")
    page.fill("#achternaam", "Bouzidi")
    page.fill("#geboortedatum", "2016-05-04")
    page.check("input[name=geslacht][value=m]")
    page.select_option("#titel", "Psychodiagnostisch onderzoek")
    page.fill("#omschrijving", "Vraag over concentratie en werkhouding in de klas.")
    page.set_input_files("#bijlagen", str(pdf))
    page.select_option("#bijlagen_soort", "OPP")
    page.click("main button.primary:has-text('Hulpvraag aanmaken')")
    page.wait_for_selector("text=Huidige status")
    assert "OPPondertekening.pdf" in page.locator("main").inner_text()
    page.click("ul.tasks a:has-text('Hulpvraag indienen')")
    page.check("input[name=ouders_geinformeerd][value=ja]")
    page.click("main button.primary")
    page.wait_for_selector(".sub .status:has-text('Aanmelding')")
    page.click("text=Uitloggen")

    login(page, "scp")
    page.click("nav >> text=Hulpvragen")
    page.locator("#q").press_sequentially("bouz", delay=60)  # results update while typing
    page.wait_for_selector("#resultaten td:has-text('Ayoub Bouzidi')")
    page.click("#resultaten a:has-text('2026-')")
    page.wait_for_selector("text=Huidige status")
    with page.expect_popup() as popup:
        page.click("a:has-text('OPPondertekening.pdf')")
    tab = popup.value
    tab.wait_for_load_state()
    assert "/bijlagen/" in tab.url
    served = page.request.get(tab.url)
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"].startswith("inline")
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.body() == PDF
