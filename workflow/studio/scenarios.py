"""Scenarios of a draft in the studio: read and write the ``<key>.scenarios.yaml`` text, run it,
make a scenario from a real case (without the data about the child) and offer a step for a new task.

The YAML text stays the source of truth: a save rewrites the scenario list below the file's
header comment, and is refused (nothing changes) when ``load_scenarios`` would not accept it.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from lxml import etree

from models import Concept, HumanTask, ProcessInstance, Statuswijziging, User, db
from workflow import audit
from workflow.engine.check import NS
from workflow.engine.definitions import latest_definition
from workflow.engine.forms import form_from_files, options_for, widget_for
from workflow.engine.scenarios import ScenarioFileError, ScenarioResult, load_scenarios, verify
from workflow.engine.zaakhistorie import taakgegevens
from workflow.studio import scenariotekst as tekst
from workflow.studio.concepten import ConceptFout, als_map, diagram_pad, mijn_concept, opslaan

TIMERS = "__timers__"  # the task select's value for a "let the timers go off" step
PLACEHOLDERS = {"date": "2026-01-01", "number": "1", "money": "1", "email": "voorbeeld@example.invalid"}
TEKST = "voorbeeldtekst"
BEWAARD = {"yesno", "select", "radio", "user", "checkboxes"}  # choices belong to the process, not the child
_SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
_HARD = etree.XMLParser(resolve_entities=False, no_network=True)


@dataclass(frozen=True)
class Veld:
    naam: str
    label: str
    widget: str
    keuzes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Taak:
    """A user task of the draft's diagram, with the fields of its form when the form is known."""

    id: str
    naam: str
    velden: tuple[Veld, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.naam} ({self.id})" if self.naam else self.id


@dataclass
class Voorstel:
    """A task no scenario visits that directly follows ``na``, which these scenarios complete."""

    taak: Taak
    na: str
    scenarios: list[int] = field(default_factory=list)  # 1-based numbers


# --- the draft's diagram --------------------------------------------------------------------
def _tree(concept: Concept) -> Any:
    try:
        return etree.fromstring(concept.bpmn_xml.encode("utf-8"), _HARD)  # noqa: S320 - hardened parser
    except etree.XMLSyntaxError:
        return None


def taken(concept: Concept) -> list[Taak]:
    """The user tasks of the draft in diagram order (empty when the XML cannot be read)."""
    tree = _tree(concept)
    if tree is None:
        return []
    return [_taak(concept, node) for node in tree.xpath("//bpmn:userTask", namespaces=NS)]


def _taak(concept: Concept, node: Any) -> Taak:
    props = {p.get("name"): p.get("value") for p in node.iter(f"{_SPIFF}property")}
    schema, ui = props.get("formJsonSchemaFilename"), props.get("formUiSchemaFilename")
    velden: tuple[Veld, ...] = ()
    forms = concept.forms or {}
    if schema in forms:
        form = form_from_files(forms, schema, ui if ui in forms else None)
        velden = tuple(
            Veld(n, str(form.properties[n].get("title", n)), widget_for(form.properties[n], form.ui_for(n)),
                 tuple(options_for(form.properties[n])))
            for n in form.order()
        )  # fmt: skip
    return Taak(str(node.get("id")), str(node.get("name") or ""), velden)


def _opvolgers(concept: Concept) -> dict[str, set[str]]:
    """Per user task: the user tasks reached from it along sequence flows without passing another one."""
    tree = _tree(concept)
    if tree is None:
        return {}
    user = {str(n.get("id")) for n in tree.xpath("//bpmn:userTask", namespaces=NS)}
    graph: dict[str, set[str]] = {}
    for flow in tree.xpath("//bpmn:sequenceFlow", namespaces=NS):
        graph.setdefault(str(flow.get("sourceRef")), set()).add(str(flow.get("targetRef")))
    result = {}
    for start in user:
        seen, todo, found = set(), list(graph.get(start, ())), set()
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            if node in user:
                found.add(node)
            else:
                todo += graph.get(node, ())
        result[start] = found
    return result


