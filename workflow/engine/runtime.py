"""Running diagrams against the database: start, complete a task, fire timers.

Each function flushes but never commits: the caller (one web request, one job) commits
once, so a failure leaves nothing half-saved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from SpiffWorkflow.task import Task
from sqlalchemy.orm.exc import StaleDataError

from models import Hulpvraag, HumanTask, ProcessDefinition, ProcessInstance, Statuswijziging, User, db, utcnow
from workflow.access import LANE_ROLES, may_do_task
from workflow.engine.definitions import latest_definition, parsed_spec
from workflow.engine.expressions import LOOKUP_HELPERS, DiagramCodeError
from workflow.engine.forms import Form, form_from_files, parse_submission
from workflow.engine.fouten import vertaal
from workflow.engine.instructies import render_instruction
from workflow.engine.run import (
    SERIALIZER_VERSION,
    EngineError,
    Run,
    StatusChange,
    TaskNotReady,
    duration_after,
    task_properties,
)
from workflow.engine.sandbox import evaluate_expression
from workflow.signals import status_gewijzigd, taak_aangemaakt, taak_afgerond

log = logging.getLogger(__name__)


class TaskAlreadyDone(Exception):
    """Someone else completed this task first (HTTP 409)."""

    message = "Deze taak is al afgehandeld."


class NotAllowed(Exception):
    """This user may not work on this task."""


class TaskClaimed(Exception):
    """Another user has claimed this task."""


class FormInvalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Het formulier bevat fouten.")
        self.errors = errors


class ProcessFailed(Exception):
    """The diagram could not continue; the transaction must be rolled back."""

    def __init__(self, error: EngineError) -> None:
        where = f" (bij {error.bpmn_id})" if error.bpmn_id else ""
        super().__init__(f"Het proces kon niet verder{where}: {error}")
        self.bpmn_id = error.bpmn_id
        self.melding = str(error)  # the engine's Dutch message alone, for incidents


# --- status -----------------------------------------------------------------------------
def set_status(
    hulpvraag: Hulpvraag, status: str, reden: str, user: User | None, bron: str = "", *, eerste: bool = False
) -> Statuswijziging:
    """Record a status change in the append-only history and on the hulpvraag."""
    change = Statuswijziging(
        hulpvraag_id=hulpvraag.id, van=None if eerste else hulpvraag.status,
        naar=status, reden=reden, user_id=user.id if user else None, bron=bron,
    )  # fmt: skip
    hulpvraag.status = status
    db.session.add(change)
    status_gewijzigd.send(hulpvraag, change=change)
    return change


# --- starting ---------------------------------------------------------------------------
def start_process(hulpvraag: Hulpvraag, process_key: str, user: User | None) -> ProcessInstance:
    definition = latest_definition(process_key)
    if definition is None:
        raise LookupError(f"Geen gepubliceerd proces '{process_key}': draai 'flask bpmn publish'.")
    spec, subs = parsed_spec(definition)
    try:
        run = Run.start(spec, subs, start_data(hulpvraag), dict(LOOKUP_HELPERS))
    except EngineError as exc:
        raise ProcessFailed(exc) from exc
    instance = ProcessInstance(
        hulpvraag_id=hulpvraag.id, definition_id=definition.id, process_key=process_key,
        state={}, serializer_version=SERIALIZER_VERSION,
    )  # fmt: skip
    instance.definition = definition
    db.session.add(instance)
    _persist(instance, run, user)
    return instance


def start_data(hulpvraag: Hulpvraag) -> dict[str, Any]:
    """What every diagram finds in its data at the start."""
    return {"hulpvraag_id": hulpvraag.id, "titel": hulpvraag.titel, "aanvraagnummer": hulpvraag.aanvraagnummer}


# --- completing -------------------------------------------------------------------------
def task_form(task: HumanTask) -> Form:
    definition = task.instance.definition
    props = _spec_properties(definition, task.bpmn_id)
    return form_from_files(definition.forms, props.get("formJsonSchemaFilename"), props.get("formUiSchemaFilename"))


def human_task_properties(task: HumanTask) -> dict[str, str]:
    """The BPMN properties of a task's element (as the process owner wrote them)."""
    return _spec_properties(task.instance.definition, task.bpmn_id)


def _spec_properties(definition: ProcessDefinition, bpmn_id: str) -> dict[str, str]:
    task_spec = definition.spec["spec"]["task_specs"].get(bpmn_id, {})
    return dict((task_spec.get("extensions") or {}).get("properties") or {})


Uitvoeren = Callable[[Run, str, dict[str, Any]], None]


