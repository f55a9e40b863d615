"""Formulieren (issue 15 items 2 and 4): a budget aanpak is a Formulier with its own page and a list
(search, filters, column chooser, Excel export) under the hulpvraag's access rules; the decision's
instruction shows the remaining budget as it is now, and the decision is checked against it."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from openpyxl import load_workbook

from models import Bestuur, Bijlage, Budget, Dossier, Formulier, Hulpvraag, HumanTask, Toekenning, User, db
from models.user import Rol
from tests.conftest import csrf_token, submit_form
from workflow.budget import BudgetInvoer, budget_opslaan
from workflow.engine.runtime import complete_task
from workflow.hulpvragen import create_hulpvraag

SCHOOLBUDGET = "Schoolbudget individueel/groep/wijk"


# --- cases (also used by the Chromium journey) --------------------------------------------
def _doe(hulpvraag: Hulpvraag, bpmn_id: str, user, raw: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    task = db.session.scalars(
        sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, bpmn_id=bpmn_id, completed_at=None)
    ).one()
    complete_task(task.id, user, raw)


def budget(world, school: int, bedrag: str, schooljaar: str = "2026-2027") -> Budget:  # type: ignore[no-untyped-def]
    eigenaar = world.scholen[school].bestuur_id
    invoer = BudgetInvoer("schoolbudget", "bestuur", str(eigenaar), schooljaar, bedrag)
    return budget_opslaan(invoer, world.swv.id)


def directeur_van(world, school: int) -> User:  # type: ignore[no-untyped-def]
    """The demo directeur for the first school; another school gets one of its own."""
    if school == 0:
        return world.users["directeur"]
    username = f"directeur{school}"
    if username not in world.users:
        user = User(swv_id=world.swv.id, username=username, email=f"{username}@demo.kansrijk.nl", naam="Dana Dijkstra")
        user.set_rollen({Rol.DIRECTEUR})
        user.scholen = [world.scholen[school]]
        db.session.add(user)
        db.session.flush()
        world.users[username] = user
    return world.users[username]


def gekoppeld(world, school: int = 0, niveau: str = "leerling", roepnaam: str = "Fatima") -> Hulpvraag:  # type: ignore[no-untyped-def]
    """A schoolbudget hulpvraag past the intake, the form linked and the directeur authorised."""
    dossier = Dossier(swv_id=world.swv.id, school_id=world.scholen[school].id, niveau=niveau,
                      roepnaam=roepnaam if niveau == "leerling" else None,
                      achternaam="El-Makrini" if niveau == "leerling" else None,
                      geboortedatum=date(2015, 9, 2) if niveau == "leerling" else None)  # fmt: skip
    db.session.add(dossier)
    db.session.flush()
    aanvrager = world.users["aanvrager2" if school == 2 else "aanvrager"]
    hulpvraag = create_hulpvraag(dossier, aanvrager, titel=SCHOOLBUDGET, omschrijving="Extra begeleiding.")
    soort = {"soort": "OPP"} if hasattr(Bijlage, "soort") else {}
    db.session.add(Bijlage(hulpvraag_id=hulpvraag.id, naam="OPP.pdf", content_type="application/pdf", grootte=10,
                           sha256="0" * 64, opslag_sleutel=f"opp-{hulpvraag.id}", **soort))  # fmt: skip
    scp = world.users["scp2" if school == 2 else "scp"]
    _doe(hulpvraag, "indienen", aanvrager, {"ouders_geinformeerd": "ja"})
    _doe(hulpvraag, "beoordelen", scp, {"besluit": "dossier_compleet", "reden": "Compleet."})
    variant = "leerling" if niveau == "leerling" else "school"
    _doe(hulpvraag, "koppelen", scp, {"variant": variant, "directeur": str(directeur_van(world, school).id)})
    db.session.commit()
    return hulpvraag


def ingevuld(world, hulpvraag: Hulpvraag, scp: str = "scp", schooljaar: str = "2026-2027", school: int = 0) -> None:  # type: ignore[no-untyped-def]
    _doe(hulpvraag, "invullen", directeur_van(world, school), {
        "bestuur": "Stichting BOOR", "aangevraagd_bedrag": "12.500,00", "schooljaar": schooljaar,
        "gebruik": "Van januari tot juli 2027.", "berekening": "80 uur maal € 150, plus materiaal.",
        "informeer_scp": str(world.users[scp].id)})  # fmt: skip
    db.session.commit()


def geadviseerd(world, hulpvraag: Hulpvraag, scp: str = "scp") -> None:  # type: ignore[no-untyped-def]
    _doe(hulpvraag, "advies", world.users[scp], {"advies": "positief", "advies_toelichting": "Past bij het OPP."})
    db.session.commit()


def _besluit_taak(hulpvraag: Hulpvraag) -> HumanTask:
    return db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, bpmn_id="besluiten")).one()


# --- the Formulier and its page ------------------------------------------------------------------
def test_a_budget_case_is_a_formulier_with_every_step_on_its_own_page(client, auth, world) -> None:  # type: ignore[no-untyped-def]
    budget(world, 0, "10.000,00")
    hulpvraag = gekoppeld(world)
    ingevuld(world, hulpvraag)
    geadviseerd(world, hulpvraag)
    formulier = db.session.scalars(sa.select(Formulier)).one()
    assert (formulier.soort, formulier.schooljaar, formulier.aangevraagd_bedrag) == (
        "Schoolbudget leerling", "2026-2027", Decimal("12500.00"))
    assert formulier.status == "Wacht op: Besluiten over de aanvraag"

    auth.login("regiomanager")
    task_page = client.get(f"/taken/{_besluit_taak(hulpvraag).id}").text
    assert f"/formulieren/{formulier.id}" in task_page  # linked from the task about it
    assert "Positief: toekennen" in task_page and "Past bij het OPP." in task_page  # the advice reaches the decision
    response = submit_form(client, f"/taken/{_besluit_taak(hulpvraag).id}",
                           {"besluit": "toekennen", "toegekend_bedrag": "8.000,00", "motivering": "Conform advies."})  # fmt: skip
    assert response.status_code == 302

    page = client.get(f"/formulieren/{formulier.id}").text
    for text in ("Stichting BOOR", "€ 12.500,00", "80 uur maal € 150, plus materiaal.", "Sanne Jansen",
                 "Positief: toekennen", "Past bij het OPP.", "Toekennen", "€ 8.000,00", "Conform advies.",
                 "Aanvraag schoolbudget leerling", "Dirk de Vries", "data-afdrukken"):  # fmt: skip
        assert text in page, text
    hulpvraag_page = client.get(f"/hulpvragen/{hulpvraag.id}").text
    assert f"/formulieren/{formulier.id}" in hulpvraag_page


# --- the list ------------------------------------------------------------------------------
def _twee_formulieren(world) -> tuple[Formulier, Formulier]:  # type: ignore[no-untyped-def]
    budget(world, 0, "10.000,00")
    eerste = gekoppeld(world, school=0, roepnaam="Fatima")
    ingevuld(world, eerste)
    tweede = gekoppeld(world, school=2, niveau="school")
    ingevuld(world, tweede, scp="scp2", schooljaar="2025-2026", school=2)
    rows = db.session.scalars(sa.select(Formulier).order_by(Formulier.id)).all()
    return rows[0], rows[1]


def _nummers(html: str, formulieren: tuple[Formulier, ...]) -> list[str]:
    return [f.hulpvraag.aanvraagnummer for f in formulieren if f"/formulieren/{f.id}\"" in html]


def test_the_list_filters_searches_while_typing_and_exports_what_it_shows(client, auth, world) -> None:  # type: ignore[no-untyped-def]
    eerste, tweede = _twee_formulieren(world)
    beide = (eerste, tweede)
    auth.login("beheerder")
    page = client.get("/formulieren")
    assert page.status_code == 200 and "Exporteren naar Excel" in page.text and "Kolommen kiezen" in page.text
    assert _nummers(page.text, beide) == [eerste.hulpvraag.aanvraagnummer, tweede.hulpvraag.aanvraagnummer]
    assert 'href="/formulieren"' in page.text  # in the main navigation

    pcbo = db.session.scalar(sa.select(Bestuur.id).where(Bestuur.naam.like("%PCBO%")))
    filters = {"soort=Schoolbudget+leerling": [eerste], "soort=Schoolbudget+school": [tweede],
               "schooljaar=2025-2026": [tweede], f"bestuur={pcbo}": [tweede],
               f"school={world.scholen[0].id}": [eerste], "status=Wacht+op%3A+Advies+geven": beide}  # fmt: skip
    for args, expected in filters.items():
        html = client.get(f"/formulieren?{args}").text
        assert _nummers(html, beide) == [f.hulpvraag.aanvraagnummer for f in expected], args
    bad = client.get("/formulieren?school=abc&soort=onzin")
    assert bad.status_code == 200 and "Onbekend school ‘abc’" in bad.text and "Onbekende soort ‘onzin’" in bad.text

    htmx = {"HX-Request": "true"}
    typed = client.get("/formulieren?q=fati", headers=htmx)  # while typing: the results alone
    assert _nummers(typed.text, beide) == [eerste.hulpvraag.aanvraagnummer] and "<nav" not in typed.text
    assert "fati" not in typed.headers["HX-Replace-Url"]
    assert _nummers(client.get("/formulieren?q=kompas", headers=htmx).text, beide) == [tweede.hulpvraag.aanvraagnummer]

    token = csrf_token(page.text)
    export = client.post("/formulieren/export.xlsx", data={"csrf_token": token, "q": "", "sort": "aanvraagnummer",
                                                           "richting": "asc", "schooljaar": "2026-2027"})  # fmt: skip
    rows = [list(r) for r in load_workbook(io.BytesIO(export.data), read_only=True).active.iter_rows(values_only=True)]
    assert rows[0] == ["Aanvraagnummer", "Soort", "School", "Bestuur", "Schooljaar", "Status", "Aangevraagd",
                       "Besluit", "Toegekend", "Gewijzigd"]  # fmt: skip
    assert [r[:3] for r in rows[1:]] == [[eerste.hulpvraag.aanvraagnummer, "Schoolbudget leerling", "OBS De Regenboog"]]
    assert rows[1][6] == 12500.0


def test_who_sees_a_formulier_follows_its_hulpvraag(client, auth, world) -> None:  # type: ignore[no-untyped-def]
    eerste, tweede = _twee_formulieren(world)
    beide = (eerste, tweede)
    for username, zichtbaar in (("aanvrager", [eerste]), ("aanvrager2", [tweede]), ("scp", [eerste]),
                                ("scp2", [tweede]), ("directeur", [eerste]), ("orthopedagoog", [])):  # fmt: skip
        auth.login(username)
        assert _nummers(client.get("/formulieren").text, beide) == [f.hulpvraag.aanvraagnummer for f in zichtbaar]
        for formulier in beide:
            expected = 200 if formulier in zichtbaar else 404
            assert client.get(f"/formulieren/{formulier.id}").status_code == expected, (username, formulier.id)
        export = client.get("/formulieren/export.xlsx")
        rows = list(load_workbook(io.BytesIO(export.data), read_only=True).active.iter_rows(values_only=True))
        assert len(rows) - 1 == len(zichtbaar), username
        auth.logout()
    auth.login("extern")  # no role that sees hulpvragen: the policy answers as for a page that is not there
    assert client.get("/formulieren").status_code == 404
    assert client.get(f"/formulieren/{eerste.id}").status_code == 404


# --- live figures --------------------------------------------------------------------------------
def test_the_decision_shows_the_budget_as_it_is_now_and_is_checked_against_it(client, auth, world) -> None:  # type: ignore[no-untyped-def]
    stand = budget(world, 0, "10.000,00")
    hulpvraag = gekoppeld(world)
    ingevuld(world, hulpvraag)
    geadviseerd(world, hulpvraag)
    task = _besluit_taak(hulpvraag)
    assert "resterend € 10.000,00" in task.instructie
    budget_opslaan(BudgetInvoer("schoolbudget", "bestuur", str(stand.bestuur_id), "2026-2027", "3.000,00"),
                   world.swv.id, stand)  # the beheerder lowers it after the task was made
    db.session.commit()

    auth.login("regiomanager")
    page = client.get(f"/taken/{task.id}").text
    assert "resterend € 3.000,00" in page and "resterend € 10.000,00" not in page
    response = submit_form(client, f"/taken/{task.id}",
                           {"besluit": "toekennen", "toegekend_bedrag": "5.000,00", "motivering": "Conform advies."})  # fmt: skip
    assert response.status_code == 422
    assert "Het toegekende bedrag is hoger dan het resterende budget (€ 3.000,00)." in response.text
    db.session.expire_all()
    assert _besluit_taak(hulpvraag).completed_at is None and db.session.scalar(sa.select(sa.func.count(Toekenning.id))) == 0


def test_an_instruction_that_cannot_be_rendered_now_falls_back_to_the_stored_text(client, auth, world) -> None:  # type: ignore[no-untyped-def]
    budget(world, 0, "10.000,00")
    hulpvraag = gekoppeld(world)
    ingevuld(world, hulpvraag)
    geadviseerd(world, hulpvraag)
    task = _besluit_taak(hulpvraag)
    task.task_id = "00000000-0000-0000-0000-000000000000"  # the engine no longer knows this task
    db.session.commit()

    auth.login("regiomanager")
    page = client.get(f"/taken/{task.id}")
    assert page.status_code == 200 and "resterend € 10.000,00" in page.text
