"""A diagram's process as a graph of flow nodes, with what each node sets in the task data.

Used by the whole-diagram checks (workflow/engine/check_flow.py). Besides sequence flows the
graph links a task to its boundary events, a subprocess to its start events, a scope to its
event subprocesses and a link throw event to its catch event, so "reached" and "upstream"
follow the token the way the engine moves it.
"""

from __future__ import annotations

import ast
import difflib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from lxml import etree

from workflow.engine.expressions import allowed_calls, expression_problem

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
PROPERTY = "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property"
FLOW_NODES = frozenset({
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
    "businessRuleTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway",
})  # fmt: skip
SCOPES = frozenset({"subProcess", "transaction", "adHocSubProcess"})
_SETS_ANYTHING = frozenset({"callActivity", "serviceTask", "businessRuleTask", "receiveTask"})
_EXTENSION = "bpmn:extensionElements/spiffworkflow:"


def local(node: etree._Element) -> str:
    return etree.QName(node).localname


def properties(node: etree._Element) -> Iterator[tuple[etree._Element, str, str]]:
    """(property node, name, value) of every spiffworkflow property of one element."""
    for prop in node.xpath(f"./{PROPERTY}", namespaces=NS):
        yield prop, str(prop.get("name") or ""), str(prop.get("value") or "")


def did_you_mean(word: str, candidates: Iterable[str], quote: str = "‘{}’") -> str:
    match = difflib.get_close_matches(word, [c for c in candidates if c != word], n=1)
    return f" (bedoelde u {quote.format(match[0])}?)" if match else ""


def parsed(code: str, mode: str) -> ast.AST | None:
    """The syntax tree of a condition or script; None when empty or already reported as wrong."""
    if not code.strip() or expression_problem(code, mode):
        return None
    return ast.parse(code, mode=mode)


def stored_names(code: str) -> set[str]:
    """What a script assigns; also for a script refused for another reason (reported once, there)."""
    try:
        tree: ast.AST | None = ast.parse(code, mode="exec") if code.strip() else None
    except (SyntaxError, ValueError):
        tree = None
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)} if tree else set()


def read_names(tree: ast.AST) -> set[str]:
    """Names an expression reads from the task data (not helpers, not its own assignments)."""
    nodes = list(ast.walk(tree))
    called = {n.func.id for n in nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    stored = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    loaded = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return loaded - stored - called - allowed_calls()


@dataclass
class Step:
    """One flow node, with what it sets in the task data."""

    element: etree._Element
    kind: str
    form_file: str = ""
    fields: dict[str, Any] = field(default_factory=dict)  # its form's schema properties
    pre: set[str] = field(default_factory=set)  # set by its preScript
    scripted: set[str] = field(default_factory=set)  # set by its script or postScript
    anything: bool = False  # may set names this check cannot see

    @property
    def id(self) -> str:
        return str(self.element.get("id"))

    @property
    def sets(self) -> set[str]:
        return self.pre | self.scripted | set(self.fields)

    def code(self, part: str) -> list[etree._Element]:
        """The script (``script``), ``preScript`` or ``postScript`` nodes of this step."""
        return self.element.findall("bpmn:script" if part == "script" else _EXTENSION + part, NS)


class Graph:
    """The flow nodes of one process and how a token moves between them."""

    def __init__(self, folder: Path, process: etree._Element) -> None:
        self.process = process
        nodes = [n for n in process.iter(etree.Element) if local(n) in FLOW_NODES]
        self.steps = {str(n.get("id")): _step(folder, n) for n in nodes}
        self.flows = list(process.iter(f"{{{NS['bpmn']}}}sequenceFlow"))
        self.succ: dict[str, list[str]] = {i: [] for i in self.steps}
        self.pred: dict[str, list[str]] = {i: [] for i in self.steps}
        self.entry: list[str] = []
        for flow in self.flows:
            self._edge(str(flow.get("sourceRef")), str(flow.get("targetRef")))
        for step in self.steps.values():
            self._link(step)
        for sub in [s for s in self.steps.values() if s.kind in SCOPES]:  # its data stays after it
            inner = [self.steps[str(n.get("id"))] for n in sub.element.iterdescendants() if n.get("id") in self.steps]
            sub.scripted |= set().union(*(s.sets for s in inner))
            sub.anything = sub.anything or any(s.anything for s in inner)

    def _edge(self, source: str, target: str) -> None:
        if source in self.steps and target in self.steps:
            self.succ[source].append(target)
            self.pred[target].append(source)

    def _link(self, step: Step) -> None:
        parent = step.element.getparent()
        if step.kind == "boundaryEvent":
            self._edge(str(step.element.get("attachedToRef")), step.id)
        elif parent is not None and (step.kind == "startEvent" or is_event_subprocess(step.element)):
            if parent is self.process:
                self.entry.append(step.id)
            else:
                self._edge(str(parent.get("id")), step.id)
            if is_event_subprocess(step.element):  # may start at any moment: sees all its scope set
                siblings = [str(n.get("id")) for n in parent if n.get("id") in self.steps]
                self.pred[step.id].extend(s for s in siblings if s != step.id)
        elif step.kind == "intermediateThrowEvent" and (name := link_name(step.element)) is not None:
            for other in self.steps.values():
                if other.kind == "intermediateCatchEvent" and link_name(other.element) == name:
                    self._edge(step.id, other.id)

    @cached_property
    def reached(self) -> set[str]:
        return _closure(self.entry, self.succ) | set(self.entry)

    def upstream(self, step_id: str) -> set[str]:
        """Every step from which ``step_id`` can be reached (itself only within a loop)."""
        return _closure([step_id], self.pred)

    def outgoing(self, step_id: str) -> list[etree._Element]:
        return [f for f in self.flows if f.get("sourceRef") == step_id]


def _closure(start: Iterable[str], edges: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    todo = [n for s in start for n in edges.get(s, [])]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(edges.get(node, []))
    return seen


def is_event_subprocess(node: etree._Element) -> bool:
    return local(node) in SCOPES and node.get("triggeredByEvent") == "true"


def link_name(node: etree._Element) -> str | None:
    link = node.find("bpmn:linkEventDefinition", NS)
    return str(link.get("name") or "") if link is not None else None


def _step(folder: Path, node: etree._Element) -> Step:
    step = Step(node, local(node))
    step.anything = step.kind in _SETS_ANYTHING or node.find("bpmn:messageEventDefinition", NS) is not None
    step.pre = set().union(*(stored_names(n.text or "") for n in step.code("preScript")))
    scripts = step.code("script") + step.code("postScript")
    step.scripted = set().union(*(stored_names(n.text or "") for n in scripts))
    form = _load_form(folder, node)
    if form is None:
        step.anything = True  # a form this check cannot read may hold any field
    elif form:
        step.form_file, step.fields = form
    return step


def _load_form(folder: Path, task: etree._Element) -> tuple[str, dict[str, Any]] | tuple[()] | None:
    """(file, schema properties) of a task's form; () when it has none; None when unreadable."""
    name = next((v for _n, k, v in properties(task) if k == "formJsonSchemaFilename"), None)
    if name is None:
        return ()
    if not name or Path(name).name != name or name.startswith(".") or not (folder / name).is_file():
        return None
    try:
        schema = json.loads((folder / name).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    fields = schema.get("properties") if isinstance(schema, dict) else None
    return (name, fields) if isinstance(fields, dict) else None