def complete_task(task_pk: int, user: User, raw: dict[str, Any], *, uitvoeren: Uitvoeren | None = None) -> HumanTask:
    """Check, validate, run and persist one task completion (flushed, not committed).

    ``uitvoeren`` replaces the engine step itself (an incident repair skips a failing element)."""
    task = db.session.get(HumanTask, task_pk)
    if task is None:
        raise LookupError(task_pk)
    instance = _lock(task.instance_id)
    db.session.refresh(task)
    check_may_work(task, user)
    run = _load(instance)
    data, errors = parse_submission(task_form(task), raw)
    try:
        errors = errors or run.controle_fouten(task.task_id, data)
    except TaskNotReady as exc:
        raise TaskAlreadyDone() from exc
    except EngineError as exc:
        raise ProcessFailed(exc) from exc
    if errors:
        raise FormInvalid(errors)
    try:
        if uitvoeren is None:
            run.complete(task.task_id, data)
        else:
            uitvoeren(run, task.task_id, data)
    except TaskNotReady as exc:
        raise TaskAlreadyDone() from exc
    except EngineError as exc:
        raise ProcessFailed(exc) from exc
    task.completed_at, task.completed_by_id = utcnow(), user.id
    task.antwoorden = bewaarbaar(data)
    _persist(instance, run, user)
    taak_afgerond.send(task, door=user)
    return task


def bewaarbaar(data: dict[str, Any]) -> dict[str, Any]:
    """The validated form data as JSON: amounts and dates as text ("3000.00", "2026-03-14")."""
    return {name: str(v) if isinstance(v, Decimal | date) else v for name, v in data.items()}


def is_open(task_pk: int) -> bool:
    """Whether the task is still waiting (read fresh from the database)."""
    query = sa.select(HumanTask.id).where(HumanTask.id == task_pk, HumanTask.completed_at.is_(None))
    return db.session.scalar(query) is not None


def _lock(instance_id: int) -> ProcessInstance:
    """Row lock on PostgreSQL; the version column catches the rest (SQLite)."""
    query = sa.select(ProcessInstance).where(ProcessInstance.id == instance_id)
    query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.execute(query).scalar_one()


def _load(instance: ProcessInstance) -> Run:
    return Run.load(instance.state, instance.definition.spec, instance.serializer_version, dict(LOOKUP_HELPERS))


def _persist(instance: ProcessInstance, run: Run, user: User | None) -> None:
    instance.state = run.dump()
    instance.serializer_version = SERIALIZER_VERSION
    instance.completed = run.completed
    instance.next_timer_at = run.next_timer_at()
    try:
        db.session.flush()  # the version check happens here, before anything else is written
    except StaleDataError as exc:
        raise TaskAlreadyDone() from exc
    _apply_status_changes(instance, run.changes, user)
    for task in _sync_tasks(instance, run):
        taak_aangemaakt.send(task, door=user)
    _start_requested_aanpakken(instance, run, user)


def _apply_status_changes(instance: ProcessInstance, changes: list[StatusChange], user: User | None) -> None:
    if instance.hulpvraag is None:
        return
    for change in changes:
        set_status(instance.hulpvraag, change.status, change.reden, user, change.bron)
    changes.clear()


def _start_requested_aanpakken(instance: ProcessInstance, run: Run, user: User | None) -> None:
    """start_aanpak() in a diagram: the aanpak for the hulpvraag's title, or the one named."""
    from workflow.aanpakken import aanpak_voor_titel

    requests, run.aanpakken = run.aanpakken, []
    hulpvraag = instance.hulpvraag
    for key in requests:
        process_key = key or (aanpak_voor_titel(hulpvraag.titel) if hulpvraag else None)
        if hulpvraag is not None and process_key:
            start_process(hulpvraag, process_key, user)


# --- the HumanTask projection -----------------------------------------------------------
def _sync_tasks(instance: ProcessInstance, run: Run) -> list[HumanTask]:
    """Bring the open HumanTask rows in line with the engine's ready user tasks; returns the new ones."""
    ready = {str(t.id): t for t in run.ready_user_tasks()}
    open_rows = db.session.scalars(
        sa.select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.completed_at.is_(None))
    ).all()
    for row in open_rows:
        if row.task_id not in ready:  # cancelled by a boundary event, or gone
            row.completed_at = utcnow()
    known = {row.task_id for row in open_rows}
    new = [_new_human_task(instance, task) for task_id, task in ready.items() if task_id not in known]
    db.session.add_all(new)
    db.session.flush()
    return new


def _new_human_task(instance: ProcessInstance, task: Task) -> HumanTask:
    spec = task.task_spec
    props = task_properties(task)
    hulpvraag = instance.hulpvraag
    return HumanTask(
        instance_id=instance.id,
        hulpvraag_id=instance.hulpvraag_id,
        task_id=str(task.id),
        bpmn_id=spec.bpmn_id,
        titel=spec.bpmn_name or spec.bpmn_id,
        instructie=_instructions(spec.documentation, task.data, spec.bpmn_id),
        lane=spec.lane,
        rol=LANE_ROLES.get(spec.lane or "", "beheerder"),
        functie=_functie(props.get("functie"), task.data, spec.bpmn_id),
        school_id=hulpvraag.school_id if hulpvraag else None,
        assigned_user_id=_int_or_none(task.data.get(props.get("toegewezenAan", ""))),
        form=props.get("formJsonSchemaFilename"),
        due_at=_due(props.get("doorlooptijd")),
    )


