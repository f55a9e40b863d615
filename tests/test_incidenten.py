"""Issue 12, "stuck cases are incidents, not dead ends": a completion, a timer, a start or an LVS
submission the engine cannot take saves nothing, and becomes an incident the procesbeheerder is
mailed about, sees on Mijn taken, may inspect read-only, and repairs (retry, reset, skip, stop,
migrate and retry), each action audited and refused in Dutch when the engine cannot do it safely."""

from __future__ import annotations

import io
import shutil
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from models import AuditEntry, Dossier, Hulpvraag, HumanTask, Incident, OutgoingMail, ProcessInstance, db, utcnow
from tests.conftest import ROOT, csrf_token, submit_form
from workflow.bijlagen import voeg_toe
from workflow.engine.definitions import publish, read_diagram
from workflow.engine.run import EngineError
from workflow.engine.runtime import ProcessFailed, complete_task, set_status, start_process
from workflow.hulpvragen import create_hulpvraag

GEHEIM = ("Jantje", "Bovenkamp", "vast in de groep", "Verslag_Jantje.pdf")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORM = '''<bpmn:extensionElements><spiffworkflow:properties>
  <spiffworkflow:property name="formJsonSchemaFilename" value="aanpak-toekennen.json" />
  <spiffworkflow:property name="formUiSchemaFilename" value="aanpak-toekennen.ui.json" />
</spiffworkflow:properties></bpmn:extensionElements>'''


def diagram(pid: str, naam: str, body: str, nodes: list[str]) -> str:
    refs = "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in nodes)
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d_{pid}" targetNamespace="t">
  <bpmn:process id="{pid}" name="{naam}" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="SCP">{refs}</bpmn:lane></bpmn:laneSet>
    {body}
  </bpmn:process>
</bpmn:definitions>'''


def typo(woord: str = "toegekent") -> str:
    """Two SCP tasks, then a gateway whose condition has a typo (the form sends "toegekend")."""
    return diagram("typo", "Incidenttest", f'''
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="eerste" name="Eerste stap">{FORM}<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="beoordelen" name="Beoordelen">{FORM}<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="gw" name="Besluit?"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>fa</bpmn:outgoing><bpmn:outgoing>fb</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:scriptTask id="status_toegekend" name="Status: Toegekend"><bpmn:incoming>fa</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:script>zet_status("Toegekend", reden)</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="afronden" name="Afronden"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="e2"><bpmn:incoming>fb</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="eerste"/>
    <bpmn:sequenceFlow id="f2" sourceRef="eerste" targetRef="beoordelen"/>
    <bpmn:sequenceFlow id="f3" sourceRef="beoordelen" targetRef="gw"/>
    <bpmn:sequenceFlow id="fa" sourceRef="gw" targetRef="status_toegekend"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">besluit == "{woord}"</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="fb" sourceRef="gw" targetRef="e2"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">besluit == "afgewezen"</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="status_toegekend" targetRef="afronden"/>
    <bpmn:sequenceFlow id="f5" sourceRef="afronden" targetRef="e"/>''',
        ["s", "eerste", "beoordelen", "gw", "status_toegekend", "afronden", "e", "e2"])  # fmt: skip


def kapot_script(pid: str, voor: str, script: str = 'zet_status("Afgerond", bestaat_niet)') -> str:
    """``voor`` (a user task or a timer), then a broken script, then a user task 'daarna'."""
    eerste = {
        "taak": f'<bpmn:userTask id="taak" name="Taak">{FORM}<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>',
        "timer": '''<bpmn:intermediateCatchEvent id="taak" name="Wachten"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
          <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT0.3S"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>''',
        "start": '<bpmn:manualTask id="taak" name="Niets"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:manualTask>',
    }[voor]
    if voor == "start":  # the script runs right after the start: no task in between
        eerste = '<bpmn:exclusiveGateway id="taak"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:exclusiveGateway>'
    return diagram(pid, f"Test {pid}", f'''
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    {eerste}
    <bpmn:scriptTask id="kapot" name="Kapot script"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="daarna" name="Daarna"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="taak"/>
    <bpmn:sequenceFlow id="f2" sourceRef="taak" targetRef="kapot"/>
    <bpmn:sequenceFlow id="f3" sourceRef="kapot" targetRef="daarna"/>
    <bpmn:sequenceFlow id="f4" sourceRef="daarna" targetRef="e"/>''', ["s", "taak", "kapot", "daarna", "e"])  # fmt: skip