# --- the YAML text --------------------------------------------------------------------------
def document(concept: Concept) -> dict[str, Any]:
    """The scenario file as data; ConceptFout (Dutch) when it cannot be read."""
    text = concept.scenarios or ""
    if not text.strip():
        return {"scenarios": []}
    try:
        content = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConceptFout(f"Het scenariobestand is geen geldige YAML: {exc}") from exc
    if not isinstance(content, dict) or not isinstance(content.get("scenarios"), list):
        raise ConceptFout("Het scenariobestand heeft geen lijst onder ‘scenarios:’.")
    return content


def scenario_lijst(concept: Concept) -> list[dict[str, Any]]:
    return [s if isinstance(s, dict) else {} for s in document(concept)["scenarios"]]


def als_bewerkbaar(scenario: Any) -> dict[str, Any]:
    """A scenario as the edit page can draw it, whatever a hand-edited file holds (steps and input
    that are not mappings become empty ones; the save then says in Dutch what is missing)."""
    scenario = dict(scenario) if isinstance(scenario, dict) else {}
    stappen = scenario.get("stappen") if isinstance(scenario.get("stappen"), list) else []
    scenario["stappen"] = [_als_stap(stap) for stap in stappen or []]
    if scenario.get("open") is not None and not isinstance(scenario["open"], list):
        scenario["open"] = [str(scenario["open"])]
    return scenario


def _als_stap(stap: Any) -> dict[str, Any]:
    stap = dict(stap) if isinstance(stap, dict) else {"taak": ""}
    if not isinstance(stap.get("invoer"), dict):
        stap["invoer"] = {}
    if stap.get("fouten") is not None and not isinstance(stap["fouten"], list):
        stap["fouten"] = [str(stap["fouten"])]
    return stap


def controleer(text: str) -> None:
    """ConceptFout with the runner's Dutch message when ``load_scenarios`` refuses the text."""
    with tempfile.TemporaryDirectory(prefix="kansrijk-scenario-") as tmp:
        path = Path(tmp) / "concept.scenarios.yaml"
        path.write_text(text, "utf-8")
        try:
            load_scenarios(path)
        except ScenarioFileError as exc:
            raise ConceptFout(str(exc).replace("concept.scenarios.yaml", "het scenariobestand")) from exc


def bewaar(
    concept: Concept, user: User, revisie: int, scenarios: list[dict[str, Any]], *, verwijderd: int | None = None
) -> Concept:
    """Write the scenario list back, changing only the scenarios that changed (see scenariotekst);
    Verouderd / ConceptFout change nothing."""
    content = document(concept)
    oud = list(content["scenarios"])
    text = tekst.herschreven(concept.scenarios or "", oud, scenarios, verwijderd=verwijderd)
    if text is None:
        content["scenarios"] = scenarios
        text = tekst.geheel(tekst.kop(concept.scenarios or ""), content)
    controleer(text)
    return opslaan(concept, user, revisie, scenarios=text)


def bewaar_scenario(concept: Concept, user: User, revisie: int, nr: int, scenario: dict[str, Any]) -> Concept:
    """Replace scenario ``nr`` (1-based), or add it when ``nr`` is one past the last."""
    lijst = scenario_lijst(concept)
    if not 1 <= nr <= len(lijst) + 1:
        raise ConceptFout(f"Er is geen scenario {nr}.")
    if nr <= len(lijst):  # keep what this editor does not show (gegevens, opzoeken)
        eigen = {k: v for k, v in lijst[nr - 1].items() if k not in ("naam", "stappen", "einde", "open")}
        scenario = {"naam": scenario.get("naam"), **eigen, **{k: v for k, v in scenario.items() if k != "naam"}}
    lijst[nr - 1 : nr] = [scenario]
    return bewaar(concept, user, revisie, lijst)


def verwijder_scenario(concept: Concept, user: User, revisie: int, nr: int) -> Concept:
    lijst = scenario_lijst(concept)
    if not 1 <= nr <= len(lijst):
        raise ConceptFout(f"Er is geen scenario {nr}.")
    del lijst[nr - 1]
    return bewaar(concept, user, revisie, lijst, verwijderd=nr - 1)