def _instructions(text: str | None, data: dict[str, Any], bpmn_id: str) -> str:
    """The task's instruction as plain text (the page escapes it once), rendered in the sandbox."""
    if not text:
        return ""
    try:
        return render_instruction(text, data, helpers=LOOKUP_HELPERS)
    except DiagramCodeError as exc:  # stopped or refused: the step is not taken
        message, _id = vertaal(exc, None, bpmn_id)
        raise ProcessFailed(EngineError(message.replace("De code bij", "De instructie bij"), bpmn_id)) from exc


def live_instruction(task: HumanTask) -> str:
    """The instruction of an open task rendered now, so lookups (resterend budget) give today's
    figures; the text stored at creation when that fails. Whatever a lookup writes is rolled back."""
    if not task.is_open or not task.instructie:
        return task.instructie
    savepoint = db.session.begin_nested()
    try:
        engine_task = _load(task.instance).get_ready_task(task.task_id)
        return render_instruction(engine_task.task_spec.documentation or "", engine_task.data, helpers=LOOKUP_HELPERS)
    except Exception:  # noqa: BLE001 - a page must show; the stored text is the fallback
        log.warning("instruction of task %s rendered from the stored text", task.id, exc_info=True)
        return task.instructie
    finally:
        savepoint.rollback()


def _functie(value: str | None, data: dict[str, Any], bpmn_id: str) -> str | None:
    if not value:
        return None
    if value.startswith("="):  # an expression over the task data, in the sandbox
        try:
            return str(evaluate_expression(value[1:], data))
        except Exception as exc:  # noqa: BLE001 - translated, the step is not taken
            message, _id = vertaal(exc, None, bpmn_id)
            raise ProcessFailed(EngineError(f"{message} (eigenschap functie)", bpmn_id)) from exc
    return value


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _due(duration: str | None) -> datetime | None:
    if not duration:
        return None
    start = datetime.now(UTC)
    return start + duration_after(duration, start)


# --- claiming ---------------------------------------------------------------------------
def check_may_work(task: HumanTask, user: User) -> None:
    """Raise unless ``task`` is open, falls to ``user`` and is not claimed by someone else."""
    if task.completed_at is not None:
        raise TaskAlreadyDone()
    if not may_do_task(user, task):
        raise NotAllowed()
    if task.claimed_by_id not in (None, user.id):
        raise TaskClaimed()


def claim(task: HumanTask, user: User) -> None:
    check_may_work(task, user)
    task.claimed_by_id = user.id


def unclaim(task: HumanTask, user: User) -> None:
    """Release a claim: one's own, or anyone's for a beheerder; not a task one may not do."""
    if task.completed_at is not None:
        raise TaskAlreadyDone()
    if task.claimed_by_id != user.id and not user.heeft_rol("beheerder"):
        if not may_do_task(user, task):
            raise NotAllowed()
        if task.claimed_by_id is not None:
            raise TaskClaimed()
    task.claimed_by_id = None


# --- timers -----------------------------------------------------------------------------
def due_instance_ids(now: datetime | None = None) -> list[int]:
    moment = now or utcnow()
    query = sa.select(ProcessInstance.id).where(
        ProcessInstance.completed.is_(False), ProcessInstance.next_timer_at <= moment
    )
    return list(db.session.scalars(query.order_by(ProcessInstance.next_timer_at)))


def fire_timers(instance_id: int) -> bool:
    """Fire the due timers of one instance; False when nothing was due (or another worker won)."""
    instance = _lock(instance_id)
    if instance.completed or instance.next_timer_at is None or instance.next_timer_at > utcnow():
        return False
    run = _load(instance)
    try:
        run.fire_timers()
    except EngineError as exc:
        instance.error = str(exc)[:500]
        instance.next_timer_at = None  # stop retrying every sweep; a beheerder repairs it
        log.error("timer failed for instance %s at %s", instance.id, exc.bpmn_id)
        return False
    _persist(instance, run, None)
    return True


# --- incidents (workflow/incidenten.py): the timer step, failing loudly --------------------
def fire_timers_or_fail(instance_id: int, *, force: bool = False) -> bool:
    """Like ``fire_timers``, but a failure raises ProcessFailed: the caller rolls back, so nothing of
    the step is saved, and records an incident. ``force`` also fires when a failed sweep stopped the
    retries (next_timer_at is None): the procesbeheerder's "opnieuw proberen"."""
    instance = _lock(instance_id)
    if instance.completed:
        return False
    if not force and (instance.next_timer_at is None or instance.next_timer_at > utcnow()):
        return False
    run = _load(instance)
    try:
        run.fire_timers()
    except EngineError as exc:
        raise ProcessFailed(exc) from exc
    instance.error = None
    _persist(instance, run, None)
    return True
