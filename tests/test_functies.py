"""The list of functies (issue 14 item 2): the beheerder edits it, diagrams name it, and
``bpmn check`` and the publish gate refuse a diagram that names a functie the list lacks."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa

from models import AuditEntry, Functie, ProcessDefinition, User, db
from models.functie import STANDAARD_FUNCTIES
from tests.conftest import submit_form
from workflow import functies as use_cases
from workflow.engine.check import check_dir
from workflow.engine.publiceren import publiceer

BPMN = Path(__file__).resolve().parent.parent / "bpmn"


def _functie(naam: str) -> Functie | None:
    return db.session.scalar(sa.select(Functie).where(Functie.naam == naam))


def _audit(actie: str) -> list[AuditEntry]:
    query = sa.select(AuditEntry).where(AuditEntry.object_type == "functie", AuditEntry.actie == actie)
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


def test_the_beheerder_adds_renames_and_switches_off_a_functie(client, world, auth):
    auth.login("beheerder")
    page = client.get("/beheer/functies")
    assert page.status_code == 200
    for naam in STANDAARD_FUNCTIES:
        assert naam in page.text
    assert "financiën" in page.text and "Schoolbudget" in page.text  # where it is used

    added = submit_form(client, "/beheer/functies", {"naam": "  gedrags specialist ", "omschrijving": "Gedrag"})
    assert added.status_code == 302
    functie = _functie("gedrags specialist")
    assert functie is not None and functie.actief and functie.omschrijving == "Gedrag"
    assert [e.detail for e in _audit("aanmaken")] == ["gedrags specialist"]

    dubbel = submit_form(client, "/beheer/functies", {"naam": "Gedrags Specialist"})
    assert dubbel.status_code == 422 and "De functie ‘gedrags specialist’ bestaat al." in dubbel.text
    te_kort = submit_form(client, "/beheer/functies", {"naam": "x"})
    assert te_kort.status_code == 422 and "Geef de functie een naam van 2 tot 80 tekens." in te_kort.text
    formule = submit_form(client, "/beheer/functies", {"naam": "=functie"})
    assert formule.status_code == 422 and "begint niet met ‘=’" in formule.text
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Functie.id))) == len(STANDAARD_FUNCTIES) + 1
    assert len(_audit("aanmaken")) == 1

    # An account with it does its tasks; renamed, the account keeps it under the new name.
    olga = world.users["orthopedagoog"]
    olga.functies = [*olga.functies, functie]
    db.session.commit()
    url = f"/beheer/functies/{functie.id}"
    renamed = submit_form(client, url, {"naam": "gedragsspecialist", "omschrijving": "Gedrag en groep"})
    assert renamed.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, olga.id).functie_namen == {"orthopedagoog", "gedragsspecialist"}
    assert (
        _audit("wijzigen")[-1].detail == "gedragsspecialist: naam gedrags specialist → gedragsspecialist, omschrijving"
    )

    off = submit_form(client, "/beheer/functies", {"actief": "0"}, action=f"{url}/actief")
    assert off.status_code == 302
    db.session.expire_all()
    assert not _functie("gedragsspecialist").actief
    assert db.session.get(User, olga.id).functie_namen == {"orthopedagoog"}  # an inactive functie does nothing
    assert _audit("wijzigen")[-1].detail == "gedragsspecialist: uit"
    assert "Uitgezet" in client.get("/beheer/functies").text


def test_a_functie_a_live_diagram_names_keeps_its_name_and_stays_on(client, world, auth):
    auth.login("beheerder")
    financien = _functie("financiën")
    assert financien is not None
    url = f"/beheer/functies/{financien.id}"
    page = client.get(url)
    assert "Let op:" in page.text and "Schoolbudget" in page.text

    refused = submit_form(client, url, {"naam": "financiële administratie", "omschrijving": ""})
    assert refused.status_code == 422
    assert "‘financiën’ kan niet worden hernoemd: de gepubliceerde aanpak" in refused.text
    assert "voeg ‘financiële administratie’ toe als nieuwe functie" in refused.text
    off = submit_form(client, "/beheer/functies", {"actief": "0"}, action=f"{url}/actief")
    assert off.status_code == 422 and "‘financiën’ kan niet worden uitgezet" in off.text
    db.session.expire_all()
    assert _functie("financiën").actief and _functie("financiële administratie") is None
    assert _audit("wijzigen") == []

    described = submit_form(client, url, {"naam": "financiën", "omschrijving": "Controleert toekenningen."})
    assert described.status_code == 302
    db.session.expire_all()
    assert _functie("financiën").omschrijving == "Controleert toekenningen."


def test_only_beheerders_edit_the_list(client, world, auth):
    auth.login("procesbeheerder")
    page = client.get("/beheer/functies")
    assert page.status_code == 404 and "financiën" not in page.text  # the policy hides beheer pages


# --- bpmn check and the publish gate --------------------------------------------------------
def _kopie(tmp_path: Path) -> Path:
    kopie = tmp_path / "bpmn"
    shutil.copytree(BPMN, kopie)
    return kopie


def _regel(path: Path, tekst: str) -> int:
    return next(n for n, regel in enumerate(path.read_text("utf-8").splitlines(), 1) if tekst in regel)


def test_check_reports_a_functie_the_list_lacks(app, tmp_path):
    kopie = _kopie(tmp_path)
    diagram = kopie / "schoolbudget.bpmn"
    diagram.write_text(diagram.read_text("utf-8").replace('value="financiën"', 'value="financien"'), "utf-8")
    regel = _regel(diagram, 'value="financien"')
    lijst = use_cases.bekende_functies() - {"leescoördinator"}
    formulier = kopie / "hulpvraag-beoordelen.json"

    problemen = check_dir(kopie, lijst)
    assert problemen == [
        f"hulpvraag-beoordelen.json:{_regel(formulier, 'leescoördinator')}: beoordelen: "
        "functie ‘leescoördinator’ staat niet in de lijst van functies "
        "(voeg haar toe onder Beheer → Functies of kies een bestaande)",
        f"schoolbudget.bpmn:{regel}: financien: functie ‘financien’ staat niet in de lijst van functies "
        "(bedoelde u ‘financiën’?)",
    ]
    assert check_dir(kopie) == []  # without a list (bpmn test, no database) functies are not checked
    assert check_dir(BPMN, use_cases.bekende_functies()) == []


def test_flask_bpmn_check_uses_the_list_in_the_database(app, world, runner, tmp_path):
    kopie = _kopie(tmp_path)
    diagram = kopie / "schoolbudget.bpmn"
    diagram.write_text(diagram.read_text("utf-8").replace('value="financiën"', 'value="controller"'), "utf-8")
    result = runner.invoke(args=["bpmn", "check", str(kopie)])
    assert result.exit_code == 1
    assert "functie ‘controller’ staat niet in de lijst van functies" in result.output

    use_cases.voeg_toe("controller", "", world.users["beheerder"])
    db.session.commit()
    result = runner.invoke(args=["bpmn", "check", str(kopie)])
    assert result.exit_code == 0, result.output


def test_the_publish_gate_refuses_a_diagram_naming_an_unknown_functie(app, world, tmp_path):
    kopie = _kopie(tmp_path)
    diagram = kopie / "schoolbudget.bpmn"
    diagram.write_text(diagram.read_text("utf-8").replace('value="financiën"', 'value="controller"'), "utf-8")
    versies = db.session.scalar(sa.select(sa.func.count(ProcessDefinition.id)))

    resultaat = publiceer(kopie, user=world.users["procesbeheerder"], notitie="Controller", bron="cli")
    assert not resultaat.ok
    assert any("functie ‘controller’ staat niet in de lijst van functies" in r for r in resultaat.problemen)
    assert db.session.scalar(sa.select(sa.func.count(ProcessDefinition.id))) == versies

    # Once the beheerder has added it, the same files pass (the gate's cache knows the list changed).
    use_cases.voeg_toe("controller", "", world.users["beheerder"])
    db.session.commit()
    resultaat = publiceer(kopie, user=world.users["procesbeheerder"], notitie="Controller", bron="cli")
    assert resultaat.ok, resultaat.problemen
    assert [d.process_key for d in resultaat.gepubliceerd] == ["schoolbudget"]


# --- the demo (issue 14 item 6) -----------------------------------------------------------------
def test_the_demo_has_an_account_for_every_functie_and_lane_a_published_diagram_names(world):
    """Derived from the live versions (not from a list here): a diagram that starts naming a new
    functie or lane fails this test until web/seed.py has an account for it."""
    from models.user import Rol
    from workflow.access import LANE_ROLES
    from workflow.engine.check_functies import lanes_in

    live = use_cases.live_diagrammen()
    assert {d.process_key for d in live} >= {"hulpvraag", "schoolbudget", "tlv", "budget_inclusief"}
    accounts = [u for u in world.users.values() if u.actief]
    missing = []
    for definition in live:
        for functie in sorted(use_cases.functies_in(definition)):
            if not any(u.heeft_rol(Rol.FUNCTIONARIS) and functie in u.functie_namen for u in accounts):
                missing.append(f"{definition.process_key}: functie {functie}")
        for lane in sorted(lanes_in(definition.bpmn_xml)):
            rol = LANE_ROLES.get(lane)
            if rol is None or not any(u.heeft_rol(rol) for u in accounts):
                missing.append(f"{definition.process_key}: lane {lane}")
    assert missing == []
    namen = {n for d in live for n in use_cases.functies_in(d)}
    assert {"financiën", "leescoördinator", "regiomanager", "TLV-administratie", "jeugdarts"} <= namen
