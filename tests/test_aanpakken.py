"""Aanpakken on a hulpvraag: started when the dossier is complete, listed, drawn, added by the SCP."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from models import Dossier, HumanTask, ProcessInstance, db
from tests.conftest import csrf_token, submit_form
from workflow.engine.definitions import publish, read_diagram
from workflow.engine.runtime import complete_task
from workflow.hulpvragen import create_hulpvraag

PROEF = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="d" targetNamespace="t">
  <bpmn:process id="{key}" name="{naam}" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="SCP"><bpmn:flowNodeRef>s</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>uitvoeren</bpmn:flowNodeRef><bpmn:flowNodeRef>e</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="uitvoeren" name="Aanpak uitvoeren">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="status" value="Afgerond" />
        <spiffworkflow:property name="statusReden" value="Klaar" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="uitvoeren"/>
    <bpmn:sequenceFlow id="f2" sourceRef="uitvoeren" targetRef="e"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="dia"><bpmndi:BPMNPlane id="plane" bpmnElement="{key}">
    <bpmndi:BPMNShape id="s_di" bpmnElement="s"><dc:Bounds x="100" y="100" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="u_di" bpmnElement="uitvoeren"><dc:Bounds x="180" y="78" width="100" height="80"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="e_di" bpmnElement="e"><dc:Bounds x="330" y="100" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="136" y="118"/><di:waypoint x="180" y="118"/></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="280" y="118"/><di:waypoint x="330" y="118"/></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def _publish(tmp_path: Path, key: str, naam: str) -> None:
    path = tmp_path / f"{key}.bpmn"
    path.write_text(PROEF.format(key=key, naam=naam))
    publish(read_diagram(path))
    db.session.commit()


def _complete_dossier(world, titel: str = "Ambulante Begeleiding"):  # type: ignore[no-untyped-def]
    dossier = Dossier(swv_id=world.swv.id, school_id=world.scholen[0].id, roepnaam="A", achternaam="B")
    db.session.add(dossier)
    db.session.flush()
    hulpvraag = create_hulpvraag(dossier, world.users["aanvrager"], titel=titel, omschrijving="Test")
    for user, data in ((world.users["aanvrager"], {"ouders_geinformeerd": "ja"}),
                       (world.users["scp"], {"besluit": "dossier_compleet", "reden": "Compleet"})):  # fmt: skip
        task = db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, completed_at=None)).one()
        complete_task(task.id, user, data)
    db.session.commit()
    return hulpvraag


def _aanpakken(hulpvraag) -> list[ProcessInstance]:  # type: ignore[no-untyped-def]
    return list(db.session.scalars(
        sa.select(ProcessInstance).where(ProcessInstance.hulpvraag_id == hulpvraag.id, ProcessInstance.process_key != "hulpvraag")
    ))  # fmt: skip


def test_dossier_compleet_starts_the_aanpak_for_the_title(app, world, tmp_path):
    (tmp_path / "aanpakken.yaml").write_text("standaard: aanpak\ntitels: {}\n")
    app.config["BPMN_DIR"] = str(tmp_path)
    _publish(tmp_path, "aanpak", "Algemene aanpak")
    hulpvraag = _complete_dossier(world)
    [aanpak] = _aanpakken(hulpvraag)
    assert aanpak.process_key == "aanpak"  # no diagram of its own: the standard aanpak
    task = db.session.scalars(sa.select(HumanTask).filter_by(instance_id=aanpak.id, completed_at=None)).one()
    assert task.bpmn_id == "uitvoeren" and task.rol == "scp"


def test_without_a_published_aanpak_nothing_starts(app, world, tmp_path):
    (tmp_path / "aanpakken.yaml").write_text("standaard: bestaat_niet\ntitels: {}\n")
    app.config["BPMN_DIR"] = str(tmp_path)
    hulpvraag = _complete_dossier(world)
    assert _aanpakken(hulpvraag) == [] and hulpvraag.status == "Dossier compleet"


def test_hulpvraag_page_lists_and_draws_the_aanpak(app, world, client, auth, tmp_path):
    _publish(tmp_path, "aanpak", "Algemene aanpak")
    hulpvraag = _complete_dossier(world)
    auth.login("scp")
    page = client.get(f"/hulpvragen/{hulpvraag.id}").text
    assert "Algemene aanpak" in page and 'data-actief="uitvoeren"' in page
    [aanpak] = _aanpakken(hulpvraag)
    xml = client.get(f"/hulpvragen/{hulpvraag.id}/aanpakken/{aanpak.id}/diagram.bpmn")
    assert xml.status_code == 200 and b'<bpmn:process id="aanpak"' in xml.data
    auth.logout()
    auth.login("aanvrager2")
    assert client.get(f"/hulpvragen/{hulpvraag.id}/aanpakken/{aanpak.id}/diagram.bpmn").status_code == 404


def test_scp_adds_an_aanpak_by_hand(app, world, client, auth, tmp_path):
    _publish(tmp_path, "aanpak", "Algemene aanpak")
    _publish(tmp_path, "extra", "Extra ondersteuning")
    hulpvraag = _complete_dossier(world)
    auth.login("aanvrager")
    token = csrf_token(client.get(f"/hulpvragen/{hulpvraag.id}").text)
    assert client.post(f"/hulpvragen/{hulpvraag.id}/aanpakken", data={"aanpak": "extra", "csrf_token": token}).status_code == 404
    auth.logout()
    auth.login("scp")
    assert "Aanpak toevoegen" in client.get(f"/hulpvragen/{hulpvraag.id}").text
    bad = submit_form(client, f"/hulpvragen/{hulpvraag.id}", {"aanpak": "hulpvraag"}, action=f"/hulpvragen/{hulpvraag.id}/aanpakken")
    assert bad.status_code == 302 and len(_aanpakken(hulpvraag)) == 1  # the intake is not an aanpak to add
    ok = submit_form(client, f"/hulpvragen/{hulpvraag.id}", {"aanpak": "extra"}, action=f"/hulpvragen/{hulpvraag.id}/aanpakken")
    assert ok.status_code == 302
    assert sorted(a.process_key for a in _aanpakken(hulpvraag)) == ["aanpak", "extra"]
    page = client.get(ok.headers["Location"]).text
    assert "Extra ondersteuning" in page and "Algemene aanpak" in page


def test_beheerder_changes_which_aanpak_a_title_gets(app, world, client, auth, tmp_path):
    (tmp_path / "aanpakken.yaml").write_text("standaard: aanpak\ntitels: {}\n")
    app.config["BPMN_DIR"] = str(tmp_path)
    _publish(tmp_path, "aanpak", "Algemene aanpak")
    _publish(tmp_path, "extra", "Extra ondersteuning")
    auth.login("beheerder")
    form = {"Ambulante Begeleiding": "extra"}
    assert submit_form(client, "/beheer/aanpakken", form).status_code == 302
    assert "Extra ondersteuning" in client.get("/beheer/aanpakken").text
    hulpvraag = _complete_dossier(world, "Ambulante Begeleiding")
    assert [a.process_key for a in _aanpakken(hulpvraag)] == ["extra"]
    refused = submit_form(client, "/beheer/aanpakken", {"Ambulante Begeleiding": "bestaat_niet"}, follow_redirects=True)
    assert "Onbekende aanpak gekozen bij: Ambulante Begeleiding" in refused.text
    auth.logout()
    auth.login("scp")
    assert client.get("/beheer/aanpakken").status_code == 404
