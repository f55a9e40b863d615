"""A loop of 300 passes keeps going (notes §3: without the max-depth patch it stalls at ~250)."""

from __future__ import annotations

import json

from workflow.engine.run import SERIALIZER_VERSION, Run, parse_bpmn, spec_to_dict

# notes §3 loop.bpmn: a user task per pass, a counter, and a gateway that loops back.
LOOP = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  id="Defs_loop" targetNamespace="https://kansrijk.nl/bpmn">
  <bpmn:process id="loop_process" name="Loop" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="init"><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
      <bpmn:script>counter = 0</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="merge"><bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f_again</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:userTask id="step" name="Step"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:scriptTask id="inc"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:script>counter += 1</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="more" default="f_done"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f_again</bpmn:outgoing><bpmn:outgoing>f_done</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="end"><bpmn:incoming>f_done</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="init" />
    <bpmn:sequenceFlow id="f1" sourceRef="init" targetRef="merge" />
    <bpmn:sequenceFlow id="f2" sourceRef="merge" targetRef="step" />
    <bpmn:sequenceFlow id="f3" sourceRef="step" targetRef="inc" />
    <bpmn:sequenceFlow id="f4" sourceRef="inc" targetRef="more" />
    <bpmn:sequenceFlow id="f_again" sourceRef="more" targetRef="merge">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">counter &lt; target</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_done" sourceRef="more" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""
PASSES = 300


def do_step(run: Run, number: int) -> None:
    ready = run.ready_user_tasks()
    assert [t.task_spec.bpmn_id for t in ready] == ["step"], f"stalled before pass {number}"
    run.complete(str(ready[0].id), {"pass_number": number})


def test_a_loop_of_300_passes_does_not_stall_and_still_saves_and_loads() -> None:
    parser, _tree = parse_bpmn(LOOP, "loop.bpmn")
    spec, subs = parser.get_spec("loop_process"), parser.get_subprocess_specs("loop_process")
    run = Run.start(spec, subs, {"target": PASSES + 2})

    for number in range(1, PASSES + 1):
        do_step(run, number)

    # Each pass adds four tasks below the last: past depth 1000 the unpatched engine stops.
    assert max(t.depth for t in run.wf.tasks.values()) > 1000
    state = json.loads(json.dumps(run.dump()))
    loaded = Run.load(state, json.loads(json.dumps(spec_to_dict(spec, subs))), SERIALIZER_VERSION)
    do_step(loaded, PASSES + 1)
    do_step(loaded, PASSES + 2)
    assert loaded.completed
    assert loaded.wf.last_task.data["counter"] == PASSES + 2
