"""Gateway conditions against the choices of the forms that set the fields they test.

A condition is judged only when it is fully understood: comparisons of one name with literals
(``==``, ``!=``, ``is``, ``in``/``not in`` a tuple, list or set, or a bare name as a truth test)
joined by ``and``/``or``/``not``. A field's choices are those of the forms that last set it on
the way back from the gateway (``enum``, the ``const`` of each ``oneOf``, or True/False); when
a script, a free-text field or something this check cannot see sets it, nothing is judged.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypeGuard

from lxml import etree

from workflow.engine.flow_graph import NS, Graph, parsed

if TYPE_CHECKING:
    from workflow.engine.check import _Report

_Choices = list[tuple[str, list[Any]]]  # (form file, the values it offers) per form
_EQUALITY = (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)
_MEMBERSHIP = (ast.In, ast.NotIn)
_DECIDING = ("exclusiveGateway", "inclusiveGateway")


def check_gateway_values(report: _Report, graph: Graph) -> None:
    """Literals a form cannot give, and form values that match no outgoing flow."""
    for step in graph.steps.values():
        conditions: list[ast.expr | None] = []
        for flow in graph.outgoing(step.id):
            node = flow.find("bpmn:conditionExpression", NS)
            tree = parsed(node.text or "", "eval") if node is not None else None
            body = tree.body if isinstance(tree, ast.Expression) and _understood(tree.body) else None
            conditions.append(body)
            if node is not None and body is not None:
                _check_literals(report, graph, step.id, node, body)
        if step.kind in _DECIDING and not step.element.get("default") and conditions and all(conditions):
            _check_every_value_leads_somewhere(report, graph, step.id, [c for c in conditions if c])


def _check_literals(report: _Report, graph: Graph, step_id: str, node: etree._Element, body: ast.expr) -> None:
    for name, literals in _comparisons(body):
        choices = _choices(graph, step_id, name)
        if choices is None:
            continue
        offered = [v for _file, values in choices for v in values]
        for literal in literals:
            if literal not in offered:
                report.at(node, _unknown_literal(name, literal, choices, offered))


def _unknown_literal(name: str, literal: Any, choices: _Choices, offered: list[Any]) -> str:
    files = list(dict.fromkeys(f"‘{file}’" for file, _values in choices))
    forms = f"het formulier {files[0]} kent" if len(files) == 1 else f"de formulieren {', '.join(files)} kennen"
    texts = [str(v) for v in dict.fromkeys(offered)]
    message = f"voorwaarde vergelijkt {name} met {literal!r}, maar {forms} alleen: {', '.join(texts)}"
    match = difflib.get_close_matches(str(literal), texts, n=1)
    return message + (f" (bedoelde u {offered[[str(v) for v in offered].index(match[0])]!r}?)" if match else "")


def _check_every_value_leads_somewhere(report: _Report, graph: Graph, step_id: str, bodies: list[ast.expr]) -> None:
    tested = dict.fromkeys(name for body in bodies for name in _names(body))
    for name in tested:
        seen: set[str] = set()
        for file, values in _choices(graph, step_id, name) or []:
            for value in values:
                if repr(value) in seen or any(_truth(body, name, value) is not False for body in bodies):
                    continue
                seen.add(repr(value))
                report.at(
                    graph.steps[step_id].element,
                    f"waarde {value!r} van {name} (formulier ‘{file}’) leidt nergens heen bij ‘{step_id}’: "
                    "geen uitgaand pad past en er is geen standaardpad",
                )


def _choices(graph: Graph, step_id: str, name: str) -> _Choices | None:
    """The values the forms that last set ``name`` before ``step_id`` offer (None: unknown)."""
    found: _Choices = []
    seen: set[str] = set()
    todo = [step_id]
    while todo:
        step = graph.steps[todo.pop()]
        if step.id in seen:
            continue
        seen.add(step.id)
        if step.anything or name in step.scripted or (name in step.pre and name not in step.fields):
            return None  # a script or something unseen sets it: its value cannot be known here
        if name in step.fields:
            values = _offered(step.fields[name])
            if values is None:
                return None
            found.append((step.form_file, values))
        else:
            todo.extend(graph.pred[step.id])
    return found or None


def _offered(prop: Any) -> list[Any] | None:
    if not isinstance(prop, dict):
        return None
    if isinstance(prop.get("enum"), list):
        return list(prop["enum"])
    if isinstance(prop.get("oneOf"), list) and all(isinstance(o, dict) and "const" in o for o in prop["oneOf"]):
        return [o["const"] for o in prop["oneOf"]]
    return [True, False] if prop.get("type") == "boolean" else None


# --- understanding a condition --------------------------------------------------------------
def _understood(node: ast.expr) -> bool:
    if isinstance(node, ast.BoolOp):
        return all(_understood(v) for v in node.values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return _understood(node.operand)
    if isinstance(node, ast.Compare):
        return _compared(node) is not None
    return isinstance(node, ast.Name) or (isinstance(node, ast.Constant) and not isinstance(node.value, str))


def _compared(node: ast.Compare) -> tuple[str, ast.cmpop, list[Any]] | None:
    """(name, operator, literals) of ``name == "x"``, ``"x" != name``, ``name in ("a", "b")``."""
    if len(node.ops) != 1:
        return None
    op, left, right = node.ops[0], node.left, node.comparators[0]
    if isinstance(op, _EQUALITY) and isinstance(right, ast.Name) and isinstance(left, ast.Constant):
        left, right = right, left
    if not isinstance(left, ast.Name):
        return None
    if isinstance(op, _EQUALITY) and _literal(right):
        return left.id, op, [right.value]
    elements = right.elts if isinstance(right, ast.Tuple | ast.List | ast.Set) else []
    if isinstance(op, _MEMBERSHIP) and elements and all(_literal(e) for e in elements):
        return left.id, op, [e.value for e in elements if isinstance(e, ast.Constant)]
    return None


def _literal(node: ast.expr) -> TypeGuard[ast.Constant]:
    return isinstance(node, ast.Constant) and isinstance(node.value, str | int | float | bool)


def _comparisons(node: ast.expr) -> Iterator[tuple[str, list[Any]]]:
    for child in ast.walk(node):
        if isinstance(child, ast.Compare) and (parts := _compared(child)):
            yield parts[0], parts[2]


def _names(node: ast.expr) -> Iterator[str]:
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            yield child.id


def _truth(node: ast.expr, name: str, value: Any) -> bool | None:
    """Whether ``node`` holds when ``name`` has ``value``; None when that depends on other data."""
    if isinstance(node, ast.Constant):
        return bool(node.value)
    if isinstance(node, ast.Name):
        return bool(value) if node.id == name else None
    if isinstance(node, ast.UnaryOp):
        inner = _truth(node.operand, name, value)
        return None if inner is None else not inner
    if isinstance(node, ast.BoolOp):
        results = [_truth(v, name, value) for v in node.values]
        decisive = isinstance(node.op, ast.Or)  # True decides an "or", False an "and"
        if any(r is decisive for r in results):
            return decisive
        return None if any(r is None for r in results) else not decisive
    parts = _compared(node) if isinstance(node, ast.Compare) else None
    if parts is None or parts[0] != name:
        return None
    _name, op, literals = parts
    if isinstance(op, ast.Is | ast.IsNot):  # ``is True`` is not ``== 1``
        holds = any(type(v) is type(value) and v == value for v in literals)
    else:
        holds = value in literals
    return holds if isinstance(op, ast.Eq | ast.Is | ast.In) else not holds