def publiceer(tmp_path: Path, key: str, xml: str):  # type: ignore[no-untyped-def]
    for name in ("aanpak-toekennen.json", "aanpak-toekennen.ui.json"):
        shutil.copy(ROOT / "bpmn" / name, tmp_path / name)
    path = tmp_path / f"{key}.bpmn"
    path.write_text(xml, "utf-8")
    definition, _new = publish(read_diagram(path))
    db.session.commit()
    return definition


def hulpvraag_bij_scp(world) -> Hulpvraag:  # type: ignore[no-untyped-def]
    """A submitted hulpvraag (the SCP sees it) about a pupil with a distinctive name, with a bijlage."""
    dossier = Dossier(swv_id=world.swv.id, school_id=world.scholen[0].id, roepnaam="Jantje", achternaam="Bovenkamp")
    db.session.add(dossier)
    db.session.flush()
    hulpvraag = create_hulpvraag(dossier, world.users["aanvrager"], titel="KANS", omschrijving="Loopt vast in de groep.")
    set_status(hulpvraag, "Aanmelding", "Ingediend", world.users["aanvrager"])
    voeg_toe(hulpvraag, io.BytesIO(PDF), "Verslag_Jantje.pdf", world.users["aanvrager"])
    db.session.commit()
    return hulpvraag


def open_taak(hulpvraag: Hulpvraag, bpmn_id: str) -> HumanTask:
    query = sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, bpmn_id=bpmn_id, completed_at=None)
    return db.session.scalars(query).one()


@pytest.fixture
def vastgelopen(app, world, client, auth, tmp_path):  # type: ignore[no-untyped-def]
    """The typo diagram on a case at 'beoordelen' (after 'eerste'), and the SCP's completion that gets stuck."""
    publiceer(tmp_path, "typo", typo())
    hulpvraag = hulpvraag_bij_scp(world)
    start_process(hulpvraag, "typo", world.users["scp"])
    complete_task(open_taak(hulpvraag, "eerste").id, world.users["scp"], {"besluit": "toegekend", "reden": "Stap een"})
    db.session.commit()
    task = open_taak(hulpvraag, "beoordelen")
    auth.login("scp")
    response = submit_form(client, f"/taken/{task.id}", {"besluit": "toegekend", "reden": "Past goed bij de vraag"})
    return hulpvraag, task, response


def _incident() -> Incident:
    db.session.expire_all()
    return db.session.scalars(sa.select(Incident)).one()


def _mails() -> list[OutgoingMail]:
    return list(db.session.scalars(sa.select(OutgoingMail).filter_by(soort="incident")))


def _audit(tekst: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.detail.contains(tekst))))


def _as_procesbeheerder(client, auth):  # type: ignore[no-untyped-def]
    auth.logout()
    auth.login("procesbeheerder")


def _actie(client, incident: Incident, actie: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    page = f"/processen/incidenten/{incident.id}"
    return submit_form(client, page, data or {}, action=f"{page}/{actie}", follow_redirects=True)


# --- the user's side ---------------------------------------------------------------------------------
def test_a_stuck_completion_gives_the_task_page_back_with_the_input_and_records_an_incident(vastgelopen, world):
    hulpvraag, task, response = vastgelopen
    assert response.status_code == 409
    text = response.text
    assert ("Deze stap kon niet worden verwerkt. Het probleem is gemeld bij de procesbeheerder; uw invoer is niet "
            "verloren gegaan — u kunt het later opnieuw proberen.") in text  # fmt: skip
    assert "<code>gw</code>" in text and "Geen van de uitgaande paden van ‘gw’" in text
    assert "Al afgehandeld" not in text
    assert 'value="toegekend" checked' in text and ">Past goed bij de vraag</textarea>" in text  # the input, kept
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).completed_at is None  # nothing of the step was saved
    assert db.session.get(Hulpvraag, hulpvraag.id).status == "Aanmelding"

    incident = _incident()
    assert (incident.soort, incident.status, incident.bpmn_id) == ("taak", "open", "gw")
    assert incident.user_id == world.users["scp"].id and incident.human_task_id == task.id
    assert incident.definition.label == "Incidenttest v1" and incident.hulpvraag_id == hulpvraag.id
    assert incident.invoer == {"besluit": "toegekend", "reden": "Past goed bij de vraag"}
    assert _audit(f"incident {incident.id}: vastgelopen bij ‘gw’")

    mails = _mails()
    assert [m.to for m in mails] == [world.users["procesbeheerder"].email]
    body = mails[0].body + (mails[0].html or "")
    assert "Incidenttest v1" in mails[0].subject and "gw" in body and "Geen van de uitgaande paden" in body
    assert f"http://kansrijk.test/processen/incidenten/{incident.id}" in body
    assert not any(geheim in body + mails[0].subject for geheim in GEHEIM + ("Past goed",))


