"""The SpiffWorkflow engine, configured once: parser, serializer, script engine, runs.

Nothing here touches the database: a Run is one diagram instance in memory plus what
happened to it (status changes), so the scenario runner and the engine tests need no Flask.
"""

from __future__ import annotations

import copy
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.subworkflow import BpmnBaseWorkflow
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from workflow.engine.expressions import LIMITS, DiagramCodeError, TooSlow
from workflow.engine.fouten import vertaal
from workflow.engine.sandbox import make_script_engine
from workflow.statussen import is_bekende_status

# One engine step (what runs between two user tasks) may take at most this many tasks and this
# many times the script time limit; past that the diagram loops without waiting for anyone.
MAX_ENGINE_STEPS = 5_000
STEP_SECONDS_FACTOR = 2

# Loops past ~250 passes stall silently with the iterator's default max_depth=1000
# (notes §3): raise it for every BPMN workflow and subworkflow.
_MAX_DEPTH = 1_000_000


def _get_tasks_iterator(self: BpmnBaseWorkflow, first_task: Task | None = None, **kwargs: Any) -> BpmnTaskIterator:
    kwargs.setdefault("max_depth", _MAX_DEPTH)
    return BpmnTaskIterator(first_task or self.task_tree, **kwargs)


BpmnBaseWorkflow.get_tasks_iterator = _get_tasks_iterator


def _make_serializer() -> BpmnWorkflowSerializer:
    registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
    # Lookup is by exact class, so date and datetime need their own converters.
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
    registry.register(datetime, lambda v: {"value": v.isoformat()}, lambda v: datetime.fromisoformat(v["value"]))
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    return BpmnWorkflowSerializer(registry)


SERIALIZER = _make_serializer()
SERIALIZER_VERSION: str = SERIALIZER.VERSION
TIMER_EVENTS = {"DurationTimerEventDefinition", "TimeDateEventDefinition", "CycleTimerEventDefinition"}


class EngineError(Exception):
    """The diagram could not continue (bad expression, no matching branch, …)."""

    def __init__(self, message: str, bpmn_id: str | None = None) -> None:
        super().__init__(message)
        self.bpmn_id = bpmn_id


class TaskNotReady(Exception):
    """The task does not exist (any more) or is not waiting for a person."""


@dataclass(frozen=True)
class StatusChange:
    status: str
    reden: str
    bron: str  # BPMN id of the element that set it


# SpiffWorkflow logs every task state change with the task data attached to the record;
# that data is about children, so keep the library quiet (S14).
for _name in ("spiff", "spiff.task", "spiff.workflow", "spiff.metrics"):
    logging.getLogger(_name).setLevel(logging.WARNING)



@contextmanager
def stille_engine() -> Iterator[None]:
    """SpiffWorkflow logs every task state change at INFO: too much for a terminal or a start-up log."""
    logger = logging.getLogger("spiff")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def parse_bpmn(xml: bytes, filename: str) -> tuple[SpiffBpmnParser, etree._Element]:
    """Parse with XSD validation; raises lxml or SpiffWorkflow validation errors."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    tree = etree.fromstring(xml, _XML_PARSER)  # noqa: S320 - no entities, no DTD, no network
    parser.add_bpmn_xml(tree, filename=filename)
    return parser, tree


def executable_process_ids(tree: etree._Element) -> list[str]:
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    return [str(p.get("id")) for p in tree.xpath("//bpmn:process[@isExecutable='true']", namespaces=ns)]


def spec_to_dict(spec: BpmnProcessSpec, subprocess_specs: dict[str, Any]) -> dict[str, Any]:
    """The serialized spec alone, in the serializer's own format (stored once per version)."""
    data = SERIALIZER.to_dict(BpmnWorkflow(spec, subprocess_specs))
    return {"spec": data["spec"], "subprocess_specs": data["subprocess_specs"]}


def load_bpmn_file(path: Path) -> tuple[BpmnProcessSpec, dict[str, Any]]:
    """Parse one diagram file and return the spec of its executable process."""
    parser, tree = parse_bpmn(path.read_bytes(), path.name)
    process_id = executable_process_ids(tree)[0]
    return parser.get_spec(process_id), parser.get_subprocess_specs(process_id)


