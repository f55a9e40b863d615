"""A runaway script reached through the web: the SCP's completion is stopped with a Dutch
message and changes nothing, while the same server keeps answering other requests."""

from __future__ import annotations

import re
import statistics
import threading
import time
from pathlib import Path

import pyotp
import requests
import sqlalchemy as sa

from models import Hulpvraag, HumanTask, Statuswijziging, User, db
from tests.browser import live_server  # noqa: F401 - fixture
from tests.conftest import PASSWORD, new_hulpvraag
from workflow.engine.definitions import publish, read_diagram
from workflow.engine.runtime import start_process

RUNAWAY = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="op_hol" name="Op hol" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="SCP"><bpmn:flowNodeRef>s</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>beoordelen</bpmn:flowNodeRef><bpmn:flowNodeRef>rekenen</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>e</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="beoordelen" name="Beoordelen">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formulier" value="geen" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:scriptTask id="rekenen" name="Rekenen"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>zet_status("Afgerond", "klaar")
x = 0
while x &gt;= 0:
    x += 1</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="beoordelen"/>
    <bpmn:sequenceFlow id="f2" sourceRef="beoordelen" targetRef="rekenen"/>
    <bpmn:sequenceFlow id="f3" sourceRef="rekenen" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def _login(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=10)
    response = session.post(
        f"{base}/login", data={"username": username, "password": PASSWORD, "csrf_token": _csrf(page.text)}, timeout=10
    )
    user = db.session.scalar(sa.select(User).filter_by(username=username))
    assert user is not None and user.totp_secret
    db.session.execute(sa.update(User).where(User.id == user.id).values(totp_last_step=None))
    db.session.commit()
    code = pyotp.TOTP(user.totp_secret).now()
    response = session.post(response.url, data={"code": code, "csrf_token": _csrf(response.text)}, timeout=10)
    assert "Mijn taken" in response.text, response.text[:300]
    return session


def test_a_runaway_script_is_stopped_and_the_server_keeps_serving(app, world, live_server, tmp_path: Path):  # noqa: F811
    path = tmp_path / "op_hol.bpmn"
    path.write_text(RUNAWAY, "utf-8")
    publish(read_diagram(path))
    hulpvraag = new_hulpvraag(world)
    start_process(hulpvraag, "op_hol", world.users["scp"])
    db.session.commit()
    task = db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, bpmn_id="beoordelen")).one()
    status_before = hulpvraag.status
    history_before = db.session.scalar(sa.select(sa.func.count()).where(Statuswijziging.hulpvraag_id == hulpvraag.id))
    scp = _login(live_server, "scp")
    form = scp.get(f"{live_server}/taken/{task.id}", timeout=10)
    assert form.status_code == 200

    result: dict[str, object] = {}

    def complete() -> None:
        started = time.monotonic()
        response = scp.post(f"{live_server}/taken/{task.id}", data={"csrf_token": _csrf(form.text)}, timeout=60)
        result.update(status=response.status_code, text=response.text, seconds=time.monotonic() - started)

    other = requests.Session()
    anchor = [_timed(other, f"{live_server}/healthz") for _ in range(5)]  # before: the normal answer time
    runaway = threading.Thread(target=complete)
    runaway.start()
    during: list[float] = []
    while runaway.is_alive():
        during.append(_timed(other, f"{live_server}/healthz"))
        time.sleep(0.02)
    runaway.join()

    print(
        f"\n  runaway completion stopped after {result['seconds']:.2f} s; /healthz meanwhile: "
        f"{len(during)} answers, median {statistics.median(during) * 1000:.0f} ms, max {max(during) * 1000:.0f} ms "
        f"(before: median {statistics.median(anchor) * 1000:.0f} ms)"
    )
    assert result["status"] == 409
    assert "Het script bij ‘rekenen’ duurde te lang en is gestopt" in str(result["text"])
    assert "niets opgeslagen" in str(result["text"])
    # Other requests were answered while the script ran, not queued behind it.
    assert len(during) >= 3 and max(during) < float(str(result["seconds"]))
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).completed_at is None
    assert db.session.get(Hulpvraag, hulpvraag.id).status == status_before  # zet_status before the loop: undone
    count = db.session.scalar(sa.select(sa.func.count()).where(Statuswijziging.hulpvraag_id == hulpvraag.id))
    assert count == history_before


def _timed(session: requests.Session, url: str) -> float:
    started = time.monotonic()
    response = session.get(url, timeout=30)
    assert response.status_code == 200
    return time.monotonic() - started
