"""Issue 15's Chromium journey: on a schoolbudget case the directeur fills the form; the SCP sees it on
the advice task and on the Formulier page; the regiomanager sees the form, the advice and the remaining
budget as the beheerder set it after the task was made; the Formulieren list finds the form and its
Excel export matches the screen. axe-core (WCAG 2.1 A and AA) runs on every page, and says so."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser import AXE, WCAG, assert_accessible, live_server, login, logout, page  # noqa: F401 - fixtures
from tests.test_formulieren import gekoppeld
from workflow.budget import euro

pytestmark = pytest.mark.browser


def _axe(pagina, naam: str) -> None:  # type: ignore[no-untyped-def]
    assert_accessible(pagina)
    print(f"axe-core WCAG 2.1 A/AA: {naam} ({pagina.url}): 0 violations")


def _axe_blok(pagina, selector: str, naam: str) -> None:  # type: ignore[no-untyped-def]
    """axe-core on one block of a page other features share (the hulpvraag page: its diagram and
    bijlagen blocks are checked by their own tests)."""
    if not pagina.evaluate("typeof window.axe !== 'undefined'"):
        pagina.evaluate(AXE.read_text("utf-8"))
    result = pagina.evaluate(
        "async ([sel, tags]) => await axe.run({include: [sel]}, {runOnly: {type: 'tag', values: tags}})",
        [selector, WCAG],
    )
    violations = [f"{v['id']}: {v['help']}" for v in result["violations"]]
    assert violations == [], f"{pagina.url} {selector}: " + "; ".join(violations)
    print(f"axe-core WCAG 2.1 A/AA: {naam} ({pagina.url} {selector}): 0 violations")


def _als_scherm(value: object) -> str:
    """An Excel cell as the list shows it."""
    if isinstance(value, float | int):
        return euro(Decimal(str(value)))
    if isinstance(value, datetime):
        return f"{value:%d-%m-%Y %H:%M}"
    return "" if value is None else str(value)


def test_schoolbudget_formulier_journey(page, world, tmp_path):  # type: ignore[no-untyped-def]  # noqa: F811
    hulpvraag = gekoppeld(world)  # no budget set yet

    login(page, "directeur")
    page.click("table.list a:has-text('Aanvraag schoolbudget invullen')")
    _axe(page, "taak Aanvraag schoolbudget invullen")
    page.fill("#bestuur", "Stichting BOOR")
    page.fill("#aangevraagd_bedrag", "12.500,00")
    page.fill("#schooljaar", "2026-2027")
    page.fill("#gebruik", "Van januari tot juli 2027.")
    page.fill("#berekening", "80 uur maal € 150, plus materiaal.")
    page.select_option("#informeer_scp", label="Sanne Jansen")
    page.click("main button.primary")
    page.wait_for_selector(".sub .status:has-text('Doorzetten SCP')")
    expect(page.locator("#ingevulde-gegevens")).to_contain_text("80 uur maal € 150, plus materiaal.")
    _axe_blok(page, "#ingevulde-gegevens", "hulpvraag, blok Ingevulde gegevens (directeur)")
    logout(page)

    login(page, "scp")
    page.click("table.list a:has-text('Advies geven')")
    eerder = page.locator(".eerdere-stappen")
    expect(eerder).to_contain_text("Aanvraag schoolbudget invullen")
    expect(eerder).to_contain_text("€ 12.500,00")
    expect(eerder).to_contain_text("Sanne Jansen")  # the chosen account by name, not its number
    _axe(page, "taak Advies geven")
    page.click(".formulier-link a")
    expect(page.locator("h1")).to_contain_text("Schoolbudget leerling")
    expect(page.locator("main")).to_contain_text("Hoe is het totaalbedrag berekend?")
    expect(page.locator("main")).to_contain_text("Dirk de Vries")
    _axe(page, "Formulier (SCP)")
    page.go_back()
    page.check("input[name=advies][value=positief]")
    page.fill("#advies_toelichting", "Past bij het OPP.")
    page.click("main button.primary")
    page.wait_for_selector(".sub .status:has-text('Doorzetten regiomanager')")
    logout(page)

    login(page, "beheerder")  # after the decision task was made, the beheerder sets the budget
    page.goto("/beheer/budgetten")
    page.select_option("#regeling", "schoolbudget")
    page.check("input[name=soort][value=bestuur]")
    page.select_option("#eigenaar_bestuur", label="Stichting BOOR (demo)")
    page.fill("#schooljaar", "2026-2027")
    page.fill("#bedrag", "3.000,00")
    page.click("main form[method=post] button.primary")
    expect(page.locator("main")).to_contain_text("€ 3.000,00")
    _axe(page, "beheer budgetten")
    logout(page)

    login(page, "regiomanager")
    page.click("table.list a:has-text('Besluiten over de aanvraag')")
    instructie = page.locator(".instructie")
    expect(instructie).to_contain_text("resterend € 3.000,00")
    expect(instructie).to_contain_text("Past bij het OPP.")
    eerder = page.locator(".eerdere-stappen")
    expect(eerder).to_contain_text("Positief: toekennen")
    expect(eerder).to_contain_text("Stichting BOOR")
    _axe(page, "taak Besluiten over de aanvraag")
    page.check("input[name=besluit][value=toekennen]")
    page.fill("#toegekend_bedrag", "12.500,00")
    page.fill("#motivering", "Conform advies.")
    page.click("main button.primary")
    expect(page.locator("#fout-toegekend_bedrag")).to_have_text(
        "Het toegekende bedrag is hoger dan het resterende budget (€ 3.000,00)."
    )
    _axe(page, "taak Besluiten, geweigerd bedrag")
    page.fill("#toegekend_bedrag", "3.000,00")
    page.click("main button.primary")
    page.wait_for_selector(".sub .status:has-text('Doorzetten financiën')")

    page.click("nav[aria-label=Hoofdmenu] a:has-text('Formulieren')")
    page.locator("#q").press_sequentially("fati", delay=60)  # typing only, no button
    expect(page.locator("#resultaten tbody tr")).to_have_count(1)
    expect(page.locator("#resultaten tbody")).to_contain_text(hulpvraag.aanvraagnummer)
    assert "fati" not in page.url
    _axe(page, "Formulieren")
    koppen = page.locator("#resultaten thead th").all_inner_texts()
    cellen = page.locator("#resultaten tbody tr").first.locator("td").all_inner_texts()
    with page.expect_download() as download:
        page.click("button:has-text('Exporteren naar Excel')")
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    rows = [list(r) for r in load_workbook(target, read_only=True).active.iter_rows(values_only=True)]
    assert [k.replace("▲", "").replace("▼", "").strip() for k in koppen] == rows[0]
    assert len(rows) == 2 and [_als_scherm(v) for v in rows[1]] == [c.strip() for c in cellen]
    assert "€ 3.000,00" in cellen and "Toekennen" in cellen

    page.click(f"#resultaten a:has-text('{hulpvraag.aanvraagnummer}')")
    expect(page.locator("main")).to_contain_text("Toegekend bedrag")
    expect(page.locator("main")).to_contain_text("€ 3.000,00")
    _axe(page, "Formulier (regiomanager)")
    page.screenshot(path=str(tmp_path / "formulier.png"), full_page=True)
