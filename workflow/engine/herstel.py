"""Repairing a stuck case (an incident): move it back to an earlier task, skip the failing element,
or stop the aanpak. The use cases and their audit live in workflow/incidenten.py.

Like runtime.py, each function flushes but never commits, and raises before changing anything when
the engine cannot do it safely (HerstelGeweigerd, with the reason in Dutch). A step that fails again
raises ProcessFailed, as any completion does: the caller rolls back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from models import HumanTask, ProcessDefinition, ProcessInstance, User, db
from workflow.engine.run import EngineError, Run, TaskNotReady
from workflow.engine.runtime import (
    ProcessFailed,
    TaskAlreadyDone,
    _load,
    _lock,
    _persist,
    complete_task,
)


class HerstelGeweigerd(Exception):
    """The engine cannot do this safely; the message says why. Nothing was changed."""


# --- what kind of element ----------------------------------------------------------------
def element_soort(definition: ProcessDefinition | None, bpmn_id: str) -> str:
    """The element's SpiffWorkflow type name in this version ("ScriptTask", "ExclusiveGateway", …)."""
    if definition is None:
        return ""
    task_specs: dict[str, Any] = definition.spec.get("spec", {}).get("task_specs", {})
    return str((task_specs.get(bpmn_id) or {}).get("typename") or "")


def overslaan_geweigerd(definition: ProcessDefinition | None, bpmn_id: str) -> str | None:
    """Why ``bpmn_id`` cannot be skipped, or None when it can (only a script task can)."""
    soort = element_soort(definition, bpmn_id)
    if soort == "ScriptTask":
        return None
    if "Gateway" in soort:
        return (f"‘{bpmn_id}’ is een splitsing (gateway): die kan niet worden overgeslagen, want dan is niet bekend "
                "welk pad de zaak volgt. Zet de zaak terug naar een eerdere taak, of migreer haar naar een "
                "gerepareerde versie en probeer opnieuw.")  # fmt: skip
    if soort in ("UserTask", "ManualTask"):
        return f"‘{bpmn_id}’ is een taak voor een persoon: die kan niet worden overgeslagen."
    if not soort:
        return f"‘{bpmn_id}’ staat niet in deze versie van het diagram; overslaan kan niet."
    return f"‘{bpmn_id}’ is geen script: alleen een script kan worden overgeslagen."


# --- back to an earlier task ---------------------------------------------------------------
def _engine_task(run: Run, task_id: str) -> Task | None:
    try:
        return run.wf.get_task_from_id(uuid.UUID(task_id))
    except (TaskNotFoundException, ValueError):
        return None


def terugzetpunten(instance: ProcessInstance) -> list[HumanTask]:
    """The completed user tasks of this aanpak that the engine can go back to, newest first."""
    if instance.completed:
        return []
    rows = db.session.scalars(
        sa.select(HumanTask)
        .where(HumanTask.instance_id == instance.id, HumanTask.completed_at.is_not(None))
        .order_by(HumanTask.completed_at.desc(), HumanTask.id.desc())
    ).all()
    run = _load(instance)
    result = []
    for row in rows:
        task = _engine_task(run, row.task_id)
        if task is not None and task.state == TaskState.COMPLETED and task.task_spec.manual:
            result.append(row)
    return result


def terug_naar_taak(instance_id: int, human_task_id: int, door: User) -> HumanTask:
    """Reset the case to a completed user task: what came after it is undone in the engine, that task
    is open again (its row reopened: the engine keeps the task's id) and open rows follow the engine."""
    instance = _lock(instance_id)
    if instance.completed:
        raise HerstelGeweigerd("Deze aanpak is al afgerond of gestopt; terugzetten kan niet meer.")
    row = db.session.get(HumanTask, human_task_id)
    if row is None or row.instance_id != instance.id or row.completed_at is None:
        raise HerstelGeweigerd("Kies een afgeronde taak van deze aanpak.")
    run = _load(instance)
    task = _engine_task(run, row.task_id)
    if task is None or task.state != TaskState.COMPLETED or not task.task_spec.manual:
        raise HerstelGeweigerd(f"De taak ‘{row.titel}’ bestaat in de zaak niet meer als afgeronde taak "
                               "(de zaak is er al eens naar teruggezet); kies een andere.")  # fmt: skip
    run.wf.reset_from_task_id(task.id)
    _step(run)
    row.completed_at, row.completed_by_id, row.claimed_by_id = None, None, None
    instance.error = None
    _persist(instance, run, door)
    return row


