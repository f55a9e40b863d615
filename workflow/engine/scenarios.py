"""Scenario tests for diagrams: ``bpmn/<key>.scenarios.yaml`` next to ``bpmn/<key>.bpmn``.

A scenario is written by a process owner: which task is done with which form input, which
status the hulpvraag has after it, and how the process ends. It runs the real diagram and
forms in memory (no database, no Flask), and form input is validated exactly as a browser
submission would be. ``roundtrip=True`` saves and loads the instance after every step, as
the application does between two requests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from lxml import etree
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from models.hulpvraag import VOORLOPIGE_AANMELDING
from workflow import statussen
from workflow.engine.check import NS, check_file
from workflow.engine.definitions import Diagram, diagram_files, read_diagram
from workflow.engine.forms import form_from_files, parse_submission
from workflow.engine.run import SERIALIZER_VERSION, EngineError, Run, parse_bpmn, spec_to_dict, task_properties

SUFFIX = ".scenarios.yaml"
# What the runner gives a new instance, like workflow.engine.runtime does for a real hulpvraag.
START_GEGEVENS: dict[str, Any] = {
    "hulpvraag_id": 1,
    "titel": "Scenario",
    "aanvraagnummer": "TEST-1",
}
_FILE_KEYS = {"scenarios", "gegevens", "opzoeken"}
_SCENARIO_KEYS = {"naam", "stappen", "einde", "open", "gegevens", "opzoeken"}
_STEP_KEYS = {"taak", "invoer", "status", "fouten", "timers"}


class ScenarioFileError(ValueError):
    """The scenario file itself is wrong (YAML, unknown keys, missing parts)."""


@dataclass(frozen=True)
class Stap:
    taak: str
    invoer: dict[str, str]
    status: str | None = None
    fouten: tuple[str, ...] | None = None  # fields that must be refused; None: none may be
    timers: bool = False  # instead of a task: let every waiting timer go off now


@dataclass(frozen=True)
class Scenario:
    naam: str
    stappen: tuple[Stap, ...]
    einde: bool | None = None
    open: tuple[str, ...] | None = None
    gegevens: dict[str, Any] = field(default_factory=dict)
    opzoeken: dict[str, Any] = field(default_factory=dict)  # lookup helper -> the answer it gives


@dataclass(frozen=True)
class StapUitkomst:
    """How one step of a scenario went (the studio shows it per step)."""

    nummer: int
    taak: str  # BPMN id; "" for a timers step
    geslaagd: bool
    melding: str = ""
    status: str | None = None  # the status after the step, when it got that far


@dataclass
class ScenarioResult:
    diagram: str
    naam: str
    passed: bool
    melding: str = ""
    statussen: list[str] = field(default_factory=list)  # the status after every step
    gelopen: set[tuple[str, str]] = field(default_factory=set)  # (from, to) of flows taken
    stappen: list[StapUitkomst] = field(default_factory=list)  # per step, up to the failing one


class _Failed(Exception):
    """A scenario's expectation was not met; the message names the step."""


# --- reading scenario files ---------------------------------------------------------------
def scenario_file(diagram_path: Path) -> Path:
    return diagram_path.with_name(diagram_path.stem + SUFFIX)


def load_scenarios(path: Path) -> list[Scenario]:
    """The scenarios of one file; ScenarioFileError with a Dutch message when it is wrong."""
    try:
        content = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ScenarioFileError(f"{path.name} kan niet gelezen worden: {exc}") from exc
    if not isinstance(content, dict) or not isinstance(content.get("scenarios"), list):
        raise ScenarioFileError(f"{path.name}: verwacht een lijst onder 'scenarios:'")
    _no_unknown_keys(content, _FILE_KEYS, path.name)
    gegevens = dict(content.get("gegevens") or {})
    opzoeken = dict(content.get("opzoeken") or {})
    items = enumerate(content["scenarios"], 1)
    return [_scenario(item, number, gegevens, path.name, opzoeken) for number, item in items]


