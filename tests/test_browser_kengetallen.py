"""Kengetallen in headless Chromium: a filter applied, the charts drawn by Chart.js, a table's Excel
export equal to the table beneath its chart, and the page passing axe-core."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.browser import assert_accessible, live_server, login, page  # noqa: F401 - fixtures
from tests.test_kengetallen import data  # noqa: F401 - fixture: the known data set

pytestmark = pytest.mark.browser


def expect(locator):  # type: ignore[no-untyped-def]
    """Playwright's waiting assertions (they need no eval, which our CSP forbids)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def _cellen(page, figuur: str) -> list[list[str]]:  # type: ignore[no-untyped-def]  # noqa: F811
    tabel = page.locator(f"#tabel-{figuur} table")
    kop = tabel.locator("thead th").all_inner_texts()
    rijen = [rij.locator("td").all_inner_texts() for rij in tabel.locator("tbody tr").all()]
    return [[c.strip() for c in kop], *[[c.strip() for c in r] for r in rijen]]


def test_scp_filters_sees_the_charts_and_exports_a_table(page, data, tmp_path):  # type: ignore[no-untyped-def]  # noqa: F811
    login(page, "scp")
    page.click("nav >> text=Kengetallen")
    page.wait_for_selector("h1:has-text('Kengetallen')")
    page.fill("input[name=van]", "2025-01-01")
    page.fill("input[name=tot]", "2025-06-30")
    page.select_option("select[name=titel]", "KANS")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**/kengetallen?*titel=KANS*")

    # Chart.js loaded from our own server and drew every chart on its canvas.
    assert page.evaluate("typeof window.Chart") == "function"
    expect(page.locator("#canvas-maand[data-getekend=ja]")).to_have_count(1)
    getekend = page.evaluate("[...document.querySelectorAll('canvas[data-grafiek]')]"
                             ".every((c) => window.Chart.getChart(c) !== undefined)")  # fmt: skip
    assert getekend
    reeksen = page.evaluate("window.Chart.getChart(document.getElementById('canvas-maand')).data.datasets"
                            ".map((d) => [d.label, d.data])")  # fmt: skip
    assert ["Nieuw", [1, 1, 0, 0, 0, 0]] in reeksen  # KANS only: h1 in January, h2 in February

    tabel = _cellen(page, "maand")
    assert tabel[0] == ["Maand", "Nieuw", "Afgehandeld", "Open aan het eind van de maand"]
    assert tabel[1] == ["jan 2025", "1", "0", "1"] and tabel[3] == ["mrt 2025", "0", "1", "0"]

    with page.expect_download() as download:
        page.locator("#maand button:has-text('Exporteren naar Excel')").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    rijen = [[("" if c is None else str(c)) for c in rij] for rij in load_workbook(target).active.iter_rows(values_only=True)]
    assert rijen == tabel

    # Hiding a column changes the table at once, and the export follows it.
    page.locator("#maand summary:has-text('Kolommen kiezen')").click()
    page.locator("#tabel-maand-kolommen input[value=nieuw]").uncheck()
    expect(page.locator("#tabel-maand thead th")).to_have_count(3)
    with page.expect_download() as download:
        page.locator("#maand button:has-text('Exporteren naar Excel')").click()
    download.value.save_as(tmp_path / "na.xlsx")
    kop = next(load_workbook(tmp_path / "na.xlsx").active.iter_rows(values_only=True))
    assert list(kop) == ["Maand", "Afgehandeld", "Open aan het eind van de maand"]
    assert_accessible(page)


def test_school_staff_page_is_accessible(page, data):  # type: ignore[no-untyped-def]  # noqa: F811
    login(page, "aanvrager2")
    page.goto("/kengetallen?van=2025-01-01&tot=2025-06-30")
    expect(page.locator("#canvas-status[data-getekend=ja]")).to_have_count(1)
    assert "OBS De Regenboog" not in page.locator("#filters select[name=school]").inner_text()
    assert_accessible(page)
