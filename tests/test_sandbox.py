"""Hostile diagram code: refused by ``bpmn check`` or stopped by the runtime, quickly, in Dutch,
naming the element, with no effect.

The corpus covers the escape family (frames, generators, dunders, strings built at run time,
rebinding helpers, walrus, imports, reflection builtins, attribute writes) and the
denial-of-service family (huge powers, products and shifts, huge ranges, endless and nested
loops, growing strings and lists, deep nesting, formatting widths). Each case runs twice: once
through the check, once parsed *without* the check, straight into the engine.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest

from workflow.engine.check import check_file
from workflow.engine.expressions import (
    DiagramCodeError,
    TooLarge,
    TooSlow,
    UnsafeExpression,
)
from workflow.engine.instructies import render_instruction
from workflow.engine.run import EngineError, Run, parse_bpmn
from workflow.engine.sandbox import evaluate_expression

TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  id="Defs_vijandig" targetNamespace="https://kansrijk.nl/bpmn">
  <bpmn:process id="vijandig" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="lane" name="SCP"><bpmn:flowNodeRef>invoer</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="invoer" name="Invoer">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formulier" value="geen" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing></bpmn:userTask>
    <bpmn:scriptTask id="rekenen"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:intermediateCatchEvent id="wachten"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition id="wachten_timer">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{timer}</bpmn:timeDuration>
      </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:exclusiveGateway id="gw_keuze" default="fb"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>fa</bpmn:outgoing><bpmn:outgoing>fb</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="end_a"><bpmn:incoming>fa</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_b"><bpmn:incoming>fb</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="invoer" />
    <bpmn:sequenceFlow id="f1" sourceRef="invoer" targetRef="rekenen" />
    <bpmn:sequenceFlow id="f2" sourceRef="rekenen" targetRef="wachten" />
    <bpmn:sequenceFlow id="f3" sourceRef="wachten" targetRef="gw_keuze" />
    <bpmn:sequenceFlow id="fa" sourceRef="gw_keuze" targetRef="end_a">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="fb" sourceRef="gw_keuze" targetRef="end_b" />
  </bpmn:process>
</bpmn:definitions>
"""
SAFE_SCRIPT, SAFE_TIMER, SAFE_CONDITION = "x = 1", '"PT0S"', "x == 1"
GEN = "g = (i for i in [1, 2])\n"
# (name, where: script | condition | timer, code, refused by the check without running it)
CORPUS: list[tuple[str, str, str, bool]] = [
    # --- escapes ---------------------------------------------------------------------------
    ("subclasses", "script", "y = ().__class__.__base__.__subclasses__()", True),
    ("subclasses in a condition", "condition", "().__class__.__base__.__subclasses__() != []", True),
    ("generator frame", "script", GEN + "f = g.gi_frame", True),
    ("frame back to builtins", "script", GEN + "b = g.gi_frame.f_back.f_builtins", True),
    ("generator code", "script", GEN + "c = g.gi_code", True),
    ("dunder built at run time", "script", "n = '_' + '_' + 'class' + '_' + '_'\ny = getattr((), n)", False),
    ("format reaches attributes", "script", "y = '{0.__class__}'.format(1)", False),
    ("format method on text", "script", "f = 'x'.format\ny = f(1)", False),
    ("rebinding len", "script", "len = sorted\ny = len([2, 1])", True),
    ("rebinding a helper", "script", "vandaag = 5", True),
    ("helper as loop variable", "script", "for zet_status in [1]:\n    x = 1", True),
    ("walrus in a condition", "condition", "(len := 5) == 5", True),
    ("walrus rebinding", "condition", "(x := 2) == 2", True),
    ("import", "script", "import os\ny = os.getcwd()", True),
    ("from import", "script", "from os import system\nsystem('true')", True),
    ("dunder import", "condition", "__import__('os').getcwd() != ''", True),
    ("open", "script", "y = open('/etc/hostname').read()", False),
    ("eval", "script", "y = eval('1 + 1')", False),
    ("exec", "script", "exec('y = 1')", False),
    ("compile", "condition", "compile('1', 'x', 'eval') is not None", False),
    ("type", "script", "t = type(1)", False),
    ("vars and globals", "script", "v = vars()\ng = globals()", False),
    ("dir", "condition", "len(dir()) > 0", False),
    ("helper globals", "script", "g = vandaag.__globals__", True),
    ("bound method self", "script", "l = [1]\no = l.append.__self__", True),
    ("method outside the list", "script", "d = {'a': 1}\nm = d.keys().mapping", False),
    ("date internals", "script", "t = nu().tzinfo.utcoffset", False),
    ("amount internals", "script", "t = bedrag(1).as_tuple()", False),
    ("lambda", "script", "f = lambda: 1", True),
    ("function definition", "script", "def f():\n    return 1\ny = f()", True),
    ("class definition", "script", "class A:\n    pass", True),
    ("try swallows the stop", "script", "try:\n    x = 1\nexcept Exception:\n    x = 2", True),
    ("raise", "script", "raise SystemExit(1)", True),
    ("with", "script", "with x:\n    pass", True),
    ("global", "script", "global x\nx = 1", True),
    ("attribute write", "script", "x = [1]\nx.extra = 1", True),
    ("delete a helper", "script", "del len", True),
    ("print", "script", "print('x')", True),
    ("f-string dunder", "script", "y = f'{().__class__}'", True),
    ("timer dunder", "timer", "().__class__.__name__", True),
    # --- denial of service -----------------------------------------------------------------
    ("power tower", "script", "x = 10 ** 10 ** 10", False),
    ("power in a condition", "condition", "9 ** 9 ** 9 > 0", False),
    ("big power", "script", "x = 2 ** 100000", False),
    ("huge text", "script", "x = 'a' * 10 ** 10", False),
    ("huge list", "script", "x = [0] * 10 ** 10", False),
    ("huge shift", "script", "x = 1 << 10 ** 8", False),
    ("huge range sum", "script", "x = sum(range(10 ** 13))", False),
    ("huge range in a condition", "condition", "sum(range(10 ** 13)) > 0", False),
    ("while true", "script", "while True:\n    pass", False),
    ("while counting", "script", "x = 0\nwhile x >= 0:\n    x += 1", False),
    ("nested loops", "script", "x = 0\nfor i in range(10 ** 6):\n    for j in range(10 ** 6):\n        x += 1", False),
    ("nested comprehension", "condition", "len([1 for i in range(10 ** 6) for j in range(10 ** 6)]) > 0", False),
    ("doubling text", "script", "s = 'ab'\nwhile True:\n    s = s + s", False),
    ("doubling list", "script", "s = [1]\nwhile True:\n    s += s", False),
    ("growing list of big lists", "script", "s = []\nwhile True:\n    s.append([0] * 10 ** 5)", False),
    ("replace blow-up", "script", "x = 'a' * 10 ** 6\ny = x.replace('', x)", False),
    ("join blow-up", "script", "y = ','.join(['a' * 10 ** 5] * 10 ** 3)", False),
    ("deep nesting", "script", "x = []\nfor i in range(10 ** 5):\n    x = [x]", False),
    ("deep nesting as text", "script", "x = []\nfor i in range(10 ** 5):\n    x = [x]\ny = str(x)", False),
    ("sorted huge range", "script", "x = sorted(range(10 ** 7))", False),
    ("amount power", "script", "x = bedrag(10) ** bedrag(10 ** 9)", False),
    ("percent width", "script", "x = '%999999999d' % 1", True),
    ("f-string width", "script", "x = f'{1:>999999999}'", True),
    ("f-string computed width", "script", "w = 9\nx = f'{1:>{w}}'", True),
    ("sum of lists", "script", "x = sum([[1]] * 10 ** 5, [])", False),
    ("star-args blow-up", "script", "x = [range(10 ** 6)] * 10 ** 5\ny = list(zip(*x))", False),
    ("star-args max", "condition", "max(*([1] * 10 ** 6)) > 0", False),
    ("self-containing list", "script", "x = [1]\nx.append(x)", False),
    ("date overflow", "script", "x = plus_dagen('9999-12-31', 1)", False),
    ("timer power tower", "timer", '"P" + str(10 ** 10 ** 10) + "D"', False),
    ("timer endless", "timer", "sum(range(10 ** 13))", False),
]
ENGLISH = re.compile(r"\b(Error|error|evaluating|expression|not allowed|invalid|satisfied|Traceback|line)\b")


