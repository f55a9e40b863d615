"""The school pages in Chromium: every new page passes axe (WCAG 2.1 A/AA), and a beheerder
renames a school through its preview."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import Bestuur, School, db
from tests.browser import assert_accessible, live_server, login, page  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_every_school_page_passes_axe_and_a_rename_goes_through_its_preview(page, live_server, world):  # noqa: F811
    school = world.scholen[0]
    login(page, "beheerder")
    for pad in ("/beheer/scholen", "/beheer/scholen/nieuw", f"/beheer/scholen/{school.id}", "/beheer/besturen",
                "/beheer/wijken", "/beheer/scholen/import", f"/beheer/scholen/{school.id}/wijzigen/sluiten",
                f"/beheer/scholen/{school.id}/wijzigen/samenvoegen"):  # fmt: skip
        page.goto(live_server + pad)
        assert_accessible(page)
    page.goto(f"{live_server}/beheer/scholen/{school.id}/wijzigen/naam")
    page.fill("#naam", "OBS De Regenboog-Noord")
    page.click("text=Toon wat er verandert")
    page.wait_for_selector("#voorbeeld")
    assert "heet voortaan OBS De Regenboog-Noord" in page.inner_text("#voorbeeld")
    assert_accessible(page)
    page.click("text=Bevestigen")
    page.wait_for_selector("text=heet voortaan OBS De Regenboog-Noord")
    assert_accessible(page)
    db.session.expire_all()
    assert db.session.get(School, school.id).naam == "OBS De Regenboog-Noord"
    page.goto(f"{live_server}/beheer/scholen/nieuw")
    page.fill("#naam", "OBS De Linde")
    page.fill("#brin", "3EF")
    page.click("text=School toevoegen")
    page.wait_for_selector("text=2 cijfers en 2 hoofdletters")
    assert_accessible(page)  # the refused form with its Dutch messages
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Bestuur)) == 2
