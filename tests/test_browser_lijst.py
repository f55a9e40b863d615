"""The hulpvragen list in headless Chromium: search while typing, two statuses, a hidden column, the export."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from models import db
from tests.browser import live_server, login, page  # noqa: F401 - fixtures
from tests.test_lijst import LEERLINGEN, _hulpvraag

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _zoekbare_hulpvragen(world) -> None:  # type: ignore[no-untyped-def]
    """Hulpvragen in several statuses for the SCP to search, filter and export."""
    for row in LEERLINGEN:
        _hulpvraag(world, *row)
    db.session.commit()


def expect(locator):  # type: ignore[no-untyped-def]
    """Playwright's waiting assertions (they need no eval, which our CSP forbids)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def _leerlingen(page) -> list[str]:  # type: ignore[no-untyped-def]  # noqa: F811
    return page.locator("#resultaten td[data-kolom=leerling]").all_inner_texts()


def test_scp_searches_filters_hides_a_column_and_exports(page, tmp_path):  # type: ignore[no-untyped-def]  # noqa: F811
    login(page, "scp")
    page.click("nav >> text=Hulpvragen")
    page.wait_for_selector("#resultaten td[data-kolom=leerling]")
    assert "Jan van Boven" not in _leerlingen(page)  # voorlopig: not for the SCP

    page.locator("#q").press_sequentially("makr", delay=60)  # typing only: no button, no Enter
    expect(page.locator("#resultaten tbody tr")).to_have_count(1)
    assert _leerlingen(page) == ["Fatima El-Makrini"]
    assert "makr" not in page.url  # the search text stays out of the address bar and history

    page.click("#wis-filters")
    expect(page.locator("#resultaten tbody tr")).to_have_count(4)
    page.check("input[name=status][value='Aanmelding']")
    page.check("input[name=status][value='Dossier compleet']")
    expect(page.locator("#resultaten tbody tr")).to_have_count(2)
    assert sorted(_leerlingen(page)) == ["Fatima El-Makrini", "Noor de Jong"]
    assert "status=Aanmelding" in page.url and "status=Dossier+compleet" in page.url

    page.click("#resultaten th a:has-text('Leerling')")  # sort by name
    page.wait_for_selector("#resultaten th[aria-sort=ascending] >> text=Leerling")
    assert _leerlingen(page) == ["Fatima El-Makrini", "Noor de Jong"]

    page.click("summary:has-text('Kolommen kiezen')")
    page.uncheck(".kolomkiezer input[value=coordinator]")
    expect(page.locator("#resultaten th a[data-sort=coordinator]")).to_have_count(0)
    assert page.locator("#resultaten td[data-kolom=coordinator]").count() == 0

    with page.expect_download() as download:
        page.click("button:has-text('Exporteren naar Excel')")
    assert download.value.suggested_filename.startswith("hulpvragen-")
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    rows = [list(r) for r in load_workbook(target, read_only=True).active.iter_rows(values_only=True)]
    assert rows[0] == ["Aanvraagnummer", "Leerling", "School", "Titel", "Status", "Gewijzigd"]
    assert [r[1] for r in rows[1:]] == ["Fatima El-Makrini", "Noor de Jong"]
    assert [r[4] for r in rows[1:]] == ["Aanmelding", "Dossier compleet"]

    page.reload()  # the choice of columns is remembered
    page.wait_for_selector("#resultaten td[data-kolom=leerling]")
    assert page.locator("#resultaten td[data-kolom=coordinator]").count() == 0
    page.screenshot(path=str(tmp_path / "lijst.png"), full_page=True)