def diagram(where: str, code: str) -> bytes:
    parts = {"script": SAFE_SCRIPT, "timer": SAFE_TIMER, "condition": SAFE_CONDITION, where: code}
    return TEMPLATE.format(**{k: escape(v) for k, v in parts.items()}).encode()


def element(where: str) -> str:
    return {"script": "rekenen", "condition": "fa", "timer": "wachten"}[where]


def run_unchecked(xml: bytes) -> Run:
    parser, _tree = parse_bpmn(xml, "vijandig.bpmn")
    return Run.start(parser.get_spec("vijandig"), parser.get_subprocess_specs("vijandig"), {"hulpvraag_id": 1})


@pytest.mark.parametrize(("name", "where", "code", "static"), CORPUS, ids=[c[0] for c in CORPUS])
def test_hostile_code_is_refused_or_stopped(tmp_path: Path, name: str, where: str, code: str, static: bool) -> None:
    xml = diagram(where, code)
    path = tmp_path / "vijandig.bpmn"
    path.write_bytes(xml)

    problems = check_file(path)
    if static:
        ours = [p for p in problems if p.split(": ")[1] == element(where)]
        assert ours, problems
        assert not any(ENGLISH.search(p) for p in ours), ours

    run = run_unchecked(xml)
    [task] = run.ready_user_tasks()
    before = run.dump()
    started = time.monotonic()
    with pytest.raises(EngineError) as raised:
        run.complete(str(task.id), {})
        run.fast_forward_timers()  # the timer expression runs when the timer is reached or fired
    elapsed = time.monotonic() - started
    print(f"\n  {name}: stopped after {elapsed:.2f} s: {raised.value}")

    message = str(raised.value)
    engine_element = "gw_keuze" if where == "condition" else element(where)
    assert raised.value.bpmn_id == engine_element, message
    assert f"‘{engine_element}’" in message, message
    assert not ENGLISH.search(message), message
    assert not run.completed
    assert before["data"] == {} or "y" not in before["data"]


