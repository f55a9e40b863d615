"""S13: BPMN expressions are checked when a diagram is loaded and again when they run.

Engine level, no Flask: a diagram with an escape attempt is refused by the check and, when
it is run anyway (parsed without the check), stops with an EngineError before it ran anything.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest

from workflow.engine.check import check_file
from workflow.engine.run import SERIALIZER_VERSION, EngineError, Run, StatusChange, parse_bpmn, spec_to_dict

# notes §6 safety.bpmn, with a user task first so the test holds the Run when it fails.
TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  id="Defs_veilig" targetNamespace="https://kansrijk.nl/bpmn">
  <bpmn:process id="veilig" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="lane" name="SCP"><bpmn:flowNodeRef>invoer</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="invoer" name="Invoer"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="formulier" value="geen" /></spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing></bpmn:userTask>
    <bpmn:scriptTask id="script"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="gw" default="fb"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>fa</bpmn:outgoing><bpmn:outgoing>fb</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="end_a"><bpmn:incoming>fa</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_b"><bpmn:incoming>fb</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="invoer" />
    <bpmn:sequenceFlow id="f1" sourceRef="invoer" targetRef="script" />
    <bpmn:sequenceFlow id="f2" sourceRef="script" targetRef="gw" />
    <bpmn:sequenceFlow id="fa" sourceRef="gw" targetRef="end_a">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="fb" sourceRef="gw" targetRef="end_b" />
  </bpmn:process>
</bpmn:definitions>
"""
ESCAPE = "().__class__.__base__.__subclasses__()"


def diagram(script: str = "x = 1", condition: str = "x == 1") -> bytes:
    return TEMPLATE.format(script=escape(script), condition=escape(condition)).encode()


def start(xml: bytes, data: dict[str, Any] | None = None) -> Run:
    """Parse WITHOUT the check and run up to the user task."""
    parser, _tree = parse_bpmn(xml, "veilig.bpmn")
    return Run.start(parser.get_spec("veilig"), parser.get_subprocess_specs("veilig"), data or {})


def complete_invoer(run: Run) -> None:
    [task] = run.ready_user_tasks()
    run.complete(str(task.id), {})


COMPLETED = 64  # TaskState.COMPLETED; only workflow/ imports SpiffWorkflow


def reached_ends(run: Run) -> list[str]:
    ends = [t for t in run.wf.tasks.values() if t.task_spec.bpmn_id in ("end_a", "end_b")]
    return sorted(t.task_spec.bpmn_id for t in ends if t.state == COMPLETED)


def unsafe_cases(marker: Path) -> list[tuple[str, str, str, str]]:
    """(what, script, condition, element the check and the engine blame)."""
    touch = f"__import__('os').system('touch {marker}')"
    return [
        ("condition subclasses", "x = 1", ESCAPE, "fa"),
        ("condition import", "x = 1", touch, "fa"),
        ("script subclasses", f"x = 1\ny = {ESCAPE}", "x == 1", "script"),
        ("script import", f"import os\ny = os.system('touch {marker}')", "True", "script"),
        ("script open", f"y = open('{marker}', 'w')", "True", "script"),
    ]


@pytest.mark.parametrize("case", range(5), ids=[c[0] for c in unsafe_cases(Path("m"))])
def test_unsafe_expression_is_refused_by_the_check_and_by_the_engine(tmp_path: Path, case: int) -> None:
    marker = tmp_path / "pwned"
    _what, script, condition, blamed = unsafe_cases(marker)[case]
    xml = diagram(script, condition)
    path = tmp_path / "veilig.bpmn"
    path.write_bytes(xml)

    problems = check_file(path)

    assert len(problems) == 1 and problems[0].split(": ")[1] == blamed, problems
    run = start(xml)
    with pytest.raises(EngineError) as raised:
        complete_invoer(run)
    engine_blamed = "gw" if blamed == "fa" else blamed  # a condition fails at its gateway
    assert raised.value.bpmn_id == engine_blamed
    assert not marker.exists()
    assert not run.completed and reached_ends(run) == []
    assert all("y" not in t.data for t in run.wf.tasks.values())  # nothing the escape produced was kept