def bekijk_concept(process_key: str, user: User) -> Concept | None:
    """The user's open draft, or (unsaved, for a GET that must change nothing) one like the live version."""
    bestaand = mijn_concept(process_key, user)
    if bestaand is not None:
        return bestaand
    live = latest_definition(process_key)
    if live is None:
        return None
    return Concept(
        process_key=process_key, auteur_id=user.id, basis_id=live.id, bpmn_xml=live.bpmn_xml,
        forms=dict(live.forms or {}), scenarios=live.scenarios or "", revisie=1,
    )  # fmt: skip


# --- running -------------------------------------------------------------------------------
def draai(concept: Concept) -> list[ScenarioResult]:
    """Every scenario of the draft, straight through and with a save and load after every step."""
    if not (concept.scenarios or "").strip():
        return []
    with als_map(concept) as folder:
        return verify(diagram_pad(folder, concept))


# --- a scenario from a real case -------------------------------------------------------------
def zaken(process_key: str, limit: int = 50) -> list[ProcessInstance]:
    """Cases of this aanpak that have a hulpvraag and at least one completed task, newest first."""
    done = sa.select(HumanTask.instance_id).where(HumanTask.completed_by_id.is_not(None))
    query = sa.select(ProcessInstance).where(
        ProcessInstance.process_key == process_key,
        ProcessInstance.hulpvraag_id.is_not(None),
        ProcessInstance.id.in_(done),
    )
    return list(db.session.scalars(query.order_by(ProcessInstance.id.desc()).limit(limit)))


def uit_zaak(concept: Concept, instance: ProcessInstance, user: User) -> dict[str, Any]:
    """The case's completed tasks as scenario steps, every value about the child replaced (audited)."""
    if instance.process_key != concept.process_key or instance.hulpvraag is None:
        raise ConceptFout("Deze zaak hoort niet bij deze aanpak.")
    tasks = list(db.session.scalars(
        sa.select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.completed_by_id.is_not(None))
        .order_by(HumanTask.completed_at, HumanTask.id)
    ))  # fmt: skip
    data = taakgegevens(instance, [t.task_id for t in tasks])
    velden = {t.id: t.velden for t in taken(concept)}
    wijzigingen = _statussen(instance)
    stappen = []
    for i, task in enumerate(tasks):
        invoer = _invoer(velden.get(task.bpmn_id, ()), data.get(task.task_id, {}))
        stap: dict[str, Any] = {"taak": task.bpmn_id, "invoer": invoer}
        tot = tasks[i + 1].completed_at if i + 1 < len(tasks) else None
        status = _status_na(wijzigingen, task, tot)
        if status:
            stap["status"] = status
        stappen.append(stap)
    hulpvraag = instance.hulpvraag
    scenario: dict[str, Any] = {"naam": f"Uit zaak {hulpvraag.aanvraagnummer}", "stappen": stappen}
    if instance.completed:
        scenario["einde"] = True
    else:
        scenario["open"] = sorted({t.bpmn_id for t in _open(instance)})
    audit.record(user, "bekijken", "hulpvraag", hulpvraag.id, detail=f"scenario uit zaak voor concept {concept.id}")
    return scenario


def _statussen(instance: ProcessInstance) -> list[Statuswijziging]:
    query = sa.select(Statuswijziging).where(Statuswijziging.hulpvraag_id == instance.hulpvraag_id)
    return list(db.session.scalars(query.order_by(Statuswijziging.created_at, Statuswijziging.id)))


def _status_na(wijzigingen: list[Statuswijziging], task: HumanTask, tot: Any) -> str | None:
    """The last status set after ``task`` was completed and before the next task was (if any)."""
    van = task.completed_at
    na = [w.naar for w in wijzigingen if van and w.created_at >= van and (tot is None or w.created_at < tot)]
    return na[-1] if na else None


def _open(instance: ProcessInstance) -> list[HumanTask]:
    query = sa.select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.completed_at.is_(None))
    return list(db.session.scalars(query))


def _invoer(velden: tuple[Veld, ...], data: dict[str, Any]) -> dict[str, str]:
    """The form's fields with a placeholder of the same kind; only choices keep the case's value."""
    invoer = {}
    for veld in velden:
        waarde = data.get(veld.naam)
        if waarde is None or waarde == "":
            continue
        if veld.widget in BEWAARD or veld.keuzes:
            invoer[veld.naam] = als_tekst(waarde)
        else:
            invoer[veld.naam] = PLACEHOLDERS.get(veld.widget, TEKST)
    return invoer