def test_the_corpus_is_broad() -> None:
    escapes = CORPUS[: [c[0] for c in CORPUS].index("power tower")]
    assert len(CORPUS) >= 60 and len(escapes) >= 30
    assert {w for _n, w, _c, _s in CORPUS} == {"script", "condition", "timer"}


def test_a_stopped_script_names_its_element_and_says_it_took_too_long() -> None:
    run = run_unchecked(diagram("script", "while True:\n    pass"))
    [task] = run.ready_user_tasks()

    with pytest.raises(EngineError) as raised:
        run.complete(str(task.id), {})

    assert str(raised.value).startswith("Het script bij ‘rekenen’ duurde te lang en is gestopt")


def test_a_refused_script_keeps_none_of_its_variables() -> None:
    run = run_unchecked(diagram("script", "a = 1\nb = 'x' * 10 ** 9"))
    [task] = run.ready_user_tasks()

    with pytest.raises(EngineError, match="te groot"):
        run.complete(str(task.id), {})
    assert all("a" not in t.data for t in run.wf.tasks.values())


def test_a_diagram_that_loops_without_a_person_is_stopped(tmp_path: Path) -> None:
    xml = diagram("script", "x = 1").decode()
    looping = xml.replace('sourceRef="gw_keuze" targetRef="end_b"', 'sourceRef="gw_keuze" targetRef="rekenen"')
    looping = looping.replace(
        "<bpmn:incoming>f1</bpmn:incoming>", "<bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>fb</bpmn:incoming>"
    )
    looping = looping.replace('<bpmn:endEvent id="end_b"><bpmn:incoming>fb</bpmn:incoming></bpmn:endEvent>', "")
    looping = looping.replace("x == 1", "x == 2")
    run = run_unchecked(looping.encode())
    [task] = run.ready_user_tasks()

    started = time.monotonic()
    with pytest.raises(EngineError, match="liep meer dan"):
        run.complete(str(task.id), {})
        run.fast_forward_timers()
    print(f"\n  engine loop stopped after {time.monotonic() - started:.2f} s")


def test_good_code_still_works() -> None:
    script = (
        "totaal = 0\nfor i in range(10):\n    totaal += i\n"
        "namen = sorted(['b', 'a'])\nd = {'k': 1}\nd['j'] = 2\nwaarde = d.get('k')\n"
        "tekst = ', '.join(namen).upper()\nklein = f'{totaal:>5}'\ndel i\n"
        "lijst = [n * 2 for n in range(3) if n]\nwhile totaal > 40:\n    totaal -= 1"
    )
    run = run_unchecked(diagram("script", script).replace(b"x == 1", b"totaal == 40"))
    [task] = run.ready_user_tasks()
    run.complete(str(task.id), {})
    run.fast_forward_timers()

    data = run.wf.last_task.data
    assert run.completed
    assert data["totaal"] == 40 and data["namen"] == ["a", "b"] and data["tekst"] == "A, B"
    assert data["klein"] == "   45" or data["klein"] == "   40" or data["klein"].strip().isdigit()
    assert data["lijst"] == [2, 4] and "i" not in data and data["d"] == {"k": 1, "j": 2}


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("(x := 1)", UnsafeExpression),
        ("'a' * 10 ** 9", TooLarge),
        ("sum(x for x in range(10 ** 6) for y in range(10 ** 6))", TooSlow),
        ("10 ** 10 ** 10", TooLarge),
        ("afdeling.upper().__class__", UnsafeExpression),
    ],
)
def test_functie_and_controle_expressions_run_in_the_sandbox(code: str, error: type[DiagramCodeError]) -> None:
    started = time.monotonic()
    with pytest.raises(error):
        evaluate_expression(code, {"afdeling": "lezen"})
    print(f"\n  {code}: stopped after {time.monotonic() - started:.2f} s")