def test_retrying_the_same_failure_counts_up_instead_of_a_second_incident(vastgelopen, client):
    _hulpvraag, task, _response = vastgelopen
    for _ in range(3):
        again = submit_form(client, f"/taken/{task.id}", {"besluit": "toegekend", "reden": "Nog een keer"})
        assert again.status_code == 409
    incident = _incident()  # .one(): still a single incident
    assert incident.aantal == 4 and incident.invoer["reden"] == "Nog een keer"
    assert len(_mails()) == 1  # one mail, not four


def test_the_mail_leaves_out_the_pupils_name_even_when_the_message_has_it(app, world, tmp_path):
    from workflow import incidenten

    publiceer(tmp_path, "typo", typo())
    hulpvraag = hulpvraag_bij_scp(world)
    start_process(hulpvraag, "typo", world.users["scp"])
    db.session.commit()
    fout = ProcessFailed(EngineError("De voorwaarde bij ‘gw’ zag naam = 'Jantje Bovenkamp'.", "gw"))
    incident = incidenten.bij_taak(open_taak(hulpvraag, "eerste").id, world.users["scp"], {}, fout)
    assert incident is not None and "Jantje" in incident.melding  # the procesbeheerder's page needs it
    body = _mails()[0].body + (_mails()[0].html or "")
    assert "[leerling]" in body and "Jantje" not in body and "Bovenkamp" not in body


# --- the procesbeheerder's side --------------------------------------------------------------------
def test_the_procesbeheerder_sees_the_incident_and_the_case_read_only(vastgelopen, client, auth, world):
    hulpvraag, _task, _response = vastgelopen
    incident = _incident()
    _as_procesbeheerder(client, auth)
    inbox = client.get("/taken").text
    assert "Vastgelopen zaken" in inbox and f'href="/processen/incidenten/{incident.id}"' in inbox

    lijst = client.get("/processen/incidenten?status=open")
    assert lijst.status_code == 200 and f"Incident {incident.id}" in lijst.text
    assert f"Incident {incident.id}" not in client.get("/processen/incidenten?status=opgelost").text

    page = client.get(f"/processen/incidenten/{incident.id}")
    assert page.status_code == 200
    assert "Incidenttest v1" in page.text and "<code>gw</code>" in page.text and "Geen van de uitgaande paden" in page.text
    assert "Beoordelen" in page.text and "Eerste stap" in page.text  # the task it was on; a task to go back to
    assert "splitsing (gateway)" in page.text  # why skipping is not offered here

    zaak = client.get(f"/processen/incidenten/{incident.id}/zaak")
    assert zaak.status_code == 200
    assert hulpvraag.aanvraagnummer in zaak.text and "Statusgeschiedenis" in zaak.text and "Aanmelding" in zaak.text
    assert "Beoordelen" in zaak.text and "Eerste stap" in zaak.text  # the aanpak with its current task
    assert not any(geheim in zaak.text for geheim in GEHEIM)  # no pupil, no omschrijving, no bijlagen
    reads = db.session.scalars(sa.select(AuditEntry).filter_by(actie="bekijken", object_type="hulpvraag",
                                                               object_id=hulpvraag.id)).all()  # fmt: skip
    assert any("incidentinzage" in r.detail for r in reads) and all(r.dossier_id == hulpvraag.dossier_id for r in reads)

    # The grant is the case page only: the hulpvraag, its dossier and its bijlagen stay closed.
    assert client.get(f"/hulpvragen/{hulpvraag.id}").status_code == 404
    assert client.get(f"/dossiers/{hulpvraag.dossier_id}").status_code == 404
    bijlage_id = db.session.scalar(sa.text("SELECT id FROM bijlage WHERE hulpvraag_id = :h"), {"h": hulpvraag.id})
    assert client.get(f"/bijlagen/{bijlage_id}").status_code == 404