def without_user_task(xml: bytes) -> bytes:
    """The notes' safety.bpmn as is: start, script, gateway; everything runs in Run.start."""
    text = xml.decode()
    user_task = text[text.index("    <bpmn:userTask") : text.index("    <bpmn:scriptTask")]
    text = text.replace(user_task, "").replace("<bpmn:flowNodeRef>invoer</bpmn:flowNodeRef>", "")
    text = text.replace('<bpmn:sequenceFlow id="f1" sourceRef="invoer" targetRef="script" />', "")
    return (
        text.replace('targetRef="invoer"', 'targetRef="script"')
        .replace("<bpmn:incoming>f1<", "<bpmn:incoming>f0<")
        .encode()
    )


@pytest.mark.parametrize("case", range(5), ids=[c[0] for c in unsafe_cases(Path("m"))])
def test_unsafe_expression_right_after_the_start_fails_in_start(tmp_path: Path, case: int) -> None:
    marker = tmp_path / "pwned"
    _what, script, condition, _blamed = unsafe_cases(marker)[case]
    xml = without_user_task(diagram(script, condition))
    parser, _tree = parse_bpmn(xml, "veilig.bpmn")

    with pytest.raises(EngineError):
        Run.start(parser.get_spec("veilig"), parser.get_subprocess_specs("veilig"), {})
    assert not marker.exists()


def test_task_data_cannot_replace_the_restricted_builtins() -> None:
    calls: list[Any] = []

    def fake_len(value: Any) -> int:
        calls.append(value)
        return 999

    injected = {"__builtins__": {"len": fake_len, "__import__": __import__, "open": open}}
    run = start(diagram(script='x = len("ab")', condition='len("abc") == 3 and x == 2'), injected)

    complete_invoer(run)

    assert run.completed and reached_ends(run) == ["end_a"]
    assert calls == []
    assert all("__builtins__" not in t.data for t in run.wf.tasks.values() if t.task_spec.bpmn_id == "script")


def test_open_in_a_script_is_refused_even_with_builtins_in_the_data(tmp_path: Path) -> None:
    marker = tmp_path / "geopend"
    run = start(diagram(script=f"y = open('{marker}', 'w')"), {"__builtins__": {"open": open}})

    with pytest.raises(EngineError, match="open"):
        complete_invoer(run)
    assert not marker.exists()


def test_allowed_helpers_work(tmp_path: Path) -> None:
    script = 'deadline = plus_weken("2026-01-05", 2)\ndag = vandaag()\nzet_status("Aanmelding", "via script")'
    xml = diagram(script=script, condition='deadline == plus_dagen("2026-01-05", 14)')
    path = tmp_path / "veilig.bpmn"
    path.write_bytes(xml)
    assert check_file(path) == []
    run = start(xml)

    complete_invoer(run)

    assert run.completed and reached_ends(run) == ["end_a"]
    data = run.wf.last_task.data
    assert data["deadline"] == date(2026, 1, 19)
    assert data["dag"] == datetime.now(UTC).date()
    assert run.changes == [StatusChange("Aanmelding", "via script", "script")]


def test_dates_from_helpers_survive_save_and_load() -> None:
    xml = diagram(script='deadline = plus_weken("2026-01-05", 2)\nx = 1')
    parser, _tree = parse_bpmn(xml, "veilig.bpmn")
    spec, subs = parser.get_spec("veilig"), parser.get_subprocess_specs("veilig")
    run = Run.start(spec, subs, {})
    complete_invoer(run)

    loaded = Run.load(run.dump(), spec_to_dict(spec, subs), SERIALIZER_VERSION)

    assert loaded.completed
    assert loaded.wf.last_task.data["deadline"] == date(2026, 1, 19)


def test_unknown_status_in_a_script_stops_the_process() -> None:
    run = start(diagram(script='zet_status("Klaar", "x")\nx = 1'))

    with pytest.raises(EngineError, match="onbekende status") as raised:
        complete_invoer(run)
    assert raised.value.bpmn_id == "script"
    assert run.changes == []
