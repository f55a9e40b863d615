"""Issue 12 in Chromium: the SCP's stuck completion (409, input kept), then the procesbeheerder's
Mijn taken, incident list, incident page and read-only case page; axe-core checks each page."""

from __future__ import annotations

import pytest

from models import db
from tests.browser import assert_accessible, live_server, login, logout, page  # noqa: F401 - fixtures
from tests.test_incidenten import hulpvraag_bij_scp, open_taak, publiceer, typo
from workflow.engine.runtime import complete_task, start_process

pytestmark = pytest.mark.browser


def test_stuck_case_from_the_scps_409_page_to_the_procesbeheerders_incident(page, world, tmp_path):  # noqa: F811
    publiceer(tmp_path, "typo", typo())
    hulpvraag = hulpvraag_bij_scp(world)
    start_process(hulpvraag, "typo", world.users["scp"])
    complete_task(open_taak(hulpvraag, "eerste").id, world.users["scp"], {"besluit": "toegekend", "reden": "Stap een"})
    db.session.commit()
    task = open_taak(hulpvraag, "beoordelen")

    login(page, "scp")
    page.goto(f"/taken/{task.id}")
    page.check("input[name=besluit][value=toegekend]")
    page.fill("#reden", "Past goed bij de vraag")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("button:has-text('Afronden')")
    assert answer.value.status == 409
    page.wait_for_selector("text=Deze stap kon niet worden verwerkt.")
    assert page.input_value("#reden") == "Past goed bij de vraag" and page.is_checked("input[value=toegekend]")
    assert page.locator("text=Al afgehandeld").count() == 0
    assert_accessible(page)
    logout(page)

    login(page, "procesbeheerder")
    page.wait_for_selector("h2:has-text('Vastgelopen zaken')")
    assert_accessible(page)
    page.click("text=Alle incidenten")
    page.wait_for_selector("h1:has-text('Incidenten')")
    assert_accessible(page)
    page.click("td a:has-text('Incident')")
    page.wait_for_selector("h2:has-text('Herstellen')")
    assert page.locator("dd code", has_text="gw").count() == 1
    assert_accessible(page)
    page.click("text=zaak bekijken (alleen lezen)")
    page.wait_for_selector(f"h1:has-text('Hulpvraag {hulpvraag.aanvraagnummer}')")
    assert page.locator("text=Jantje").count() == 0
    assert_accessible(page)