def duration_after(iso_duration: str, start: datetime) -> timedelta:
    """An ISO-8601 duration (P10D, P12W) as a timedelta from ``start``."""
    parsed = TimerEventDefinition.parse_iso_duration(iso_duration)
    delta: timedelta = TimerEventDefinition.get_timedelta_from_start(parsed, start)
    return delta


def task_properties(task: Task) -> dict[str, str]:
    extensions = getattr(task.task_spec, "extensions", None) or {}
    props = extensions.get("properties") or {}
    return dict(props)


@dataclass
class Run:
    """One diagram instance in memory, and the status changes it made in this run."""

    wf: BpmnWorkflow
    helpers: dict[str, Callable[..., Any]] = field(default_factory=dict)  # e.g. DB lookups (budget)
    changes: list[StatusChange] = field(default_factory=list)
    aanpakken: list[str] = field(default_factory=list)  # start_aanpak() requests; "" = by title
    _current: str = ""
    _steps: int = 0
    _deadline: float = 0.0

    def __post_init__(self) -> None:
        # The script engine is not serialized: attach ours after every creation or load.
        own: dict[str, Callable[..., Any]] = {"zet_status": self._zet_status, "start_aanpak": self._start_aanpak}
        self.wf.script_engine = make_script_engine({**self.helpers, **own})

    # --- creation and persistence -------------------------------------------------------
    @classmethod
    def start(
        cls,
        spec: BpmnProcessSpec,
        subprocess_specs: dict[str, Any],
        data: dict[str, Any],
        helpers: dict[str, Callable[..., Any]] | None = None,
    ) -> Run:
        run = cls(BpmnWorkflow(spec, subprocess_specs), helpers or {})
        run.wf.task_tree.set_data(**data)  # wf.set_data() would be invisible to scripts
        run.step()
        return run

    @classmethod
    def load(
        cls,
        state: dict[str, Any],
        spec: dict[str, Any],
        serializer_version: str,
        helpers: dict[str, Callable[..., Any]] | None = None,
    ) -> Run:
        # from_dict consumes nested parts of what it is given; the spec dict is shared (it is the
        # ProcessDefinition row's JSON), so it gets a copy of its own.
        dct = {**state, **copy.deepcopy(spec), SERIALIZER.VERSION_KEY: serializer_version}
        SERIALIZER.migrate(dct)
        return cls(SERIALIZER.from_dict(dct), helpers or {})

    def dump(self) -> dict[str, Any]:
        """Engine state without the spec (the spec lives once per ProcessDefinition), JSON-safe.

        to_dict() leaves task data (stored as deltas) as it is, so a date or Decimal from a form
        would break the JSON column: only the serializer's JSON encoder applies the registered
        converters to it."""
        dct: dict[str, Any] = json.loads(SERIALIZER.serialize_json(self.wf))
        dct.pop(SERIALIZER.VERSION_KEY, None)
        dct.pop("spec")
        dct.pop("subprocess_specs")
        return dct

    # --- running --------------------------------------------------------------------------
    def step(self) -> None:
        """Run everything that needs no person; translate engine failures."""
        self._steps, self._deadline = 0, time.monotonic() + STEP_SECONDS_FACTOR * LIMITS.seconds
        try:
            self.wf.do_engine_steps(will_complete_task=self._will_complete, did_complete_task=self._did_complete)
        except (SpiffWorkflowException, DiagramCodeError) as exc:
            raise EngineError(*vertaal(exc, self.wf, self._current or None)) from exc
        except Exception as exc:  # e.g. a bare Exception('Invalid duration') from a timer
            raise EngineError(*vertaal(exc, self.wf, self._current or None)) from exc

    def ready_user_tasks(self) -> list[Task]:
        return list(self.wf.get_tasks(state=TaskState.READY, manual=True))

    def get_ready_task(self, task_id: str) -> Task:
        try:
            task = self.wf.get_task_from_id(uuid.UUID(task_id))
        except (TaskNotFoundException, ValueError) as exc:
            raise TaskNotReady(task_id) from exc
        # Task.run() checks nothing (notes §7): only a READY manual task may be completed.
        if task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotReady(task_id)
        return task

    def controle_fouten(self, task_id: str, data: dict[str, Any]) -> dict[str, str]:
        """Checks across fields that a JSON schema cannot express, declared on the user task as
        properties ``controle`` (a form-wide message) or ``controle:<veld>``: an expression over the
        task data plus the submitted form that gives a Dutch message when something is wrong."""
        task = self.get_ready_task(task_id)
        context = {**task.data, **data}
        errors: dict[str, str] = {}
        for name, expression in sorted(task_properties(task).items()):
            if name != "controle" and not name.startswith("controle:"):
                continue
            try:
                message = self.wf.script_engine.environment.evaluate(expression, dict(context))
            except Exception as exc:  # a broken check is the diagram's fault, not the user's
                text, bpmn_id = vertaal(exc, self.wf, task.task_spec.bpmn_id)
                raise EngineError(f"{text} (controle ‘{name}’)", bpmn_id) from exc
            if message:
                errors.setdefault(name.partition(":")[2] or "_formulier", str(message))
        return errors

    def complete(self, task_id: str, data: dict[str, Any]) -> Task:
        """Complete a READY user task with (already validated) form data, then run on."""
        task = self.get_ready_task(task_id)
        task.set_data(**data)
        self._current = task.task_spec.bpmn_id or task.task_spec.name
        task.run()
        self._did_complete(task)
        self.step()
        return task

    def fire_timers(self) -> None:
        self.wf.refresh_timers()
        self.step()

    def fast_forward_timers(self) -> None:
        """Make every waiting date/duration timer due now and fire it (scenario tests)."""
        past = "2000-01-01T00:00:00+00:00"
        for task in self.wf.get_tasks(state=TaskState.WAITING):
            definition = getattr(task.task_spec, "event_definition", None)
            if type(definition).__name__ in ("TimeDateEventDefinition", "DurationTimerEventDefinition"):
                task._set_internal_data(event_value=past)
        self.fire_timers()

    # --- what the app stores beside the state ----------------------------------------------
    @property
    def completed(self) -> bool:
        return bool(self.wf.completed)

    def next_timer_at(self) -> datetime | None:
        due = [
            datetime.fromisoformat(e.value)
            for e in self.wf.waiting_events()
            if e.event_type in TIMER_EVENTS and isinstance(e.value, str)
        ]
        return min(due).astimezone(UTC) if due else None

    def waiting_timer_ids(self) -> Iterable[str]:
        return [e.name for e in self.wf.waiting_events() if e.event_type in TIMER_EVENTS]

    # --- status ----------------------------------------------------------------------------
    def _zet_status(self, status: str, reden: str = "") -> None:
        if not isinstance(status, str) or not is_bekende_status(status):
            raise DiagramCodeError(f"onbekende status {str(status)[:60]!r}: staat niet in statussen.yaml")
        self.changes.append(StatusChange(status, str(reden or ""), self._current))

    def _start_aanpak(self, process_key: str = "") -> None:
        """Ask the app to start an aanpak on the hulpvraag: the one for its title, or ``process_key``."""
        if not isinstance(process_key, str):
            raise DiagramCodeError("start_aanpak verwacht de naam van een diagram, bijvoorbeeld start_aanpak(\"tlv\")")
        self.aanpakken.append(process_key)

    def _will_complete(self, task: Task) -> None:
        """Also the brake on a diagram that loops without a person in it (script → gateway → script)."""
        self._current = task.task_spec.bpmn_id or task.task_spec.name
        self._steps += 1
        if self._steps > MAX_ENGINE_STEPS or time.monotonic() > self._deadline:
            raise TooSlow(f"het proces liep meer dan {MAX_ENGINE_STEPS} stappen zonder te wachten op een persoon")

    def _did_complete(self, task: Task) -> None:
        props = task_properties(task)
        if props.get("status"):
            reden = props.get("statusReden") or str(task.data.get("reden") or "")
            self._current = task.task_spec.bpmn_id or task.task_spec.name
            self._zet_status(props["status"], reden)
