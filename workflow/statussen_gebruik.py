"""Which statuses a diagram sets, and which of those running cases still need (``bpmn check``).

Split from ``workflow/statussen.py`` (the vocabulary itself): this part reads diagrams and the
database to say what removing a status from ``statussen.yaml`` would break.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from models import ProcessDefinition, ProcessInstance, db
from workflow.statussen import lees


# --- statuses a diagram sets ------------------------------------------------------------------
def zet_status_teksten(code: str) -> Iterator[tuple[str, bool]]:
    """The literal text of each zet_status(...) status in a script; True when only its start is fixed."""
    for node in ast.walk(ast.parse(code, mode="exec")):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "zet_status":
            keywords = [k.value for k in node.keywords if k.arg == "status"]
            literal = _leading_text(node.args[0] if node.args else next(iter(keywords), None))
            if literal is not None:
                yield literal


def _leading_text(node: ast.expr | None) -> tuple[str, bool] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, False
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _leading_text(node.left)
        return (left[0], True) if left else None
    if isinstance(node, ast.JoinedStr) and node.values:
        first = _leading_text(node.values[0])
        return (first[0], len(node.values) > 1) if first else None
    return None


def statussen_in_spec(spec: dict[str, Any]) -> dict[tuple[str, bool], list[str]]:
    """(status, only its start) → task ids, for a stored spec (``ProcessDefinition.spec``)."""
    gevonden: dict[tuple[str, bool], list[str]] = {}
    processen = [spec.get("spec") or {}, *(spec.get("subprocess_specs") or {}).values()]
    for proces in processen:
        for task_spec in (proces.get("task_specs") or {}).values():
            taak = str(task_spec.get("bpmn_id") or task_spec.get("name"))
            for sleutel in _statussen_van_taak(task_spec):
                gevonden.setdefault(sleutel, []).append(taak)
    return gevonden


def _statussen_van_taak(task_spec: dict[str, Any]) -> Iterator[tuple[str, bool]]:
    props = (task_spec.get("extensions") or {}).get("properties") or {}
    if props.get("status"):
        yield str(props["status"]), False
    for sleutel in ("script", "prescript", "postscript"):
        code = task_spec.get(sleutel)
        if isinstance(code, str) and code.strip():
            try:
                yield from zet_status_teksten(code)
            except SyntaxError:
                continue  # a published script was checked; nothing to find in one that is not


def ontbrekende_statussen_in_gebruik(bpmn_dir: str | Path | None = None) -> list[str]:
    """Statuses that versions with running cases still set but the vocabulary no longer has.

    Removing such a status would break those cases when they reach the task that sets it.
    Needs an app context with a database.
    """
    lijst = lees(bpmn_dir)
    lopend = (
        sa.select(ProcessInstance.definition_id, sa.func.count(ProcessInstance.id))
        .where(ProcessInstance.completed.is_(False))
        .group_by(ProcessInstance.definition_id)
    )
    meldingen: list[str] = []
    for definition_id, aantal in db.session.execute(lopend).all():
        definition = db.session.get(ProcessDefinition, definition_id)
        if definition is None:
            continue
        for (status, begin), taken in statussen_in_spec(definition.spec).items():
            if lijst.is_bekend_begin(status) if begin else lijst.is_bekend(status):
                continue
            zaken = "1 lopende zaak" if aantal == 1 else f"{aantal} lopende zaken"
            meldingen.append(
                f"{lijst.pad.name}: status ‘{status}{'…' if begin else ''}’ ontbreekt, maar {zaken} van "
                f"{definition.naam} (versie {definition.versie}) {'zet' if aantal == 1 else 'zetten'} hem nog "
                f"(bij {', '.join(sorted(set(taken)))})"
            )
    return meldingen
