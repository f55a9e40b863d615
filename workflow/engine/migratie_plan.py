"""Moving one running case to another version of its diagram, in memory (no database).

SpiffWorkflow supplies the tools (``diff_workflow`` says which tasks of a case sit on a changed
or removed element, ``migrate_workflow`` re-points the case to the new spec and re-predicts its
open branches); whether a move is safe is left to the application (SpiffWorkflow #416). These
are Kansrijk's rules. A case **cannot move** when:

1. an open task (ready, waiting or started) sits on an element the new version no longer has:
   the case would wait on something that does not exist;
2. a finished task (completed or cancelled) sits on a removed element: the case's history
   points at it, and the engine cannot load such a case again (notes §8).
   For 1 and 2 an element also counts as removed when the new version has no element with its
   BPMN id and SpiffWorkflow's diff matched it by position to one with another id: a replaced
   task is not a renamed one (ids stay when a process owner renames a task), and the case would
   silently turn into another task, its history claiming a step it never did;
3. an open task's element became another kind of element (a user task became a script task);
4. the case runs on several paths at once (parallel branches, or a join that already waits for
   the others) and a join or a parallel/inclusive gateway was added, removed or got other
   incoming or outgoing flows: the join could wait for a path that never started, or go on
   before all have arrived;
5. it is inside a subprocess or multi-instance task (``migrate_workflow`` moves one level only,
   and no diagram here uses them);
6. an open user task has a pre-script on the new version: the move resets open tasks, which
   runs their pre-script again, and diagram code may call helpers that write (registreer_tlv);
7. the move itself fails: re-running a changed element's pre-script or timer expression fails,
   an open task would disappear or change state, a task would still point at an element of the
   old version, or the moved case does not load again against the new version's stored spec.

Rule 7 is checked by doing the move: the preview and the real move run the same code, so
"can move" in the preview is what the move does (unless the case changes in between).

A case **can move** otherwise, also when its open task changed (its name, form, instruction):
the task keeps its id, so its HumanTask row, claim and deadline stay. Notes are given when a
finished step changed (it is not run again) or when the new version put a step before an open
task (the case has passed that point and skips it).

Two repairs on what ``migrate_workflow`` does: it resets every ready and waiting task, which
forgets a waiting timer's due time (``reset_branch`` clears ``internal_data``) and may even fire
a timer whose expression now gives a past moment. A waiting event gets its internal data back and
stays waiting, so a timer keeps its due time (the timer sweep fires it when it is due). And
a status or aanpak that diagram code asks for during the reset is dropped (the case already
had it). The reset also evaluates a waiting timer's expression again; its result is discarded.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.specs.base import TaskSpec
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from workflow.engine.fouten import vertaal
from workflow.engine.run import SERIALIZER, SERIALIZER_VERSION, Run

OPEN = TaskState.READY | TaskState.WAITING | TaskState.STARTED
FINISHED = TaskState.COMPLETED | TaskState.CANCELLED | TaskState.ERROR

# The serializer's attribute names of a task spec, as a process owner calls them.
ATTRIBUTEN = {
    "bpmn_name": "naam", "bpmn_id": "id", "name": "id", "typename": "soort element",
    "inputs": "binnenkomende paden", "outputs": "uitgaande paden", "lane": "rol (lane)",
    "documentation": "instructie", "extensions": "eigenschappen (formulier, status, functie …)",
    "script": "script", "prescript": "pre-script", "postscript": "post-script",
    "event_definition": "gebeurtenis (timer, bericht, signaal)", "cond_task_specs": "voorwaarden",
    "default_task_spec": "standaardpad", "cancel_activity": "onderbrekend of niet",
    "data_input_associations": "invoergegevens", "data_output_associations": "uitvoergegevens",
    "io_specification": "invoer en uitvoer", "manual": "handmatig",
}  # fmt: skip
STRUCTUUR = {"inputs", "outputs", "cond_task_specs", "default_task_spec"}


class MigratieFout(Exception):
    """The move cannot be done safely; the message says why, in Dutch."""


@dataclass(frozen=True)
class Overgang:
    """One open task of a case: what it is on the old version and what it becomes."""

    van: str
    naar: str | None  # None: the element is gone
    wijzigingen: tuple[str, ...] = ()


@dataclass
class Verschil:
    """What differs between two versions of a diagram, by the old version's element names.

    Computed once per pair of versions (SpecDiff on their parsed specs); diff_workflow per case
    says which tasks are affected, this says how."""

    toegevoegd: list[str]
    verwijderd: list[str]
    gewijzigd: dict[str, list[str]]  # old element name -> serializer attribute names
    beschrijving: dict[str, str]  # old element name -> "‘Naam’ (id)"
    soorten: dict[str, type[TaskSpec]]  # old element name -> its class
    getekend: set[str]  # old element names the process owner drew (not the engine's own)
    samenvoegingen: list[str]  # joins and parallel/inclusive gateways added, removed or with other paths (rule 4)

    def regels(self) -> list[str]:
        """The differences as Dutch lines (elements the process owner drew; internal ones left out)."""
        lines = [f"Nieuw: {e}" for e in self.toegevoegd]
        lines += [f"Verwijderd: {e}" for e in self.verwijderd]
        lines += [
            f"Gewijzigd: {self.beschrijving[name]}: {', '.join(_attributen(changes))}"
            for name, changes in self.gewijzigd.items()
            if name in self.getekend
        ]
        return lines


@dataclass(frozen=True)
class Doel:
    """The version a case moves to: its parsed spec (reused for every case), the spec as stored
    (what the moved case must load against), and how it differs from the version the cases are on."""

    spec: BpmnProcessSpec
    subs: dict[str, Any]
    opgeslagen: dict[str, Any]
    verschil: Verschil


@dataclass
class Plan:
    """The outcome of trying to move one case: refused (redenen) or the moved run."""

    redenen: list[str] = field(default_factory=list)
    opmerkingen: list[str] = field(default_factory=list)
    overgangen: list[Overgang] = field(default_factory=list)
    run: Run | None = None
    gewijzigde_taken: set[str] = field(default_factory=set)  # ids of open user tasks whose element changed

    @property
    def kan(self) -> bool:
        return not self.redenen and self.run is not None


def verschil(old: BpmnProcessSpec, new: BpmnProcessSpec) -> Verschil:
    """SpecDiff of two versions; an element matched only by position to another id counts as
    removed and added (rules 1 and 2), not as changed."""
    diff = SpecDiff(SERIALIZER.registry, old, new)
    replaced = {o: n for o, n in diff.alignment.items() if n is not None and n.name != o.name}
    paths = [s for s, changes in diff.changed.items() if STRUCTUUR.intersection(changes)]
    joins = [s for s in [*diff.added, *diff.removed, *replaced, *replaced.values(), *paths] if _samenvoeging(s)]
    return Verschil(
        toegevoegd=[element(s) for s in [*diff.added, *replaced.values()] if _zichtbaar(s)],
        verwijderd=[element(s) for s in [*diff.removed, *replaced] if _zichtbaar(s)],
        gewijzigd={s.name: list(changes) for s, changes in diff.changed.items() if s not in replaced},
        beschrijving={s.name: element(s) for s in old.task_specs.values()},
        soorten={s.name: type(s) for s in old.task_specs.values()},
        getekend={s.name for s in old.task_specs.values() if _zichtbaar(s)},
        samenvoegingen=list(dict.fromkeys(element(s) for s in joins)),
    )


def plan(run: Run, doel: Doel) -> Plan:
    """Check the rules for ``run`` and, when they allow it, move it (in memory only)."""
    diff, _sub_diffs = diff_workflow(SERIALIZER.registry, run.wf, doel.spec, doel.subs)
    pair = doel.verschil
    result = Plan(
        redenen=weigeringen(run, diff, pair),
        opmerkingen=opmerkingen(run, diff, pair),
        overgangen=[_overgang(task, diff, pair) for task in _open_taken(run)],
        gewijzigde_taken={str(t.id) for t in diff.changed if t.state == TaskState.READY and t.task_spec.manual},
    )
    if result.redenen:
        return result
    try:
        result.run = verplaats(run, diff, doel)
    except MigratieFout as exc:
        result.redenen.append(str(exc))
    return result


# --- the rules ------------------------------------------------------------------------------
def weigeringen(run: Run, diff: WorkflowDiff, pair: Verschil) -> list[str]:
    """Rules 1-6 (see the module docstring), as Dutch reasons; empty when none applies."""
    reasons: list[str] = []
    wf = run.wf
    if wf.subprocesses or wf.get_tasks(state=TaskState.STARTED):
        reasons.append("De zaak zit in een deelproces of meervoudige taak; zulke zaken verplaatst Kansrijk niet.")
    for task, new in _verdwenen(run, diff):
        name = element(task.task_spec)
        instead = f" (op die plek staat nu {element(new)})" if new is not None else ""
        if task.state & OPEN:
            reasons.append(f"Open {_soort(task.task_spec)} ontbreekt in de nieuwe versie: {name}{instead}.")
        else:
            reasons.append(
                f"Afgeronde stap ontbreekt in de nieuwe versie: {name}{instead}; "
                "de geschiedenis van de zaak past daar niet in."
            )
    for task in diff.changed:
        if task.state & OPEN and "typename" in pair.gewijzigd.get(task.task_spec.name, []):
            reasons.append(f"Open {_soort(task.task_spec)} wordt een ander soort element: {element(task.task_spec)}.")
    for task in wf.get_tasks(state=TaskState.READY):
        new = diff.alignment.get(task)
        if new is not None and getattr(new, "prescript", None):
            reasons.append(
                "Open taak heeft in de nieuwe versie een pre-script, dat het verplaatsen opnieuw zou uitvoeren: "
                f"{element(new)}."
            )
    if pair.samenvoegingen and _paden(run) > 1:
        reasons.append(
            "De zaak loopt over meer paden tegelijk en de nieuwe versie wijzigt de samenvoeging van paden ("
            + ", ".join(pair.samenvoegingen) + "): die zou kunnen wachten op een pad dat nooit komt."
        )
    return list(dict.fromkeys(reasons))


def opmerkingen(run: Run, diff: WorkflowDiff, pair: Verschil) -> list[str]:
    """What a process owner should know about a case that can move."""
    notes: list[str] = []
    for task in diff.changed:
        changes = pair.gewijzigd.get(task.task_spec.name, [])
        if task.state & FINISHED and _zichtbaar(task.task_spec) and set(changes) - STRUCTUUR:
            notes.append(
                f"Afgeronde stap {element(task.task_spec)} is gewijzigd ({', '.join(_attributen(changes))}); "
                "die wordt niet opnieuw gedaan."
            )
    for task in _open_taken(run):
        parent, new = task.parent, diff.alignment.get(task)
        new_parent = diff.alignment.get(parent) if parent is not None else None
        if new is not None and new_parent is not None and new not in new_parent.outputs:
            notes.append(
                f"In de nieuwe versie volgt {element(new)} niet meer direct op {element(new_parent)}: "
                "wat daartussen nieuw is, slaat deze zaak over."
            )
    return list(dict.fromkeys(notes))


def _verdwenen(run: Run, diff: WorkflowDiff) -> list[tuple[Task, TaskSpec | None]]:
    """Open and finished tasks whose element has no namesake in the new version (rules 1 and 2),
    with what the diff matched it to by position, if anything."""
    removed = {t.id for t in diff.removed}
    found = []
    for task in run.wf.get_tasks(state=OPEN | FINISHED):
        new = diff.alignment.get(task)
        if task.id in removed or (new is not None and new.name != task.task_spec.name):
            found.append((task, new))
    return found


def _paden(run: Run) -> int:
    """On how many paths the case runs now (boundary events belong to their task's path)."""
    open_tasks = [t for t in run.wf.get_tasks(state=OPEN) if not isinstance(t.task_spec, BoundaryEvent)]
    return len(open_tasks)


# --- the move ----------------------------------------------------------------------------------
def verplaats(run: Run, diff: WorkflowDiff, doel: Doel) -> Run:
    """migrate_workflow plus the repairs and checks of rule 7; returns the case loaded afresh."""
    wf = run.wf
    before = {t.id: (t.state, element(t.task_spec)) for t in wf.get_tasks(state=OPEN)}
    events = {
        t.id: copy.deepcopy(t.internal_data)
        for t in wf.get_tasks(state=TaskState.WAITING)
        if isinstance(t.task_spec, CatchingEvent)
    }
    try:
        migrate_workflow(diff, wf, doel.spec)
    except Exception as exc:  # noqa: BLE001 - a pre-script or timer expression of the new version failed
        message, _id = vertaal(exc, wf)
        raise MigratieFout(f"De nieuwe versie loopt vast bij het verplaatsen: {message}") from exc
    wf.subprocess_specs = doel.subs  # migrate_workflow swaps the top spec only (notes §8)
    _herstel_wachtende_gebeurtenissen(wf.tasks, events)
    run.changes.clear()  # asked for by code the reset ran again (a timer expression): the case has it
    run.aanpakken.clear()
    _controleer_open_taken(wf.tasks, before)
    _controleer_elementen(wf.tasks.values(), doel.spec)
    try:
        return Run.load(run.dump(), doel.opgeslagen, SERIALIZER_VERSION, run.helpers)
    except Exception as exc:  # noqa: BLE001 - refused, with the reason
        name = type(exc).__name__
        raise MigratieFout(f"De verplaatste zaak laat zich niet laden op de nieuwe versie ({name}).") from exc


def _herstel_wachtende_gebeurtenissen(tasks: dict[Any, Task], events: dict[Any, dict[str, Any]]) -> None:
    """A waiting event keeps its internal data (a timer its due time) and stays waiting."""
    for task_id, internal in events.items():
        task = tasks.get(task_id)
        if task is None or not task.state & (TaskState.WAITING | TaskState.READY):
            continue
        task.internal_data = internal
        if task.state == TaskState.READY:  # fired by the reset: the timer sweep fires it when due
            task._set_state(TaskState.WAITING)


def _controleer_open_taken(tasks: dict[Any, Task], before: dict[Any, tuple[int, str]]) -> None:
    for task_id, (state, name) in before.items():
        task = tasks.get(task_id)
        if task is None or task.state != state:
            raise MigratieFout(f"Een open stap zou door de verplaatsing verdwijnen of van toestand veranderen: {name}.")
    new_open = [t for t in tasks.values() if t.state & OPEN and t.id not in before]
    if new_open:
        raise MigratieFout(f"De verplaatsing zou meteen een nieuwe stap openen: {element(new_open[0].task_spec)}.")


def _controleer_elementen(tasks: Any, spec: BpmnProcessSpec) -> None:
    for task in tasks:
        if spec.task_specs.get(task.task_spec.name) is not task.task_spec:
            name = element(task.task_spec)
            raise MigratieFout(f"Een stap zou naar een element van de oude versie blijven wijzen: {name}.")


# --- describing ----------------------------------------------------------------------------------
def _open_taken(run: Run) -> list[Task]:
    """The open user tasks and waiting events (timers): what a process owner sees of a case."""
    return [
        t for t in run.wf.get_tasks(state=TaskState.READY | TaskState.WAITING)
        if (t.state == TaskState.READY and t.task_spec.manual) or isinstance(t.task_spec, CatchingEvent)
    ]  # fmt: skip


def _overgang(task: Task, diff: WorkflowDiff, pair: Verschil) -> Overgang:
    new = diff.alignment.get(task)
    if new is not None and new.name != task.task_spec.name:
        new = None  # matched by position to another element: removed (rule 1)
    changes = tuple(_attributen(pair.gewijzigd.get(task.task_spec.name, [])))
    return Overgang(element(task.task_spec), element(new) if new is not None else None, changes)


def element(spec: TaskSpec) -> str:
    """An element by BPMN name and id, as the process owner drew it: ‘Aanmelding beoordelen’ (beoordelen)."""
    bpmn_id = getattr(spec, "bpmn_id", None)
    if bpmn_id:
        name = getattr(spec, "bpmn_name", None)
        return f"‘{name}’ ({bpmn_id})" if name else f"‘{bpmn_id}’"
    for suffix in (".BoundaryEventSplit", ".BoundaryEventJoin"):
        if spec.name.endswith(suffix):
            return f"de randgebeurtenissen van ‘{spec.name.removesuffix(suffix)}’"
    return "het begin of einde van het proces"


def _soort(spec: TaskSpec) -> str:
    if isinstance(spec, UserTask) or getattr(spec, "manual", False):
        return "taak"
    if isinstance(spec, CatchingEvent):
        timer = isinstance(getattr(spec, "event_definition", None), TimerEventDefinition)
        return "timer" if timer else "gebeurtenis"
    if isinstance(spec, Join):
        return "samenvoeging"
    return "stap"


def _samenvoeging(spec: TaskSpec) -> bool:
    return isinstance(spec, (Join, ParallelGateway, InclusiveGateway))


def _zichtbaar(spec: TaskSpec) -> bool:
    """Drawn by the process owner (the engine's own start, end and boundary tasks have no BPMN id)."""
    return bool(getattr(spec, "bpmn_id", None))


def _attributen(changes: list[str]) -> list[str]:
    return list(dict.fromkeys(ATTRIBUTEN.get(c, c) for c in changes))