def test_others_get_404_and_access_ends_a_week_after_closing(vastgelopen, client, auth):
    _hulpvraag, _task, _response = vastgelopen
    incident = _incident()
    for wie in ("scp", "beheerder", "aanvrager"):  # not a procesbeheerder: the pages do not exist for them
        auth.logout()
        auth.login(wie)
        assert client.get(f"/processen/incidenten/{incident.id}").status_code == 404
        assert client.get(f"/processen/incidenten/{incident.id}/zaak").status_code == 404
    _as_procesbeheerder(client, auth)
    incident.sluit(None, "gestopt", "test")
    incident.opgelost_op = utcnow() - timedelta(days=6)
    db.session.commit()
    assert client.get(f"/processen/incidenten/{incident.id}/zaak").status_code == 200  # recently closed
    incident.opgelost_op = utcnow() - timedelta(days=8)
    db.session.commit()
    assert client.get(f"/processen/incidenten/{incident.id}/zaak").status_code == 404
    assert client.get(f"/processen/incidenten/{incident.id}").status_code == 200  # the incident itself stays


# --- the actions ----------------------------------------------------------------------------------------
def test_retry_on_the_same_version_fails_again_and_keeps_the_incident_open(vastgelopen, client, auth):
    _as_procesbeheerder(client, auth)
    incident = _incident()
    page = _actie(client, incident, "opnieuw")
    assert "De stap lukte niet: de zaak loopt opnieuw vast bij ‘gw’" in page.text and "het incident blijft open" in page.text
    incident = _incident()
    assert incident.is_open and incident.aantal == 2 and incident.invoer
    assert _audit(f"incident {incident.id}: herstel mislukt")


def test_migrate_to_a_fixed_version_and_retry_completes_the_task_as_the_scp(vastgelopen, client, auth, world, tmp_path):
    hulpvraag, task, _response = vastgelopen
    fixed = publiceer(tmp_path, "typo", typo("toegekend"))
    assert fixed.versie == "v2"
    _as_procesbeheerder(client, auth)
    incident = _incident()
    assert "Incidenttest v2" in client.get(f"/processen/incidenten/{incident.id}").text  # offered
    page = _actie(client, incident, "migreren", {"versie": str(fixed.id)})
    assert "Opnieuw proberen is gelukt." in page.text, page.text
    incident = _incident()
    assert (incident.status, incident.oplossing, incident.invoer) == ("opgelost", "gemigreerd", None)
    assert incident.opgelost_door_id == world.users["procesbeheerder"].id
    done = db.session.get(HumanTask, task.id)
    assert done.completed_by_id == world.users["scp"].id  # the SCP's input, on the SCP's behalf
    assert db.session.get(Hulpvraag, hulpvraag.id).status == "Toegekend"  # as the (fixed) diagram says
    assert db.session.get(ProcessInstance, task.instance_id).definition_id == fixed.id
    assert open_taak(hulpvraag, "afronden")
    assert _audit(f"incident {incident.id}: opgelost") and _audit("opnieuw geprobeerd (incident")


def test_the_users_own_retry_after_a_migration_closes_the_incident(vastgelopen, client, tmp_path):
    from workflow.engine.migratie import migreer_zaak

    hulpvraag, task, _response = vastgelopen
    fixed = publiceer(tmp_path, "typo", typo("toegekend"))
    migreer_zaak(db.session.get(ProcessInstance, task.instance_id), fixed, None)
    db.session.commit()
    done = submit_form(client, f"/taken/{task.id}", {"besluit": "toegekend", "reden": "Past goed bij de vraag"})
    assert done.status_code == 302
    incident = _incident()
    assert (incident.status, incident.oplossing, incident.invoer) == ("opgelost", "gelukt", None)


