"""Which functies a diagram names, and the ``bpmn check`` line for one the list lacks.

A diagram names a functie in two ways:

- a task property ``functie`` with a literal value: ``functie="financiën"``;
- a task property ``functie="=veld"`` that reads a form field: then every choice of that field
  (``oneOf``/``anyOf`` ``const``, or ``enum``) in the forms the diagram names is a functie the
  case can be routed to (the SCP's "doorzetten → functie", the TLV's deskundigen).

The list of functies lives in the database (workflow/functies.py); the engine does not read it.
Callers with an app context pass it in (``check_file(path, functies=…)``); without it (``bpmn
test``, the scenarios) functies are not checked. Lanes are listed here too, for the demo test
and the beheer pages: a lane names a role (workflow/access.LANE_ROLES).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from workflow.engine.definitions import FORM_PROPERTIES

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
_PROPERTY = "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property"
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
_VELD = re.compile(r"^\s*([A-Za-z_]\w*)\s*$")
_SCHEMA_FILE = FORM_PROPERTIES[0]


@dataclass(frozen=True)
class FunctieGebruik:
    """One place a diagram names a functie: in the diagram (``bestand`` "") or in one of its forms."""

    naam: str
    bestand: str
    regel: int
    element: str


def functie_gebruik(path: Path) -> list[FunctieGebruik]:
    """Every functie the diagram at ``path`` names, with where (forms are read beside it)."""

    def lees_formulier(naam: str) -> str | None:
        bestand = path.parent / naam
        return bestand.read_text("utf-8") if Path(naam).name == naam and bestand.is_file() else None

    try:
        xml = path.read_bytes()
    except OSError:
        return []
    return functie_gebruik_in(xml, lees_formulier)


def functie_gebruik_in(xml: bytes | str, lees_formulier: Callable[[str], str | None]) -> list[FunctieGebruik]:
    """As ``functie_gebruik``, for a diagram's XML and a reader of its form files by name
    (a published version keeps its forms in the database)."""
    tree = _parse(xml)
    if tree is None:
        return []
    gebruik: list[FunctieGebruik] = []
    velden: set[str] = set()  # the form fields a task's functie reads
    formulieren: dict[str, str] = {}  # form file -> the first task that names it
    for element in tree.xpath(f"//bpmn:*[{_PROPERTY}]", namespaces=NS):
        element_id = str(element.get("id") or "-")
        for prop in element.xpath(f"./{_PROPERTY}", namespaces=NS):
            name, value = str(prop.get("name") or ""), str(prop.get("value") or "")
            if name == _SCHEMA_FILE and value:
                formulieren.setdefault(value, element_id)
            if name != "functie" or not value.strip():
                continue
            if not value.startswith("="):
                gebruik.append(FunctieGebruik(value.strip(), "", prop.sourceline or 1, element_id))
            elif match := _VELD.match(value[1:]):
                velden.add(match.group(1))
    for bestand, element_id in formulieren.items():
        tekst = lees_formulier(bestand)
        if tekst is None:
            continue  # the check reports a missing form
        for keuze in _keuzes(tekst, velden):  # reported at the task whose form offers the choice
            gebruik.append(FunctieGebruik(keuze, bestand, _regel(tekst, keuze), element_id))
    return gebruik


def functie_problemen(path: Path, functies: Collection[str]) -> list[tuple[str, int, str, str]]:
    """(file, line, element, message) for every functie ``path`` names that ``functies`` lacks."""
    bekend = set(functies)
    return [
        (g.bestand, g.regel, g.element, onbekende_functie(g.naam, bekend))
        for g in functie_gebruik(path)
        if g.naam not in bekend
    ]


def onbekende_functie(naam: str, functies: Collection[str]) -> str:
    """The Dutch line for a functie the list lacks, with the nearest names as a suggestion."""
    dichtbij = difflib.get_close_matches(naam, sorted(functies), n=2, cutoff=0.6)
    if not dichtbij:
        lower = {f.lower(): f for f in functies}
        dichtbij = [lower[naam.lower()]] if naam.lower() in lower else []
    hint = (
        f"bedoelde u {' of '.join(f'‘{d}’' for d in dichtbij)}?"
        if dichtbij
        else "voeg haar toe onder Beheer → Functies of kies een bestaande"
    )
    return f"functie ‘{naam}’ staat niet in de lijst van functies ({hint})"


def lanes_in(xml: bytes | str) -> set[str]:
    """The names of the lanes that hold a user or manual task (who must be able to do them)."""
    tree = _parse(xml)
    if tree is None:
        return set()
    taken = {str(t.get("id")) for t in tree.xpath("//bpmn:userTask | //bpmn:manualTask", namespaces=NS)}
    lanes: set[str] = set()
    for lane in tree.xpath("//bpmn:lane", namespaces=NS):
        refs = {(r.text or "").strip() for r in lane.xpath("./bpmn:flowNodeRef", namespaces=NS)}
        if refs & taken:
            lanes.add(str(lane.get("name") or ""))
    return lanes


def _parse(xml: bytes | str) -> Any:
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    try:
        return etree.fromstring(data, _XML_PARSER)  # noqa: S320 - hardened parser
    except etree.XMLSyntaxError:
        return None


def _keuzes(tekst: str, velden: Collection[str]) -> Iterator[str]:
    """Every choice of the named fields in one JSON schema."""
    try:
        schema = json.loads(tekst)
    except ValueError:
        return
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        return
    for veld in velden:
        prop = properties.get(veld)
        if not isinstance(prop, dict):
            continue
        opties = [o.get("const") for o in (prop.get("oneOf") or prop.get("anyOf") or []) if isinstance(o, dict)]
        opties += list(prop.get("enum") or [])
        for optie in opties:
            if isinstance(optie, str) and optie.strip():
                yield optie.strip()


def _regel(tekst: str, waarde: str) -> int:
    """The line of a choice in its form file (1 when it cannot be found)."""
    gezocht = json.dumps(waarde, ensure_ascii=False)
    for nummer, regel in enumerate(tekst.splitlines(), 1):
        if gezocht in regel or json.dumps(waarde) in regel:
            return nummer
    return 1
