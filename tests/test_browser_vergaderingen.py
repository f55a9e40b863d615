"""Vergaderingen in headless Chromium: an SCP plans a meeting, puts two hulpvragen on the agenda (In
beraad, the schools are mailed), records Gearrangeerd for both as chair, reads the verslag and
downloads the agenda as PDF; every page passes axe-core."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from models import Hulpvraag, OutgoingMail, db
from tests.browser import assert_accessible, live_server, login, page  # noqa: F401 - fixtures
from tests.test_vergaderingen import _aangemeld, pdf_tekst

pytestmark = pytest.mark.browser


def _status(hulpvraag_id: int) -> str:
    db.session.expire_all()
    hulpvraag = db.session.get(Hulpvraag, hulpvraag_id)
    assert hulpvraag is not None
    return hulpvraag.status


def test_a_meeting_takes_two_hulpvragen_through_in_beraad_to_gearrangeerd(page, world, tmp_path):  # type: ignore[no-untyped-def]  # noqa: F811
    eerste, tweede = _aangemeld(world, 0, "Anna"), _aangemeld(world, 1, "Bram")
    login(page, "scp")
    page.click("nav >> text=Vergaderingen")
    page.wait_for_selector("h1:has-text('Vergaderingen')")
    assert_accessible(page)

    page.click("text=Nieuwe vergadering")
    page.wait_for_selector("h1:has-text('Nieuwe vergadering')")
    assert_accessible(page)
    page.fill("#datum", "2026-12-10")
    page.select_option("#soort", "ondersteuningsteam")
    page.select_option("#voorzitter", label=world.users["scp"].naam)
    page.select_option("#leden", label=world.users["orthopedagoog"].naam)
    page.click("main button.primary")
    page.wait_for_selector("h1:has-text('Agenda')")
    assert_accessible(page)

    for hulpvraag, reden in ((eerste, "Arrangement lezen bespreken"), (tweede, "Gedrag in de klas")):
        page.fill("#aanvraagnummer", hulpvraag.aanvraagnummer)
        page.fill("#reden", reden)
        page.click("button:has-text('Op de agenda zetten')")
        page.wait_for_selector(f".flash:has-text('{hulpvraag.aanvraagnummer} staat op de agenda')")
        assert _status(hulpvraag.id) == "In beraad"
    assert_accessible(page)
    ingeplande = db.session.scalars(
        sa.select(OutgoingMail.subject).where(OutgoingMail.to == world.users["aanvrager"].email)
    )
    onderwerpen = list(ingeplande)
    for hulpvraag in (eerste, tweede):
        assert f"Hulpvraag {hulpvraag.aanvraagnummer}: In beraad" in onderwerpen

    with page.expect_download() as download:
        page.click("text=Agenda als PDF")
    assert (
        download.value.suggested_filename.startswith("vergadering-") and "Anna" not in download.value.suggested_filename
    )
    pad = tmp_path / "agenda.pdf"
    download.value.save_as(pad)
    data = Path(pad).read_bytes()
    assert data.startswith(b"%PDF-")
    assert eerste.aanvraagnummer in pdf_tekst(data) and tweede.aanvraagnummer in pdf_tekst(data)

    for hulpvraag, arrangement in ((eerste, "Leesbegeleiding 12 weken"), (tweede, "Gedragsspecialist in de klas")):
        punt = page.locator("article.agendapunt", has_text=hulpvraag.aanvraagnummer)
        punt.locator("select[name=uitkomst]").select_option("Gearrangeerd")
        punt.locator("textarea[name=arrangement]").fill(arrangement)
        punt.locator("button:has-text('Uitkomst vastleggen')").click()
        page.wait_for_selector(f".flash:has-text('{hulpvraag.aanvraagnummer} is vastgelegd')")
        assert _status(hulpvraag.id) == "Gearrangeerd"
    assert_accessible(page)

    page.click("main >> text=Verslag")
    page.wait_for_selector("h1:has-text('Verslag')")
    assert page.locator("article.agendapunt", has_text="Leesbegeleiding 12 weken").count() == 1
    assert page.locator("article.agendapunt", has_text="Gedragsspecialist in de klas").count() == 1
    assert_accessible(page)
    onderwerpen = list(db.session.scalars(sa.select(OutgoingMail.subject)))
    for hulpvraag in (eerste, tweede):
        assert f"Hulpvraag {hulpvraag.aanvraagnummer}: Gearrangeerd" in onderwerpen