def test_back_to_an_earlier_task(vastgelopen, client, auth, world):
    hulpvraag, task, _response = vastgelopen
    eerste = db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, bpmn_id="eerste")).one()
    _as_procesbeheerder(client, auth)
    incident = _incident()
    page = _actie(client, incident, "terug", {"taak": str(eerste.id), "notitie": "SCP vult opnieuw in"})
    assert "De zaak staat weer bij ‘Eerste stap’." in page.text
    db.session.expire_all()
    assert db.session.get(HumanTask, eerste.id).is_open  # the engine keeps the task: its row is open again
    assert not db.session.get(HumanTask, task.id).is_open  # what came after it is gone
    assert [t.bpmn_id for t in db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id,
            completed_at=None)) if t.instance_id == task.instance_id] == ["eerste"]  # fmt: skip
    incident = _incident()
    assert (incident.oplossing, incident.notitie) == ("teruggezet", "SCP vult opnieuw in")
    assert _audit(f"incident {incident.id}: opgelost: teruggezet naar ‘Eerste stap’")
    # the case goes on from there: the SCP completes the task again
    assert complete_task(eerste.id, world.users["scp"], {"besluit": "toegekend", "reden": "Opnieuw"}).completed_at


def test_a_gateway_cannot_be_skipped(vastgelopen, client, auth):
    _hulpvraag, task, _response = vastgelopen
    _as_procesbeheerder(client, auth)
    incident = _incident()
    page = _actie(client, incident, "overslaan")
    assert "‘gw’ is een splitsing (gateway): die kan niet worden overgeslagen" in page.text
    assert _incident().is_open and db.session.get(HumanTask, task.id).is_open


def test_stopping_needs_a_reason_and_leaves_the_status_alone(vastgelopen, client, auth):
    hulpvraag, task, _response = vastgelopen
    _as_procesbeheerder(client, auth)
    incident = _incident()
    page = _actie(client, incident, "stoppen", {"reden": ""})
    assert "Geef een reden op" in page.text and _incident().is_open
    page = _actie(client, incident, "stoppen", {"reden": "Aanpak past niet, SCP start een andere"})
    assert "De aanpak Incidenttest v1 is gestopt." in page.text
    db.session.expire_all()
    instance = db.session.get(ProcessInstance, task.instance_id)
    assert instance.completed and instance.next_timer_at is None
    open_rows = db.session.scalars(sa.select(HumanTask).filter_by(instance_id=instance.id, completed_at=None)).all()
    assert open_rows == []
    assert db.session.get(Hulpvraag, hulpvraag.id).status == "Aanmelding"  # not invented
    incident = _incident()
    assert (incident.oplossing, incident.notitie, incident.invoer) == ("gestopt", "Aanpak past niet, SCP start een andere", None)
    assert _audit("gestopt: Aanpak past niet")


def test_skipping_a_broken_script_runs_the_engine_on(app, world, client, auth, tmp_path):
    publiceer(tmp_path, "scriptkapot", kapot_script("scriptkapot", "taak"))
    hulpvraag = hulpvraag_bij_scp(world)
    start_process(hulpvraag, "scriptkapot", world.users["scp"])
    db.session.commit()
    task = open_taak(hulpvraag, "taak")
    auth.login("scp")
    assert submit_form(client, f"/taken/{task.id}", {"besluit": "afgewezen", "reden": "Geen plek"}).status_code == 409
    _as_procesbeheerder(client, auth)
    incident = _incident()
    assert incident.bpmn_id == "kapot"
    page = _actie(client, incident, "overslaan", {"notitie": "script wordt gerepareerd"})
    assert "‘kapot’ is overgeslagen; de zaak loopt verder." in page.text
    assert db.session.get(HumanTask, task.id).completed_by_id == world.users["scp"].id
    assert open_taak(hulpvraag, "daarna")
    assert db.session.get(Hulpvraag, hulpvraag.id).status == "Aanmelding"  # the skipped zet_status did not run
    assert _incident().oplossing == "overgeslagen"
    assert _audit(f"incident {incident.id}: opgelost: ‘kapot’ overgeslagen") and _audit("Taak: afgerond, ‘kapot’")