def als_tekst(value: Any) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return str(value)


# --- "stap invoegen" ----------------------------------------------------------------------------
def voorstellen(concept: Concept) -> list[Voorstel]:
    """User tasks no scenario visits that directly follow a task scenarios complete (best effort:
    a scenario whose next step is reached from the new task directly, or one that ended after that
    task and now, run on the draft, stops with the new task open), so the step fits."""
    try:
        lijst = scenario_lijst(concept)
    except ConceptFout:
        return []
    bezocht = {str(st.get("taak")) for s in lijst for st in (s.get("stappen") or []) if isinstance(st, dict)}
    opvolgers = _opvolgers(concept)
    open_na_einde = _Eindes(concept)
    result = []
    for taak in taken(concept):
        if taak.id in bezocht:
            continue
        for na, volgend in sorted(opvolgers.items()):
            if taak.id in volgend:
                nummers = _passend(lijst, na, opvolgers.get(taak.id, set()), taak.id, open_na_einde)
                if nummers:
                    result.append(Voorstel(taak, na, nummers))
    return result


class _Eindes:
    """Which scenarios, run on the draft, now stop with a given task open after their last step
    (a task added just before the end of the path they take). Run once, only when asked."""

    def __init__(self, concept: Concept) -> None:
        self.concept = concept
        self._open: dict[str, set[str]] | None = None

    def open_na(self, naam: str) -> set[str]:
        if self._open is None:
            self._open = {}
            for result in draai(self.concept):
                match = _OPEN_NA_EINDE.search(result.melding or "") if not result.passed else None
                if match:
                    self._open[result.naam] = {t.strip() for t in match.group(1).split(",")}
        return self._open.get(naam, set())


_OPEN_NA_EINDE = re.compile(r"na de laatste stap: het proces is niet klaar; open: ([^.;]+)")


def _passend(
    lijst: list[dict[str, Any]], na: str, na_nieuw: set[str], taak: str = "", eindes: _Eindes | None = None
) -> list[int]:
    return [nr for nr, scenario in enumerate(lijst, 1) if _plek(scenario, na, na_nieuw, taak, eindes) is not None]


def _plek(
    scenario: dict[str, Any], na: str, na_nieuw: set[str], taak: str = "", eindes: _Eindes | None = None
) -> int | None:
    """The step completing ``na`` whose next step is a task the new task leads to (a refused step
    with ``fouten`` completes nothing), or the last step when the scenario ends there and now stops
    with the new task open; None when the scenario does not pass there."""
    stappen = scenario.get("stappen") or []
    for i, stap in enumerate(stappen):
        volgende = stappen[i + 1] if i + 1 < len(stappen) else None
        if not isinstance(stap, dict) or stap.get("fouten") is not None or stap.get("taak") != na:
            continue
        if isinstance(volgende, dict) and volgende.get("taak") in na_nieuw:
            return i
        if volgende is None and scenario.get("einde") and eindes is not None and taak in eindes.open_na(
            str(scenario.get("naam"))
        ):
            return i
    return None


def voeg_stap_in(concept: Concept, user: User, revisie: int, taak: str, na: str, stap: dict[str, Any]) -> list[int]:
    """Insert ``stap`` after ``na`` in every scenario the offer names; the numbers changed."""
    voorstel = next((v for v in voorstellen(concept) if v.taak.id == taak and v.na == na), None)
    if voorstel is None:
        raise ConceptFout("Er is (niet meer) een voorstel om deze stap in te voegen; vernieuw de pagina.")
    lijst = scenario_lijst(concept)
    na_nieuw = _opvolgers(concept).get(taak, set())
    eindes = _Eindes(concept)
    for nr in voorstel.scenarios:
        plek = _plek(lijst[nr - 1], na, na_nieuw, taak, eindes)
        if plek is not None:
            lijst[nr - 1]["stappen"].insert(plek + 1, {"taak": taak, **stap})
    bewaar(concept, user, revisie, lijst)
    return voorstel.scenarios
