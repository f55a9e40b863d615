"""Browser journey for a schoolbudget: the directeur fills the form, the SCP sees the advies task
appear, the regiomanager decides within what is left of the budget (headless Chromium)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models import Bijlage, Budget, Dossier, Hulpvraag, HumanTask, db
from tests.browser import live_server, login, logout, page  # noqa: F401 - fixtures
from workflow.engine.runtime import complete_task
from workflow.hulpvragen import create_hulpvraag

pytestmark = pytest.mark.browser


def _gekoppelde_aanvraag(world) -> Hulpvraag:  # type: ignore[no-untyped-def]
    """A leerling hulpvraag with its OPP, past the intake, the form linked to the directeur."""
    school = world.scholen[0]
    dossier = Dossier(swv_id=world.swv.id, school_id=school.id, roepnaam="Fatima", achternaam="El-Makrini",
                      geboortedatum=date(2015, 9, 2))  # fmt: skip
    db.session.add(dossier)
    db.session.flush()
    hulpvraag = create_hulpvraag(dossier, world.users["aanvrager"], titel="Schoolbudget individueel/groep/wijk",
                                 omschrijving="Extra begeleiding in de klas.")  # fmt: skip
    db.session.add(Bijlage(hulpvraag_id=hulpvraag.id, naam="OPP Fatima.pdf", soort="OPP", content_type="application/pdf",
                           grootte=10, sha256="0" * 64, opslag_sleutel="browser-opp"))  # fmt: skip
    db.session.add(Budget(swv_id=world.swv.id, regeling="schoolbudget", soort="bestuur", bestuur_id=school.bestuur_id,
                          schooljaar="2026-2027", bedrag=Decimal("10000")))  # fmt: skip
    scp = world.users["scp"]
    _do(hulpvraag, "indienen", world.users["aanvrager"], {"ouders_geinformeerd": "ja"})
    _do(hulpvraag, "beoordelen", scp, {"besluit": "dossier_compleet", "reden": "Compleet."})
    _do(hulpvraag, "koppelen", scp, {"variant": "leerling", "directeur": str(world.users["directeur"].id)})
    db.session.commit()
    return hulpvraag


def _do(hulpvraag: Hulpvraag, bpmn_id: str, user, raw: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    task = db.session.scalars(
        sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, bpmn_id=bpmn_id, completed_at=None)
    ).one()
    complete_task(task.id, user, raw)


def test_schoolbudget_journey_in_the_browser(page, world, tmp_path):  # type: ignore[no-untyped-def]  # noqa: F811
    _gekoppelde_aanvraag(world)

    login(page, "directeur")
    page.click("table.list a:has-text('Aanvraag schoolbudget invullen')")
    page.fill("#bestuur", "Stichting BOOR")
    page.fill("#aangevraagd_bedrag", "12.500,00")
    page.fill("#schooljaar", "2026-2027")
    page.fill("#gebruik", "Van januari tot juli 2027.")
    page.fill("#berekening", "80 uur maal € 150, plus materiaal.")
    page.select_option("#informeer_scp", label="Sanne Jansen")
    page.click("main button.primary")
    page.wait_for_selector(".sub .status:has-text('Doorzetten SCP')")
    logout(page)

    login(page, "scp")
    page.click("table.list a:has-text('Advies geven')")  # the advies task appeared for the chosen SCP
    page.check("input[name=advies][value=positief]")
    page.fill("#advies_toelichting", "Past bij het OPP.")
    page.click("main button.primary")
    page.wait_for_selector(".sub .status:has-text('Doorzetten regiomanager')")
    logout(page)

    login(page, "regiomanager")
    page.click("table.list a:has-text('Besluiten over de aanvraag')")
    assert "resterend € 10.000,00" in page.locator(".instructie").inner_text()
    page.check("input[name=besluit][value=toekennen]")
    page.fill("#toegekend_bedrag", "12.500,00")
    page.fill("#motivering", "Conform advies.")
    page.click("main button.primary")
    melding = "Het toegekende bedrag is hoger dan het resterende budget (€ 10.000,00)."
    assert page.locator("#fout-toegekend_bedrag").inner_text() == melding
    page.fill("#toegekend_bedrag", "10.000,00")
    page.click("main button.primary")
    page.wait_for_selector(".sub .status:has-text('Doorzetten financiën')")
    page.screenshot(path=str(tmp_path / "schoolbudget.png"), full_page=True)