def test_a_failing_timer_becomes_one_incident_and_can_be_skipped(app, world, client, auth, tmp_path):
    from workflow.jobs import fire_due_timers

    publiceer(tmp_path, "timerkapot", kapot_script("timerkapot", "timer"))
    hulpvraag = hulpvraag_bij_scp(world)
    instance = start_process(hulpvraag, "timerkapot", world.users["scp"])
    db.session.commit()
    time.sleep(0.4)
    assert fire_due_timers() == 0
    incident = _incident()
    assert (incident.soort, incident.bpmn_id, incident.user_id, incident.instance_id) == ("timer", "kapot", None, instance.id)
    instance = db.session.get(ProcessInstance, instance.id)
    assert instance.error and instance.next_timer_at is None  # the sweep stops retrying this case
    assert fire_due_timers() == 0 and _incident().aantal == 1
    assert len(_mails()) == 1

    auth.login("procesbeheerder")
    page = _actie(client, incident, "overslaan")
    assert "‘kapot’ is overgeslagen" in page.text
    assert open_taak(hulpvraag, "daarna") and db.session.get(ProcessInstance, instance.id).error is None


def test_a_failing_start_becomes_an_incident_and_a_retry_after_the_fix_starts_it(app, world, client, auth, tmp_path):
    publiceer(tmp_path, "startkapot", kapot_script("startkapot", "start", "x = bestaat_niet"))
    hulpvraag = hulpvraag_bij_scp(world)
    auth.login("scp")
    page = submit_form(client, f"/hulpvragen/{hulpvraag.id}", {"aanpak": "startkapot"},
                       action=f"/hulpvragen/{hulpvraag.id}/aanpakken", follow_redirects=True)  # fmt: skip
    assert page.status_code == 200 and "De aanpak kon niet worden gestart." in page.text
    assert "Het probleem is gemeld bij de procesbeheerder." in page.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProcessInstance).filter_by(process_key="startkapot")) == 0
    incident = _incident()
    assert (incident.soort, incident.bpmn_id, incident.hulpvraag_id) == ("start", "kapot", hulpvraag.id)
    assert incident.user_id == world.users["scp"].id

    publiceer(tmp_path, "startkapot", kapot_script("startkapot", "start", "x = 1"))
    _as_procesbeheerder(client, auth)
    assert "een start gebruikt altijd de live versie" in client.get(f"/processen/incidenten/{incident.id}").text
    page = _actie(client, incident, "opnieuw")
    assert "Opnieuw proberen is gelukt." in page.text
    assert open_taak(hulpvraag, "daarna") and _incident().oplossing == "opnieuw"


