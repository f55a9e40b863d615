"""Checks that read a diagram as a whole, not element by element (part of ``flask bpmn check``).

Run by ``check_file`` after the structure check, and only when that found nothing. Each
problem is one Dutch line naming the element concerned:

- a gateway condition compares a form field with a value the form does not offer, or a value
  the form offers leads nowhere (no matching outgoing flow and no default flow);
- a user task has no form and does not say ``formulier="geen"``;
- a task property whose name the engine does not know (a typo such as ``statuss``);
- a flow node no path from a start event reaches, or one without an outgoing flow;
- a variable read before any form, script or start data upstream can have set it.

"Upstream" is every element from which the reading element can be reached (so loops count),
plus, for a condition, ``controle`` or postScript, the element's own form and scripts.

Where it can be fooled:

- names built at run time (``data[naam]``, a dict a script fills) are invisible, and a data
  field named like a helper (``bedrag``, ``datum``) is taken for the helper;
- data the app sets outside the diagram is only known through START_DATA: a diagram started
  with more (a new start_data key, a scenario's ``gegevens:``), or reading data an LVS push or a
  lookup writes into the task data, gets a false report until START_DATA lists it;
- everything set inside a subprocess counts as set after it and everywhere inside it; call
  activities, service, business-rule and receive tasks and message catch events (message
  payloads) count as setting anything, so nothing after them is judged;
- a variable set on only one of the paths into an element counts as set: a condition that reads
  a field filled on another path only is not caught;
- only conditions made entirely of comparisons of a name with literals (``==``, ``!=``, ``is``,
  ``in``/``not in``, a bare name) joined by ``and``/``or``/``not`` are judged for their values,
  and only for fields whose last setter is a form with choices; the rest is skipped silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from jinja2 import TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from workflow.engine.expressions import allowed_calls
from workflow.engine.flow_graph import (
    NS,
    PROPERTY,
    Graph,
    Step,
    did_you_mean,
    is_event_subprocess,
    link_name,
    parsed,
    properties,
    read_names,
)
from workflow.engine.flow_values import check_gateway_values

if TYPE_CHECKING:
    from workflow.engine.check import _Report

# Every task property the engine or the app reads (workflow/engine/run.py, runtime.py,
# workflow/meldingen.py; README "What a diagram can use"). ``formulier="geen"`` says that a
# user task needs no form on purpose; only this check reads it.
KNOWN_PROPERTIES = (
    "formJsonSchemaFilename", "formUiSchemaFilename", "formulier", "status", "statusReden",
    "functie", "toegewezenAan", "doorlooptijd", "controle", "mailSchool",
)  # fmt: skip
PROPERTY_PREFIXES = ("controle:",)  # controle:<veld>
# What every diagram finds in its data at the start: start_data in workflow/engine/runtime.py
# (START_GEGEVENS in workflow/engine/scenarios.py); no process is started with more.
START_DATA = frozenset({"hulpvraag_id", "titel", "aanvraagnummer"})
NO_FORM = "geen"
_ISO_NAME = re.compile(r"R?\d*P[\dYMWDTHS]*", re.IGNORECASE)  # a bare P10D: the timer check reports it
_JINJA = SandboxedEnvironment(autoescape=True)
_Read = tuple[str, etree._Element, set[str], bool]


def check_flow(report: _Report) -> None:
    """Add the whole-diagram problems to ``report`` (nothing when the structure is broken)."""
    if report.found or report.tree is None:
        return
    _check_property_names(report)
    for process in report.xpath("//bpmn:process[@isExecutable='true']"):
        graph = Graph(report.path.parent, process)
        _check_forms_present(report, graph)
        _check_reachable(report, graph)
        check_gateway_values(report, graph)
        _check_variables(report, graph, START_DATA)


# --- properties and forms -------------------------------------------------------------------
def _check_property_names(report: _Report) -> None:
    known = (*KNOWN_PROPERTIES, *(prefix + "…" for prefix in PROPERTY_PREFIXES))
    for element in report.xpath(f"//bpmn:*[{PROPERTY}]"):
        for node, name, value in properties(element):
            if name == "formulier" and value != NO_FORM:
                report.at(node, f'eigenschap formulier: alleen "{NO_FORM}" kan (een taak zonder formulier)')
            elif name not in KNOWN_PROPERTIES and not name.startswith(PROPERTY_PREFIXES):
                hint = did_you_mean(name, known) or f" (bekend: {', '.join(known)})"
                report.at(node, f"onbekende eigenschap ‘{name}’{hint}")


def _check_forms_present(report: _Report, graph: Graph) -> None:
    for step in graph.steps.values():
        names = {name: value for _node, name, value in properties(step.element)}
        has_form, no_form = "formJsonSchemaFilename" in names, names.get("formulier") == NO_FORM
        if has_form and no_form:
            report.at(step.element, 'taak met een formulier én formulier="geen": haal een van beide weg')
        elif step.kind == "userTask" and not has_form and not no_form:
            report.at(
                step.element,
                "gebruikerstaak zonder formulier: geef formJsonSchemaFilename op, of zet de eigenschap "
                'formulier="geen" als de taak er geen nodig heeft',
            )


# --- reachability ---------------------------------------------------------------------------
def _check_reachable(report: _Report, graph: Graph) -> None:
    for step in graph.steps.values():
        scope = step.element.getparent()
        if scope is not None and scope is not graph.process and str(scope.get("id")) not in graph.reached:
            continue  # inside an unreachable subprocess: the subprocess itself is reported
        if step.id not in graph.reached:
            report.at(step.element, "niet bereikbaar: geen pad vanaf een startgebeurtenis komt hier")
        elif _needs_outgoing(step) and not graph.outgoing(step.id):
            report.at(
                step.element,
                "geen uitgaande pijl: hier stopt dit pad zonder eindgebeurtenis "
                "(verbind het met de volgende stap of met een eindgebeurtenis)",
            )


def _needs_outgoing(step: Step) -> bool:
    if step.kind == "endEvent" or is_event_subprocess(step.element):
        return False
    if step.kind == "intermediateThrowEvent" and link_name(step.element) is not None:
        return False  # a link jumps to its catch event
    return step.element.find("bpmn:compensateEventDefinition", NS) is None


# --- variables ------------------------------------------------------------------------------
def _check_variables(report: _Report, graph: Graph, start_data: frozenset[str]) -> None:
    everywhere = start_data.union(*(s.sets for s in graph.steps.values()))
    for step_id, node, names, own in _reads(graph):
        known = _available(graph, step_id, own, start_data)
        for name in sorted(names - known) if known is not None else []:
            report.at(node, _unset_message(graph, name, everywhere))


def _available(graph: Graph, step_id: str, own: bool, start_data: frozenset[str]) -> set[str] | None:
    """What the task data can hold at a read in ``step_id`` (None: this check cannot know)."""
    step = graph.steps[step_id]
    before = [graph.steps[s] for s in graph.upstream(step_id)]
    if any(s.anything for s in before) or (own and step.anything):
        return None
    known = set(start_data).union(*(s.sets for s in before)) | step.pre
    return known | step.sets if own else known


def _unset_message(graph: Graph, name: str, everywhere: frozenset[str]) -> str:
    message = f"variabele ‘{name}’ wordt gelezen, maar geen formulier, script of startgegeven ervoor zet hem"
    later = next((s.id for s in graph.steps.values() if name in s.sets), None)
    return f"{message} (dat gebeurt pas bij ‘{later}’)" if later else message + did_you_mean(name, everywhere)


def _reads(graph: Graph) -> Iterator[_Read]:
    """(reading step, node, names read, whether the step's own form and scripts count)."""
    for flow in graph.flows:
        condition, source = flow.find("bpmn:conditionExpression", NS), str(flow.get("sourceRef"))
        if condition is not None and source in graph.steps:
            yield from _code_reads(source, condition, condition.text, "eval", True)
    for step in graph.steps.values():
        for part, own in (("preScript", False), ("script", True), ("postScript", True)):
            for node in step.code(part):
                yield from _code_reads(step.id, node, node.text, "exec", own)
        for node in step.element.xpath(_TIMERS, namespaces=NS):
            if not _ISO_NAME.fullmatch((node.text or "").strip()):
                yield from _code_reads(step.id, node, node.text, "eval", False)
        yield from _property_reads(step)
        if step.kind in ("userTask", "manualTask"):
            yield from _instruction_reads(step)


_TIMERS = "./*/bpmn:timeDate | ./*/bpmn:timeDuration | ./*/bpmn:timeCycle | ./*/bpmn:condition"


def _code_reads(step_id: str, node: etree._Element, code: str | None, mode: str, own: bool) -> Iterator[_Read]:
    tree = parsed(code or "", mode)
    if tree is not None:
        yield step_id, node, read_names(tree), own


def _property_reads(step: Step) -> Iterator[_Read]:
    """``controle`` sees the submitted form; ``functie`` and ``toegewezenAan`` are read before it."""
    for node, name, value in properties(step.element):
        if name == "controle" or name.startswith("controle:"):
            yield from _code_reads(step.id, node, value, "eval", True)
        elif name == "functie" and value.startswith("="):
            yield from _code_reads(step.id, node, value[1:], "eval", False)
        elif name == "toegewezenAan" and value.isidentifier():
            yield step.id, node, {value}, False


def _instruction_reads(step: Step) -> Iterator[_Read]:
    for node in step.element.findall("bpmn:documentation", NS):
        try:
            names = meta.find_undeclared_variables(_JINJA.parse(node.text or ""))
        except TemplateSyntaxError:
            continue  # reported by the instruction check
        yield step.id, node, set(names) - set(_JINJA.globals) - allowed_calls(), False