def _no_unknown_keys(item: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = ", ".join(sorted(set(item) - allowed))
    if unknown:
        known = ", ".join(sorted(allowed))
        raise ScenarioFileError(f"{where}: onbekende sleutel(s) {unknown} (wel: {known})")


def _scenario(
    item: Any, number: int, gegevens: dict[str, Any], file: str, opzoeken: dict[str, Any] | None = None
) -> Scenario:
    where = f"{file}, scenario {number}"
    if not isinstance(item, dict) or not isinstance(item.get("stappen"), list):
        raise ScenarioFileError(f"{where}: een scenario heeft een 'naam' en een lijst 'stappen'")
    _no_unknown_keys(item, _SCENARIO_KEYS, where)
    if not item.get("naam"):
        raise ScenarioFileError(f"{where}: het scenario heeft geen 'naam'")
    if item.get("einde") is None and item.get("open") is None:
        raise ScenarioFileError(f"{where}: zeg hoe het afloopt: 'einde: true' of 'open: [taken]'")
    steps = tuple(_step(step, f"{where} stap {i}") for i, step in enumerate(item["stappen"], 1))
    open_tasks = item.get("open")
    return Scenario(
        naam=str(item["naam"]),
        stappen=steps,
        einde=None if item.get("einde") is None else bool(item["einde"]),
        open=None if open_tasks is None else tuple(str(t) for t in open_tasks),
        gegevens={**gegevens, **(item.get("gegevens") or {})},
        opzoeken={**(opzoeken or {}), **(item.get("opzoeken") or {})},
    )


def _step(item: Any, where: str) -> Stap:
    if isinstance(item, dict) and item.get("timers") and not item.get("taak"):
        _no_unknown_keys(item, {"timers", "status"}, where)
        return Stap(taak="", invoer={}, status=None if item.get("status") is None else str(item["status"]), timers=True)
    if not isinstance(item, dict) or not item.get("taak"):
        raise ScenarioFileError(f"{where}: een stap noemt de 'taak' (het BPMN-id)")
    _no_unknown_keys(item, _STEP_KEYS, where)
    invoer = item.get("invoer") or {}
    if not isinstance(invoer, dict):
        raise ScenarioFileError(f"{where}: 'invoer' is een lijst van veld: waarde")
    fouten = item.get("fouten")
    return Stap(
        taak=str(item["taak"]),
        invoer={str(k): _as_posted(v) for k, v in invoer.items()},
        status=None if item.get("status") is None else str(item["status"]),
        fouten=None if fouten is None else tuple(str(f) for f in fouten),
    )


def _as_posted(value: Any) -> str:
    """Form input as a browser posts it: always text (YAML turns yes/no into booleans)."""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


# --- running ------------------------------------------------------------------------------
class _Runner:
    """One scenario against one parsed diagram."""

    def __init__(self, diagram: Diagram, scenario: Scenario, roundtrip: bool) -> None:
        parser, _tree = parse_bpmn(diagram.xml, diagram.path.name)
        self.spec = parser.get_spec(diagram.process_id)
        self.subs = parser.get_subprocess_specs(diagram.process_id)
        self.diagram, self.scenario, self.roundtrip = diagram, scenario, roundtrip
        self.status = VOORLOPIGE_AANMELDING
        self.statussen: list[str] = []
        self.gelopen: set[tuple[str, str]] = set()
        self.uitkomsten: list[StapUitkomst] = []

    def run(self) -> None:
        try:
            run = self._saved_and_loaded(Run.start(self.spec, self.subs, self._start_data(), self._helpers()))
        except EngineError as exc:
            raise _Failed(f"bij de start: het proces kon niet verder{_where(exc)}: {exc}") from exc
        for number, step in enumerate(self.scenario.stappen, 1):
            run = self._recorded(run, step, number)
        self._check_end(run)
        self.gelopen = _flows_taken(run)  # the task tree keeps every task it went through

    def _recorded(self, run: Run, step: Stap, number: int) -> Run:
        """One step, with its outcome kept for the per-step report."""
        done = len(self.statussen)
        try:
            run = self._step(run, step, f"stap {number} ({step.taak})")
        except _Failed as exc:
            status = self.statussen[-1] if len(self.statussen) > done else None
            self.uitkomsten.append(StapUitkomst(number, step.taak, False, str(exc), status))
            raise
        self.uitkomsten.append(StapUitkomst(number, step.taak, True, "", self.status))
        return run

    def _helpers(self) -> dict[str, Any]:
        """Lookups answer with the scenario's fixed values (no database here)."""
        return {name: (lambda *_a, _v=value, **_kw: _v) for name, value in self.scenario.opzoeken.items()}

    def _start_data(self) -> dict[str, Any]:
        return {**START_GEGEVENS, **self.scenario.gegevens}

    def _step(self, run: Run, step: Stap, label: str) -> Run:
        if step.timers:
            return self._timers(run, step, label)
        task = self._ready_task(run, step.taak, label)
        props = task_properties(task)
        forms = self.diagram.forms
        schema, ui = props.get("formJsonSchemaFilename"), props.get("formUiSchemaFilename")
        form = form_from_files(forms, schema, ui)
        data, errors = parse_submission(form, step.invoer)
        errors = errors or self._controles(run, str(task.id), data, label)
        if step.fouten is not None:
            self._expect_refusal(errors, step, label)
        elif errors:
            raise _Failed(f"{label}: het formulier weigert de invoer: {_errors_text(errors)}")
        else:
            self._complete(run, str(task.id), data, label)
        self.statussen.append(self.status)
        if step.status is not None and step.status != self.status:
            raise _Failed(f"{label}: de status is '{self.status}', verwacht '{step.status}'")
        return self._saved_and_loaded(run)

    def _controles(self, run: Run, task_id: str, data: dict[str, Any], label: str) -> dict[str, str]:
        try:
            return run.controle_fouten(task_id, data)
        except EngineError as exc:
            raise _Failed(f"{label}: {exc}") from exc

    def _timers(self, run: Run, step: Stap, label: str) -> Run:
        try:
            run.fast_forward_timers()
        except EngineError as exc:
            raise _Failed(f"{label}: het proces kon niet verder{_where(exc)}: {exc}") from exc
        if run.changes:
            self.status = run.changes[-1].status
        run.changes.clear()
        self.statussen.append(self.status)
        if step.status is not None and step.status != self.status:
            raise _Failed(f"{label}: de status is '{self.status}', verwacht '{step.status}'")
        return self._saved_and_loaded(run)

    def _ready_task(self, run: Run, bpmn_id: str, label: str) -> Task:
        ready = run.ready_user_tasks()
        for task in ready:
            if task.task_spec.bpmn_id == bpmn_id:
                return task
        waiting = ", ".join(sorted(t.task_spec.bpmn_id for t in ready)) or "geen"
        ended = " (het proces is al klaar)" if run.completed else ""
        raise _Failed(f"{label}: taak '{bpmn_id}' staat niet klaar{ended}; wel klaar: {waiting}")

    def _expect_refusal(self, errors: dict[str, str], step: Stap, label: str) -> None:
        expected = set(step.fouten or ())
        if not errors:
            wanted = _names(expected)
            raise _Failed(f"{label}: formulier accepteert de invoer, verwacht fouten bij {wanted}")
        if set(errors) != expected:
            got = _errors_text(errors)
            raise _Failed(f"{label}: verwacht fouten bij {_names(expected)}, maar kreeg: {got}")

    def _complete(self, run: Run, task_id: str, data: dict[str, Any], label: str) -> None:
        try:
            run.complete(task_id, data)
        except EngineError as exc:
            raise _Failed(f"{label}: het proces kon niet verder{_where(exc)}: {exc}") from exc
        if run.changes:
            self.status = run.changes[-1].status
        run.changes.clear()  # a loaded run starts empty, so both modes count the same way

    def _saved_and_loaded(self, run: Run) -> Run:
        """With roundtrip: the instance as the next request would load it from the database."""
        if not self.roundtrip:
            return run
        state = json.loads(json.dumps(run.dump()))  # what a JSON column stores
        spec = json.loads(json.dumps(spec_to_dict(self.spec, self.subs)))
        return Run.load(state, spec, SERIALIZER_VERSION, self._helpers())

    def _check_end(self, run: Run) -> None:
        open_now = ", ".join(sorted(t.task_spec.bpmn_id for t in run.ready_user_tasks()))
        if self.scenario.einde and not run.completed:
            raise _Failed(f"na de laatste stap: het proces is niet klaar; open: {open_now}")
        if self.scenario.einde is False and run.completed:
            raise _Failed("na de laatste stap: het proces is klaar, verwacht dat het doorloopt")
        expected = ", ".join(sorted(self.scenario.open or ()))
        if self.scenario.open is not None and open_now != expected:
            raise _Failed(f"na de laatste stap: open zijn {open_now or 'geen'}, verwacht {expected or 'geen'}")


def _flows_taken(run: Run) -> set[tuple[str, str]]:
    """(source, target) of every sequence flow this instance went along so far."""
    reached = TaskState.WAITING | TaskState.READY | TaskState.STARTED | TaskState.COMPLETED
    taken = set()
    for task in run.wf.tasks.values():
        source = task.parent
        while source is not None and not source.task_spec.bpmn_id:  # skip engine-internal specs
            source = source.parent
        if task.state & reached and task.task_spec.bpmn_id and source is not None:
            taken.add((source.task_spec.bpmn_id, task.task_spec.bpmn_id))
    return taken


def untested(path: str | Path, results: list[ScenarioResult]) -> list[str]:
    """Per diagram under ``path`` whose scenarios all pass: the flows none of them took."""
    gaps = []
    for file in _diagrams(Path(path)):
        mine = [r for r in results if r.diagram == file.stem]
        if file.is_file() and mine and all(r.passed for r in mine):
            gaps += [f"{file.stem}: {flow}" for flow in untested_flows(file, mine)]
    return gaps


def untested_flows(diagram_path: Path, results: list[ScenarioResult]) -> list[str]:
    """The sequence flows of a diagram that no passing scenario went along."""
    taken = set().union(*(r.gelopen for r in results if r.passed))
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    tree = etree.fromstring(diagram_path.read_bytes(), parser)  # noqa: S320 - hardened parser
    flows = tree.xpath("//bpmn:sequenceFlow", namespaces=NS)
    return [
        f"{f.get('id')} ({f.get('sourceRef')} → {f.get('targetRef')})"
        for f in flows
        if (f.get("sourceRef"), f.get("targetRef")) not in taken
    ]


def _where(exc: EngineError) -> str:
    return f" (bij {exc.bpmn_id})" if exc.bpmn_id else ""


def _names(fields: set[str]) -> str:
    return ", ".join(sorted(fields)) or "(geen velden)"


def _errors_text(errors: dict[str, str]) -> str:
    return "; ".join(f"{name}: {message}" for name, message in sorted(errors.items()))


def run_scenario(diagram: Diagram, scenario: Scenario, *, roundtrip: bool = False) -> ScenarioResult:
    """Run one scenario; the result says whether it passed and, if not, at which step."""
    runner = _Runner(diagram, scenario, roundtrip)
    try:
        runner.run()
    except _Failed as exc:
        return ScenarioResult(diagram.key, scenario.naam, False, str(exc), runner.statussen, stappen=runner.uitkomsten)
    return ScenarioResult(diagram.key, scenario.naam, True, "", runner.statussen, runner.gelopen, runner.uitkomsten)


def run_file(diagram_path: Path, *, roundtrip: bool = False) -> list[ScenarioResult]:
    """Every scenario of one diagram; problems with the files become failed results."""
    key, path = diagram_path.stem, scenario_file(diagram_path)
    if not path.is_file():
        return [ScenarioResult(key, "(scenario's)", False, f"geen scenariobestand {path.name}")]
    problems = check_file(diagram_path)
    if problems:
        return [ScenarioResult(key, "(diagram)", False, "het diagram heeft fouten: " + problems[0])]
    try:
        scenarios = load_scenarios(path)
    except ScenarioFileError as exc:
        return [ScenarioResult(key, "(scenario's)", False, str(exc))]
    diagram = read_diagram(diagram_path)
    with statussen.in_map(diagram_path.parent):  # the vocabulary beside this diagram
        return [run_scenario(diagram, s, roundtrip=roundtrip) for s in scenarios]


def run_dir(path: str | Path, *, roundtrip: bool = False) -> list[ScenarioResult]:
    """The scenarios of every diagram under ``path`` (or of the one diagram ``path`` names)."""
    return [r for file in _diagrams(Path(path)) for r in run_file(file, roundtrip=roundtrip)]


def verify(path: str | Path) -> list[ScenarioResult]:
    """Each scenario straight through and with a save and load after every step (R10).

    A scenario passes only when both pass with the same status after every step.
    """
    results = []
    for file in _diagrams(Path(path)):
        for straight, saved in zip(run_file(file), run_file(file, roundtrip=True), strict=True):
            results.append(_combine(straight, saved))
    return results


def _combine(straight: ScenarioResult, saved: ScenarioResult) -> ScenarioResult:
    if not straight.passed:
        return straight
    if not saved.passed:
        saved.melding = f"na opslaan en laden: {saved.melding}"
        prefix = "na opslaan en laden: "
        saved.stappen = [u if u.geslaagd else replace(u, melding=prefix + u.melding) for u in saved.stappen]
        return saved
    if straight.statussen != saved.statussen:
        message = f"na opslaan en laden: statussen {saved.statussen}, niet {straight.statussen}"
        return ScenarioResult(
            straight.diagram, straight.naam, False, message, straight.statussen, stappen=saved.stappen
        )
    return straight


def _diagrams(path: Path) -> list[Path]:
    """The diagrams to test; a scenario file without its diagram counts too (and fails)."""
    if path.name.endswith(SUFFIX):
        return [_diagram_of(path)]
    if path.is_file():
        return [path]
    orphans = [_diagram_of(p) for p in sorted(path.glob("*" + SUFFIX))]
    return sorted(set(diagram_files(path)) | set(orphans))


def _diagram_of(path: Path) -> Path:
    return path.with_name(path.name[: -len(SUFFIX)] + ".bpmn")