def test_a_failing_lvs_submission_gets_a_503_to_retry_plus_an_incident(app, world, client, tmp_path):
    from tests.lvs_support import aanvraag, bearer, koppeling

    koppeling(world)
    publiceer(tmp_path, "hulpvraag", kapot_script("hulpvraag", "start", "x = bestaat_niet"))  # a broken intake
    response = client.post("/api/v1/aanvragen", json=aanvraag(), headers=bearer())
    assert response.status_code == 503 and response.json["code"] == 503  # not a 500: try again later
    assert response.headers["Retry-After"].isdigit()
    assert "de procesbeheerder is ingelicht" in response.json["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Hulpvraag)) == 0  # nothing saved
    incident = _incident()
    assert (incident.soort, incident.bpmn_id, incident.hulpvraag_id) == ("lvs", "kapot", None)
    client.post("/api/v1/aanvragen", json=aanvraag(), headers=bearer())  # the LVS sends again
    assert _incident().aantal == 2

    publiceer(tmp_path, "hulpvraag", kapot_script("hulpvraag", "start", "x = 1"))
    assert client.post("/api/v1/aanvragen", json=aanvraag(), headers=bearer()).status_code == 200
    assert _incident().oplossing == "gelukt"  # the LVS's re-send worked: closed


def test_actions_need_the_csrf_token_and_refuse_on_a_closed_incident(vastgelopen, client, auth):
    _as_procesbeheerder(client, auth)
    incident = _incident()
    assert client.post(f"/processen/incidenten/{incident.id}/opnieuw").status_code == 400
    _actie(client, incident, "stoppen", {"reden": "Niet meer nodig"})
    page = _actie(client, incident, "opnieuw")
    assert "Dit incident is al opgelost." in page.text
    token = csrf_token(client.get("/taken").text)
    assert client.post("/processen/incidenten/999999/opnieuw", data={"csrf_token": token}).status_code == 404


def test_a_new_hulpvraag_whose_intake_fails_comes_back_filled_in(app, world, client, auth, tmp_path):
    publiceer(tmp_path, "hulpvraag", kapot_script("hulpvraag", "start", "x = bestaat_niet"))  # a broken intake
    auth.login("aanvrager")
    data = {"niveau": "leerling", "school_id": str(world.scholen[0].id), "roepnaam": "Jantje", "achternaam": "Bovenkamp",
            "geboortedatum": "2016-03-14", "geslacht": "m", "titel": "KANS", "omschrijving": "Heeft extra hulp nodig.",
            "contactpersoon_naam": "Carla", "contactpersoon_email": "carla@school.example"}  # fmt: skip
    page = submit_form(client, "/hulpvragen/nieuw", data)
    assert page.status_code == 409
    assert "De hulpvraag kon niet worden aangemaakt." in page.text and "Het probleem is gemeld" in page.text
    assert 'value="Bovenkamp"' in page.text and "Heeft extra hulp nodig.</textarea>" in page.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Hulpvraag)) == 0
    incident = _incident()
    assert (incident.soort, incident.hulpvraag_id, incident.invoer, incident.process_key) == ("start", None, None, "hulpvraag")
    _as_procesbeheerder(client, auth)
    page = _actie(client, incident, "opnieuw")  # there is no case to start it on
    assert "de school dient haar opnieuw in" in page.text and _incident().is_open
    page = _actie(client, incident, "stoppen", {"reden": "Intake gerepareerd, school dient opnieuw in"})
    assert "het incident is gesloten" in page.text and _incident().oplossing == "gesloten"


def test_a_timer_is_retried_after_a_migration_to_the_fixed_version(app, world, client, auth, tmp_path):
    from workflow.jobs import fire_due_timers

    publiceer(tmp_path, "timerkapot", kapot_script("timerkapot", "timer"))
    hulpvraag = hulpvraag_bij_scp(world)
    instance = start_process(hulpvraag, "timerkapot", world.users["scp"])
    db.session.commit()
    time.sleep(0.4)
    fire_due_timers()
    fixed = publiceer(tmp_path, "timerkapot", kapot_script("timerkapot", "timer", "x = 1"))
    auth.login("procesbeheerder")
    page = _actie(client, _incident(), "migreren", {"versie": str(fixed.id)})
    assert "Opnieuw proberen is gelukt." in page.text, page.text
    assert open_taak(hulpvraag, "daarna").instance_id == instance.id
    assert _incident().oplossing == "gemigreerd"


def test_incidents_go_with_their_hulpvraag_under_the_retention_rules(vastgelopen):
    from workflow.incidenten import _ruim_op
    from workflow.retention import Opruiming

    hulpvraag, _task, _response = vastgelopen
    opruiming = Opruiming(soort="onderliggend", dossier_wissen=True, dossier_verwijderen=False)
    _ruim_op(db.session.get(Hulpvraag, hulpvraag.id), opruiming)
    assert opruiming.rijen == {"incidenten": 1}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Incident)) == 0


def test_bad_input_to_an_action_is_refused_in_dutch_and_changes_nothing(vastgelopen, client, auth):
    _hulpvraag, task, _response = vastgelopen
    _as_procesbeheerder(client, auth)
    incident = _incident()
    assert "Kies een afgeronde taak van deze aanpak." in _actie(client, incident, "terug", {"taak": "abc"}).text
    assert "Kies een afgeronde taak van deze aanpak." in _actie(client, incident, "terug", {"taak": str(task.id)}).text
    assert "Kies een nieuwere versie van dezelfde aanpak." in _actie(client, incident, "migreren", {"versie": "1"}).text
    incident = _incident()
    assert incident.is_open and incident.aantal == 1 and db.session.get(HumanTask, task.id).is_open
