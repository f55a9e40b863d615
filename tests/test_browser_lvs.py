"""Browser journey (issue 16): an opt-out aanvraag and an uncertain pupil from the LVS; the SCP sees the
marking, opens the possible duplicate, checks the preview and merges; the beheerder changes the
koppeling. Every page passes axe (WCAG 2.1 A/AA)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import Dossier, LvsAanvraag, db
from models.lvs import MogelijkDubbel
from tests import lvs_support
from tests.browser import assert_accessible, live_server, login, logout, page  # noqa: F401 - fixtures
from tests.lvs_support import aanvraag, bearer, koppeling
from tests.oso_dossiers import OPTIONELE_ONDERDELEN, Leerling, dossier

pytestmark = pytest.mark.browser


def test_opt_out_marking_uncertain_pupil_merged_and_koppeling_changed(app, world, page):  # noqa: F811
    app.config["OSO_XSD_PATH"] = str(lvs_support.XSD)
    koppeling(world, callback_url="https://lvs.example/status")
    client = app.test_client()
    opt_out = dossier(inzage=False, toestemming="Nee", zonder=OPTIONELE_ONDERDELEN[1:])
    assert client.post("/api/v1/aanvragen", json=aanvraag("A-1", oso=opt_out), headers=bearer()).status_code == 200
    onzeker = dossier(leerling=Leerling(roepnaam=None, voornamen=(), leerlingid=None), zonder=OPTIONELE_ONDERDELEN[1:])
    assert client.post("/api/v1/aanvragen", json=aanvraag("A-2", oso=onzeker), headers=bearer()).status_code == 200
    eerste = db.session.scalars(sa.select(LvsAanvraag).filter_by(lvs_referentie="A-1")).one().hulpvraag
    tweede = db.session.scalars(sa.select(LvsAanvraag).filter_by(lvs_referentie="A-2")).one().hulpvraag
    dubbel = db.session.scalars(sa.select(MogelijkDubbel)).one()
    blijft, weg, dubbel_id = eerste.dossier_id, tweede.dossier_id, dubbel.id

    login(page, "scp")
    page.goto(f"/hulpvragen/{eerste.id}")
    assert "De ouders gaven geen toestemming" in page.locator("main").inner_text()  # (the page itself is not new)
    page.goto(f"/hulpvragen/{eerste.id}/oso")
    assert "De ouders hebben het dossier niet ingezien." in page.locator("main").inner_text()
    assert_accessible(page)
    page.goto(f"/dossiers/{weg}")
    page.click("a:has-text('Bekijken en samenvoegen')")
    page.wait_for_selector("h1:has-text('Mogelijk dezelfde leerling')")
    assert f"Dossier {weg} wordt daarna verwijderd" in page.locator("main").inner_text()
    assert_accessible(page)
    page.click("main button.primary:has-text('Samenvoegen')")
    page.wait_for_selector("text=De dossiers zijn samengevoegd.")
    assert page.url.endswith(f"/dossiers/{blijft}")
    db.session.expire_all()
    assert db.session.get(Dossier, weg) is None and db.session.get(MogelijkDubbel, dubbel_id) is None
    logout(page)

    login(page, "beheerder")
    page.goto("/beheer/koppelingen")
    page.click("summary:has-text('Wijzigen')")
    assert_accessible(page)
    page.fill("input[name=callback_url][id^=callback-]", "https://lvs2.example/push")
    page.click("button:has-text('Callback-URL opslaan')")
    page.wait_for_selector("text=De callback-URL is opgeslagen.")
    assert "https://lvs2.example/push" in page.locator("main").inner_text()
