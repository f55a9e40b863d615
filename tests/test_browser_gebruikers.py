"""Issue 14's journey for accounts (headless Chromium): a schoolbudget case is stuck at the
Financiële controle because nobody has the functie financiën. The beheerder imports three
accounts (a wrong line first: nothing stored, the Dutch error shown), the new colleague
activates the account from the mail, enrols the second factor, gets the functie financiën from
the beheerder, and completes the stuck task. Every page passes axe (WCAG 2.1 AA)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pyotp
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from models import Bijlage, Budget, Dossier, Functie, Hulpvraag, HumanTask, OutgoingMail, User, db
from tests.browser import assert_accessible, live_server, login, logout, page  # noqa: F401 - fixtures
from workflow.engine.runtime import complete_task
from workflow.hulpvragen import create_hulpvraag

pytestmark = pytest.mark.browser
WACHTWOORD = "zeven zonnige zomerdagen"
CSV = ("naam;e-mail;gebruikersnaam;rollen;functies;scholen\n"
       "Hanna Haring;h.haring@swv.nl;hharing;functionaris;TLV-administratie;\n"
       "Wim Wever;w.wever@school.nl;wwever;aanvrager;;{school}\n"
       "Jet Jonker;j.jonker@school.nl;jjonker;directeur;;00YY00\n")  # fmt: skip


def _vastgelopen_budget(world) -> Hulpvraag:  # type: ignore[no-untyped-def]
    """A schoolbudget case at its Financiële controle, with nobody holding the functie financiën."""
    for user in db.session.scalars(sa.select(User).where(User.functies.any(Functie.naam == "financiën"))):
        user.functies = [f for f in user.functies if f.naam != "financiën"]
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
    scp, users = world.users["scp"], world.users
    stappen = [
        ("indienen", users["aanvrager"], {"ouders_geinformeerd": "ja"}),
        ("beoordelen", scp, {"besluit": "dossier_compleet", "reden": "Compleet."}),
        ("koppelen", scp, {"variant": "leerling", "directeur": str(users["directeur"].id)}),
        ("invullen", users["directeur"], {"bestuur": "Stichting BOOR", "aangevraagd_bedrag": "7.000,00",
                                          "schooljaar": "2026-2027", "gebruik": "Van januari tot juli 2027.",
                                          "berekening": "40 uur maal € 150.", "informeer_scp": str(scp.id)}),
        ("advies", scp, {"advies": "positief", "advies_toelichting": "Past bij het OPP."}),
        ("besluiten", users["regiomanager"], {"besluit": "toekennen", "toegekend_bedrag": "6.000,00",
                                              "motivering": "Conform advies."}),
    ]  # fmt: skip
    for bpmn_id, user, raw in stappen:
        task = db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, bpmn_id=bpmn_id,
                                                                 completed_at=None)).one()  # fmt: skip
        complete_task(task.id, user, raw)
    db.session.commit()
    assert hulpvraag.status == "Doorzetten financiën"
    return hulpvraag


def _upload(tab, inhoud: str) -> None:  # type: ignore[no-untyped-def]
    tab.goto("/beheer/gebruikers/import")
    tab.set_input_files("#bestand", files=[{"name": "accounts.csv", "mimeType": "text/csv",
                                             "buffer": inhoud.encode("utf-8")}])  # fmt: skip
    tab.click("main button.primary")
    tab.wait_for_selector("h1:has-text('Voorbeeld import')")


def _totp_login(tab, username: str, secret: str) -> None:  # type: ignore[no-untyped-def]
    tab.goto("/login")
    tab.fill("#username", username)
    tab.fill("#password", WACHTWOORD)
    tab.click("main button.primary")
    tab.wait_for_selector("h1:has-text('Inlogcode')")
    db.session.execute(sa.update(User).where(User.username == username).values(totp_last_step=None))
    db.session.commit()
    tab.fill("#code", pyotp.TOTP(secret).now())
    tab.click("main button.primary")
    tab.wait_for_selector("h1:has-text('Mijn taken')")


def test_import_activate_enrol_get_financien_and_finish_the_stuck_task(page, world):  # type: ignore[no-untyped-def]  # noqa: F811
    hulpvraag = _vastgelopen_budget(world)
    login(page, "beheerder")
    page.goto("/beheer/gebruikers")
    assert_accessible(page)

    # 1. The import: one wrong line stores nothing and says which line and why.
    page.goto("/beheer/gebruikers/import")
    assert_accessible(page)
    _upload(page, CSV.format(school="Basisschool Bestaat Niet"))
    fouten = page.locator("#importfouten").inner_text()
    assert "Er is niets opgeslagen" in fouten and "Regel 3: school ‘Basisschool Bestaat Niet’ bestaat niet" in fouten
    assert page.locator("text=Importeren: 3 accounts aanmaken").count() == 0
    assert_accessible(page)
    assert db.session.scalar(sa.select(User.id).filter_by(username="hharing")) is None
    _upload(page, CSV.format(school="IKC Het Kompas"))
    assert "Alle 3 regels zijn in orde" in page.locator("main").inner_text()
    assert_accessible(page)
    page.click("text=Importeren: 3 accounts aanmaken")
    page.wait_for_selector("text=3 accounts aangemaakt; elk kreeg een activatiemail.")
    page.fill("#q", "haring")  # search while typing
    expect(page.locator("#resultaten tbody tr")).to_have_count(1)
    assert "Nog niet geactiveerd" in page.locator("#resultaten tbody tr").inner_text()
    assert_accessible(page)
    logout(page)

    # 2. Hanna opens the link from her mail, chooses a password and enrols the second factor.
    mail = db.session.scalars(sa.select(OutgoingMail).filter_by(to="h.haring@swv.nl", soort="account_activeren")).one()
    link = re.search(r"http://kansrijk\.test(/activeren/\S+)", mail.body).group(1)
    page.goto(link)
    page.wait_for_selector("h1:has-text('Account activeren')")
    assert_accessible(page)
    page.fill("#nieuw", WACHTWOORD)
    page.fill("#herhaal", WACHTWOORD)
    page.click("main button.primary")
    page.wait_for_selector("text=Uw account is geactiveerd.")
    page.fill("#username", "hharing")
    page.fill("#password", WACHTWOORD)
    page.click("main button.primary")
    page.wait_for_selector("h1:has-text('Tweede factor instellen')")
    assert_accessible(page)
    secret = page.locator("main code").inner_text().strip()
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("main button.primary")
    page.wait_for_selector("h1:has-text('Uw herstelcodes')")
    page.click("text=Ik heb de codes bewaard")
    page.wait_for_selector("h1:has-text('Mijn taken')")
    assert "Financiële controle" not in page.locator("main").inner_text()  # not hers yet
    assert_accessible(page)
    page.goto(link)  # the link worked once
    page.wait_for_selector("h1:has-text('Deze activatielink werkt niet meer')")
    assert_accessible(page)
    logout(page)

    # 3. The beheerder gives her the functie financiën (audited).
    login(page, "beheerder")
    page.goto("/beheer/gebruikers")
    page.fill("#q", "hharing")
    expect(page.locator("#resultaten tbody tr")).to_have_count(1)
    page.click("#resultaten a:has-text('Hanna Haring')")
    page.wait_for_selector("h1:has-text('Hanna Haring')")
    assert_accessible(page)
    page.locator("label.choice:has-text('financiën') input[name=functie]").check()
    page.click("main button.primary")
    page.wait_for_selector("text=De wijzigingen aan Hanna Haring zijn opgeslagen.")
    assert "functies: TLV-administratie → TLV-administratie, financiën" in page.locator("main").inner_text()
    assert_accessible(page)
    logout(page)

    # 4. Hanna sees the stuck task in Mijn taken and completes it.
    _totp_login(page, "hharing", secret)
    page.click("table.list a:has-text('Financiële controle')")
    assert_accessible(page)
    page.check("input[name=financiele_controle][value=akkoord]")
    page.click("main button.primary")
    page.wait_for_selector(".sub .status:has-text('Afgerond')")
    db.session.expire_all()
    assert db.session.get(Hulpvraag, hulpvraag.id).status == "Afgerond"


def test_new_account_form_warns_before_taking_a_school_and_an_old_link_asks_for_a_new_one(page, world):  # type: ignore[no-untyped-def]  # noqa: F811
    login(page, "beheerder")
    page.goto("/beheer/gebruikers")
    page.click("text=Nieuw account")
    page.wait_for_selector("h1:has-text('Nieuw account')")
    assert_accessible(page)
    page.fill("#naam", "Sam Scp")
    page.fill("#email", "geen-adres")
    page.fill("#username", "sscp")
    page.locator("label.choice:has-text('Schoolcontactpersoon') input").check()
    page.select_option("#scp_school", label="OBS De Regenboog (00YY00): nu Sanne Jansen")
    page.click("main button.primary")
    page.wait_for_selector("text=Het e-mailadres ‘geen-adres’ is ongeldig.")
    assert_accessible(page)
    page.fill("#email", "sam@swv.nl")
    page.click("main button.primary")
    page.wait_for_selector("#overnames")
    assert "OBS De Regenboog (00YY00) wordt nu gecoördineerd door Sanne Jansen; daarna door Sam Scp." in \
        page.locator("#overnames").inner_text()
    assert_accessible(page)
    page.check("input[name=bevestig_overname]")
    page.click("main button.primary")
    page.wait_for_selector("text=Er is een activatiemail gestuurd naar sam@swv.nl.")
    assert_accessible(page)
    oud = db.session.scalars(sa.select(OutgoingMail).filter_by(to="sam@swv.nl", soort="account_activeren")).one()
    page.click("text=Activatielink opnieuw versturen")
    page.wait_for_selector("text=eerdere links werken niet meer")
    logout(page)
    page.goto(re.search(r"http://kansrijk\.test(/activeren/\S+)", oud.body).group(1))
    page.wait_for_selector("h1:has-text('Deze activatielink werkt niet meer')")
    page.click("text=Vraag de beheerder om een nieuwe link")
    page.wait_for_selector("h1:has-text('Nieuwe activatielink gevraagd')")
    assert_accessible(page)
    verzoek = db.session.scalars(sa.select(OutgoingMail).filter_by(soort="account_activatie_verzoek")).one()
    assert "Sam Scp (sscp)" in verzoek.body
