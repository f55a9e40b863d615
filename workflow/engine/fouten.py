"""Engine failures in Dutch: what a user or a process owner reads when a diagram cannot go on.

SpiffWorkflow's own messages are English and name Python internals ("No conditions satisfied
for gw", "Error evaluating expression …"). ``vertaal`` turns any exception raised while a
diagram runs into one Dutch sentence that names the element, and never passes English text on.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import Task

from workflow.engine.expressions import DiagramCodeError, TooLarge, TooSlow, UnsafeExpression

_NO_BRANCH = re.compile(r"No conditions satisfied (?:for (\S+?)[.,;:]?(?=\s|$)|on gateway)")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _what(spec: Any) -> str:
    """'Het script', 'De voorwaarde', … for the kind of element that failed."""
    kind = type(spec).__name__ if spec is not None else ""
    if "Script" in kind:
        return "Het script"
    if "Gateway" in kind:
        return "De voorwaarde"
    if "Event" in kind or "Timer" in kind:
        return "De timer"
    if "UserTask" in kind or "ManualTask" in kind:
        return "De code"
    return "De code"


def _spec_of(exc: BaseException) -> Any:
    task = getattr(exc, "task", None)
    return task.task_spec if task is not None else getattr(exc, "task_spec", None)


def vertaal(
    exc: BaseException, wf: BpmnWorkflow | None = None, fallback_id: str | None = None
) -> tuple[str, str | None]:
    """(Dutch message, BPMN id of the element) for an exception raised while a diagram ran."""
    chain = list(_chain(exc))
    spec = next((s for s in map(_spec_of, chain) if s is not None), None)
    bpmn_id = getattr(spec, "bpmn_id", None) or fallback_id
    where = f"‘{bpmn_id}’" if bpmn_id else "dit onderdeel"
    what = _what(spec)
    for item in chain:
        if isinstance(item, DiagramCodeError):
            item = type(item)(str(item).rstrip("."))
        if isinstance(item, TooSlow):
            return f"{what} bij {where} duurde te lang en is gestopt ({item}).", bpmn_id
        if isinstance(item, TooLarge):
            return f"{what} bij {where} werd te groot en is gestopt: {item}.", bpmn_id
        if isinstance(item, UnsafeExpression):
            return f"{what} bij {where} gebruikt iets dat niet is toegestaan: {item}.", bpmn_id
        if isinstance(item, DiagramCodeError):
            return f"{what} bij {where} kon niet verder: {item}.", bpmn_id
    message = " ".join(str(item) for item in chain[:1])
    branch = _NO_BRANCH.search(message)
    if branch:
        gateway = branch.group(1) or bpmn_id
        return _no_branch(wf, gateway, spec), gateway
    for item in chain:
        known = _python_error(item)
        if known:
            return f"{what} bij {where} {known}.", bpmn_id
    if "Invalid duration" in message or "timer" in message.lower():
        return f"De timer bij {where} heeft geen geldige duur of datum.", bpmn_id
    return f"Het proces kon niet verder bij {where} (interne fout: {type(chain[-1]).__name__}).", bpmn_id


def _python_error(exc: BaseException) -> str | None:
    if isinstance(exc, NameError):
        name = getattr(exc, "name", None) or _quoted(str(exc))
        return f"gebruikt ‘{name}’, maar die waarde bestaat (nog) niet in deze zaak"
    if isinstance(exc, KeyError):
        key = exc.args[0] if exc.args else "?"
        return f"zoekt ‘{key}’ op, maar die bestaat niet"
    if isinstance(exc, IndexError):
        return "zoekt een element op dat niet in de lijst staat"
    if isinstance(exc, ZeroDivisionError):
        return "deelt door nul"
    if isinstance(exc, OverflowError):
        return "rekent met een getal, datum of duur die te groot is"
    if isinstance(exc, TypeError):
        return "rekent of vergelijkt met waarden van een verkeerd soort (zoals tekst met een getal)"
    if isinstance(exc, AttributeError):
        return "gebruikt een eigenschap die deze waarde niet heeft"
    if isinstance(exc, ValueError):
        return "kreeg een waarde die niet past"
    if isinstance(exc, SyntaxError):
        return "bevat een syntaxfout"
    return None


def _quoted(text: str) -> str:
    match = re.search(r"'([^']+)'", text)
    return match.group(1) if match else "?"


def _no_branch(wf: BpmnWorkflow | None, gateway: str | None, spec: Any) -> str:
    """Geen van de uitgaande paden van ‘gw’ past bij de invoer (besluit = 'x')."""
    where = f"‘{gateway}’" if gateway else "deze splitsing"
    values = _tested_values(wf, gateway, spec)
    shown = f" ({', '.join(values)})" if values else ""
    return f"Geen van de uitgaande paden van {where} past bij de invoer{shown}."


def _tested_values(wf: BpmnWorkflow | None, gateway: str | None, spec: Any) -> list[str]:
    if wf is None or gateway is None:
        return []
    gateway_spec = spec if getattr(spec, "bpmn_id", None) == gateway else wf.spec.task_specs.get(gateway)
    names: set[str] = set()
    for condition, _target in getattr(gateway_spec, "cond_task_specs", []) or []:
        expression = getattr(condition, "args", [None])[0]
        try:
            tree = ast.parse(str(expression), mode="eval")
        except (SyntaxError, ValueError):
            continue
        names.update(n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not n.id.startswith("_"))
    task = _latest_task(wf, gateway)
    data = task.data if task is not None else {}
    return [f"{name} = {_short(data[name])}" for name in sorted(names) if name in data]


def _latest_task(wf: BpmnWorkflow, bpmn_id: str) -> Task | None:
    tasks = [t for t in wf.tasks.values() if t.task_spec.bpmn_id == bpmn_id]
    return max(tasks, key=lambda t: t.last_state_change) if tasks else None


def _short(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "…"
