"""R1, R3 and R11: concurrent completions, conflicting saves and timer sweeps never corrupt a case."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from models import Dossier, Hulpvraag, HumanTask, OutgoingMail, ProcessInstance, Statuswijziging, User, db
from tests.conftest import IsolatedClient, csrf_token, login
from tests.race import race
from workflow.engine.definitions import publish, read_diagram
from workflow.engine.runtime import TaskAlreadyDone, complete_task, fire_timers, start_process
from workflow.hulpvragen import create_hulpvraag


def _hulpvraag(world) -> Hulpvraag:
    dossier = Dossier(swv_id=world.swv.id, school_id=world.scholen[0].id, roepnaam="Test", achternaam="Leerling")
    db.session.add(dossier)
    db.session.flush()
    hulpvraag = create_hulpvraag(dossier, world.users["aanvrager"], titel="TLV -Nieuw", omschrijving="Test")
    db.session.commit()
    return hulpvraag


def _open_task(hulpvraag_id: int) -> HumanTask:
    return db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag_id, completed_at=None)).one()


def test_r1_hundred_concurrent_completions_one_wins(app, world):
    hulpvraag = _hulpvraag(world)
    task_id, user_id = _open_task(hulpvraag.id).id, world.users["aanvrager"].id

    def complete(_i: int) -> str:
        try:
            complete_task(task_id, db.session.get(User, user_id), {"ouders_geinformeerd": "ja"})
            db.session.commit()
            return "ok"
        except TaskAlreadyDone as exc:
            db.session.rollback()
            return exc.message

    results = race(app, 100, complete)
    assert results.count("ok") == 1
    assert results.count("Deze taak is al afgehandeld.") == 99
    db.session.expire_all()
    changes = db.session.scalars(sa.select(Statuswijziging.naar).filter_by(hulpvraag_id=hulpvraag.id)).all()
    assert changes == ["Voorlopige aanmelding", "Aanmelding"]  # one status change …
    status_mails = db.session.scalars(sa.select(OutgoingMail.to).filter_by(hulpvraag_id=hulpvraag.id,
                                                                          soort="statuswijziging")).all()
    assert sorted(status_mails) == sorted({world.users["aanvrager"].email, hulpvraag.contactpersoon_email})  # … one mail each
    next_task = _open_task(hulpvraag.id)  # the instance still loads and continues
    assert next_task.bpmn_id == "beoordelen"
    complete_task(next_task.id, world.users["scp"], {"besluit": "dossier_compleet", "reden": "Compleet"})
    db.session.commit()
    assert db.session.get(Hulpvraag, hulpvraag.id).status == "Dossier compleet"


def test_r1_concurrent_completions_over_http(app, world):
    hulpvraag = _hulpvraag(world)
    task_id = _open_task(hulpvraag.id).id
    app.test_client_class = IsolatedClient
    clients = []
    for _ in range(20):
        client = app.test_client()
        login(client, "aanvrager")
        clients.append((client, csrf_token(client.get(f"/taken/{task_id}").text)))

    def post(i: int) -> str:
        client, token = clients[i]
        response = client.post(f"/taken/{task_id}", data={"ouders_geinformeerd": "ja", "csrf_token": token})
        return f"{response.status_code}:{'al afgehandeld' in response.text}"

    results = race(app, 20, post)
    assert results.count("302:False") == 1
    assert results.count("409:True") == 19


def test_r3_two_sessions_saving_the_same_version_conflict(app, world):
    hulpvraag = _hulpvraag(world)
    instance_id = db.session.scalars(sa.select(ProcessInstance.id).filter_by(hulpvraag_id=hulpvraag.id)).one()
    with Session(db.engine) as first, Session(db.engine) as second:
        a = first.get(ProcessInstance, instance_id)
        b = second.get(ProcessInstance, instance_id)
        assert a is not None and b is not None and a.version == b.version
        a.error = "first"
        first.commit()
        b.error = "second"
        with pytest.raises(StaleDataError):
            second.commit()
    db.session.expire_all()
    assert db.session.get(ProcessInstance, instance_id).error == "first"


TIMER_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">
  <bpmn:process id="herinnering" name="Herinnering" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wacht" name="Wacht"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT1S"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:scriptTask id="zet" name="Status"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>zet_status("Wacht op capaciteit", "herinnering")</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wacht"/>
    <bpmn:sequenceFlow id="f2" sourceRef="wacht" targetRef="zet"/>
    <bpmn:sequenceFlow id="f3" sourceRef="zet" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_r11_timer_sweep_twice_at_once_fires_once(app, world, tmp_path: Path):
    path = tmp_path / "herinnering.bpmn"
    path.write_text(TIMER_BPMN)
    publish(read_diagram(path))
    hulpvraag = _hulpvraag(world)
    instance = start_process(hulpvraag, "herinnering", None)
    db.session.commit()
    assert instance.next_timer_at is not None and not instance.completed
    time.sleep(1.1)

    def sweep(_i: int) -> str:
        try:
            fired = fire_timers(instance.id)
            db.session.commit()
            return "fired" if fired else "nothing"
        except TaskAlreadyDone:
            db.session.rollback()
            return "lost"

    results = race(app, 2, sweep)
    assert results.count("fired") == 1
    db.session.expire_all()
    changes = db.session.scalars(sa.select(Statuswijziging.naar).filter_by(hulpvraag_id=hulpvraag.id)).all()
    assert changes.count("Wacht op capaciteit") == 1
    assert db.session.get(ProcessInstance, instance.id).completed