def _step(run: Run) -> None:
    try:
        run.step()
    except EngineError as exc:
        raise ProcessFailed(exc) from exc


# --- skipping the failing element ----------------------------------------------------------
def overslaan_bij_taak(task_pk: int, user: User, raw: dict[str, Any], bpmn_id: str) -> HumanTask:
    """Complete the user task again as ``user`` with the stored input, but mark ``bpmn_id`` done
    without running it when the engine reaches it; the engine then runs on."""
    task = db.session.get(HumanTask, task_pk)
    if task is None:
        raise HerstelGeweigerd("De taak van dit incident bestaat niet meer.")
    _weiger_tenzij_script(task.instance.definition, bpmn_id)

    def skipping(run: Run, task_id: str, data: dict[str, Any]) -> None:
        _run_skipping(run, bpmn_id, lambda: run.complete(task_id, data))

    return complete_task(task_pk, user, raw, uitvoeren=skipping)


def overslaan_bij_timer(instance_id: int, bpmn_id: str) -> None:
    """Fire the due timers again, marking ``bpmn_id`` done without running it."""
    instance = _lock(instance_id)
    if instance.completed:
        raise HerstelGeweigerd("Deze aanpak is al afgerond of gestopt.")
    _weiger_tenzij_script(instance.definition, bpmn_id)
    run = _load(instance)
    _run_skipping(run, bpmn_id, run.fire_timers)
    instance.error = None
    _persist(instance, run, None)


def _weiger_tenzij_script(definition: ProcessDefinition, bpmn_id: str) -> None:
    reden = overslaan_geweigerd(definition, bpmn_id)
    if reden:
        raise HerstelGeweigerd(reden)


def _run_skipping(run: Run, bpmn_id: str, stap: Callable[[], Any]) -> None:
    """Replay the step that failed; the element it stopped at is marked done unrun, then the engine runs on."""
    try:
        stap()
    except TaskNotReady as exc:
        raise TaskAlreadyDone() from exc
    except EngineError as exc:
        failed = _failed_task(run, bpmn_id)
        if failed is None:
            raise HerstelGeweigerd(f"De stap loopt nu niet meer vast bij ‘{bpmn_id}’ maar elders: {exc} "
                                   "Er is niets overgeslagen.") from exc  # fmt: skip
        failed.complete()  # done without running: its script's effects (and statuses) do not happen
        _step(run)
        return
    raise HerstelGeweigerd(f"De stap loopt nu zonder fout langs ‘{bpmn_id}’: kies ‘Opnieuw proberen’. "
                           "Er is niets overgeslagen.")  # fmt: skip


def _failed_task(run: Run, bpmn_id: str) -> Task | None:
    """The task of ``bpmn_id`` the engine stopped at: in ERROR, or READY when a limit stopped it first."""
    for state in (TaskState.ERROR, TaskState.READY):
        for task in run.wf.get_tasks(state=state):
            if task.task_spec.bpmn_id == bpmn_id and not task.task_spec.manual:
                return task
    return None


# --- stopping the aanpak -------------------------------------------------------------------
def stoppen(instance_id: int, door: User) -> None:
    """Cancel the aanpak: no task stays open, no timer fires, no status is set (none is invented)."""
    instance = _lock(instance_id)
    if instance.completed:
        raise HerstelGeweigerd("Deze aanpak is al afgerond of gestopt.")
    run = _load(instance)
    run.wf.cancel()
    run.changes.clear()
    instance.error = None
    _persist(instance, run, door)
    instance.completed, instance.next_timer_at = True, None
