"""S16: a forced exception in a view shows a generic Dutch page and saves nothing; an engine failure saves
nothing of the step and gives the task page back with a Dutch notice (issue 12: tests/test_incidenten.py)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from models import Dossier, Hulpvraag, HumanTask, Incident, Statuswijziging, db
from tests.conftest import submit_form
from web import policy
from workflow.engine.definitions import publish, read_diagram
from workflow.engine.runtime import start_process
from workflow.hulpvragen import create_hulpvraag

BROKEN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="kapot" name="Kapot" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="School"><bpmn:flowNodeRef>s</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>taak</bpmn:flowNodeRef><bpmn:flowNodeRef>script</bpmn:flowNodeRef><bpmn:flowNodeRef>e</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="taak" name="Bevestigen"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:scriptTask id="script" name="Kapot script"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>zet_status("Afgerond", bestaat_niet)</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="taak"/>
    <bpmn:sequenceFlow id="f2" sourceRef="taak" targetRef="script"/>
    <bpmn:sequenceFlow id="f3" sourceRef="script" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_exception_in_a_view_shows_generic_page_and_rolls_back(app, world, client, auth):
    def boom() -> str:
        db.session.add(Statuswijziging(hulpvraag_id=None, naar="Afgerond", reden="half opgeslagen"))
        db.session.flush()
        raise RuntimeError("geheime details uit de stacktrace")

    app.add_url_rule("/boom", view_func=policy.authenticated(boom))
    auth.login("aanvrager")
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Er ging iets mis" in response.text
    assert "geheime details" not in response.text and "Traceback" not in response.text
    assert db.session.scalar(sa.select(sa.func.count()).where(Statuswijziging.reden == "half opgeslagen")) == 0


def test_engine_failure_saves_nothing_and_says_so(app, world, client, auth, tmp_path: Path):
    path = tmp_path / "kapot.bpmn"
    path.write_text(BROKEN)
    publish(read_diagram(path))
    dossier = Dossier(swv_id=world.swv.id, school_id=world.scholen[0].id, roepnaam="A", achternaam="B")
    db.session.add(dossier)
    db.session.flush()
    hulpvraag = create_hulpvraag(dossier, world.users["aanvrager"], titel="KANS", omschrijving="x")
    start_process(hulpvraag, "kapot", world.users["aanvrager"])
    db.session.commit()
    task = db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, bpmn_id="taak")).one()

    auth.login("aanvrager")
    response = submit_form(client, f"/taken/{task.id}", {})
    # 409: the request was fine, the process cannot take it; the task page comes back, not an error page
    assert response.status_code == 409
    assert "Deze stap kon niet worden verwerkt." in response.text and "Er is niets opgeslagen" in response.text
    assert "Het probleem is gemeld bij de procesbeheerder" in response.text
    assert "<code>script</code>" in response.text and "‘bestaat_niet’" in response.text
    assert "Al afgehandeld" not in response.text and 'action="/taken/' in response.text  # the form, to try again
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).completed_at is None
    assert db.session.get(Hulpvraag, hulpvraag.id).status == "Voorlopige aanmelding"
    incident = db.session.scalars(sa.select(Incident)).one()  # nothing of the step, but the incident is kept
    assert (incident.bpmn_id, incident.soort, incident.status) == ("script", "taak", "open")


def test_unknown_pages_and_bad_methods_are_dutch(client, world, auth):
    auth.login("aanvrager")
    assert "Deze pagina bestaat niet" in client.get("/bestaat-niet").text
    response = client.get("/logout")
    assert response.status_code == 405 and "niet toegestaan" in response.text
    assert client.post("/taken/1", data={}).status_code == 400  # no CSRF token