@pytest.mark.parametrize(
    ("template", "error"),
    [
        ("{{ 'a' * 10 ** 9 }}", TooLarge),
        ("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", TooSlow),
        ("{{ '{:>999999999}'.format(1) }}", UnsafeExpression),
        ("{{ 'x' | center(999999999) }}", UnsafeExpression),
        ("{% for a in range(100000) %}{{ 'x' * 1000 }}{% endfor %}", TooLarge),
        ("{{ lipsum(1000000) }}", DiagramCodeError),
        ("{{ naam.__class__.__mro__ }}", DiagramCodeError),
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", DiagramCodeError),
        ("{% for i in range(100000) %}{% for j in range(100000) %}{{ i }}{% endfor %}{% endfor %}", TooLarge),
    ],
)
def test_instructions_render_in_the_sandbox(template: str, error: type[DiagramCodeError]) -> None:
    started = time.monotonic()
    with pytest.raises(error):
        render_instruction(template, {"naam": "Jan"})
    print(f"\n  {template[:40]}: stopped after {time.monotonic() - started:.2f} s")


def test_instructions_render_once_without_double_escaping() -> None:
    text = render_instruction("Overleg met {{ school }} & ouders", {"school": "De Es & De Eik"})

    assert text == "Overleg met De Es & De Eik & ouders"


def test_the_jinja_instruction_check_speaks_dutch(tmp_path: Path) -> None:
    xml = (
        diagram("script", "x = 1")
        .decode()
        .replace(
            '<bpmn:userTask id="invoer" name="Invoer">',
            '<bpmn:userTask id="invoer" name="Invoer"><bpmn:documentation>{{ x | center(5) }}</bpmn:documentation>',
        )
    )
    path = tmp_path / "vijandig.bpmn"
    path.write_text(xml, "utf-8")

    problems = [p for p in check_file(path) if "instructie" in p]

    assert problems and "filter ‘center’ bestaat niet of is niet toegestaan" in problems[0], problems


def _data(run: Run) -> dict[str, Any]:
    return dict(run.wf.last_task.data)


@pytest.mark.parametrize(
    ("name", "value"),
    [("controle", "().__class__"), ("controle:reden", "(x := 1)"), ("functie", "=__import__('os')")],
)
def test_controle_and_functie_expressions_are_checked_before_they_run(tmp_path: Path, name: str, value: str) -> None:
    xml = (
        diagram("script", "x = 1")
        .decode()
        .replace(
            '<spiffworkflow:property name="formulier" value="geen" />',
            f'<spiffworkflow:property name="formulier" value="geen" /><spiffworkflow:property name="{name}" value="{escape(value, {chr(34): "&quot;"})}" />',
        )
    )
    path = tmp_path / "vijandig.bpmn"
    path.write_text(xml, "utf-8")

    problems = [p for p in check_file(path) if f"eigenschap {name}" in p]

    assert problems and problems[0].split(": ")[1] == "invoer", check_file(path)


def test_no_matching_branch_is_said_in_dutch_with_the_values_tested() -> None:
    xml = diagram("script", "x = 2").replace(b' default="fb"', b"")
    xml = xml.replace(
        b'<bpmn:sequenceFlow id="fb" sourceRef="gw_keuze" targetRef="end_b" />',
        b'<bpmn:sequenceFlow id="fb" sourceRef="gw_keuze" targetRef="end_b">'
        b'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">x == 3</bpmn:conditionExpression>'
        b"</bpmn:sequenceFlow>",
    )
    run = run_unchecked(xml)
    [task] = run.ready_user_tasks()

    with pytest.raises(EngineError) as raised:
        run.complete(str(task.id), {})
        run.fast_forward_timers()

    assert str(raised.value) == "Geen van de uitgaande paden van ‘gw_keuze’ past bij de invoer (x = 2)."
    assert raised.value.bpmn_id == "gw_keuze"


def test_a_loop_of_slow_lookups_is_stopped_by_the_deadline_not_after_many_more_passes() -> None:
    import workflow.engine.expressions as expressions

    calls: list[int] = []

    def traag() -> int:
        time.sleep(0.01)  # a lookup in the database
        calls.append(1)
        return 1

    expressions.register_lookup_helper("traag_opzoeken", traag)
    try:
        with pytest.raises(TooSlow, match="langer dan"):
            evaluate_expression("sum(traag_opzoeken() for i in range(10 ** 6))", {})
    finally:
        del expressions.LOOKUP_HELPERS["traag_opzoeken"]
        expressions._compiled.cache_clear()
    assert len(calls) < 150  # 1 s of 10 ms lookups, not hundreds of passes past the deadline
