"""What a draft changes against the live version: diagram elements and form fields.

The diagram is compared by element id on its semantic part (processes, not the drawing): an
element is added, removed, or changed when its own attributes, texts or properties differ
(child elements with an id of their own count separately). Moving a shape is not a change.
Forms are compared per file by their ``properties`` (the fields) and, for UI schemas, their
top-level keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from models import Concept, ProcessDefinition

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
_BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass(frozen=True)
class Element:
    id: str
    soort: str  # local tag name: "userTask"
    naam: str


@dataclass
class DiagramVerschil:
    toegevoegd: list[Element] = field(default_factory=list)
    verwijderd: list[Element] = field(default_factory=list)
    gewijzigd: list[Element] = field(default_factory=list)
    fout: str = ""  # a Dutch message when a diagram cannot be read

    @property
    def leeg(self) -> bool:
        return not (self.toegevoegd or self.verwijderd or self.gewijzigd)


@dataclass
class FormulierVerschil:
    bestand: str
    wat: str  # "nieuw" | "verwijderd" | "gewijzigd"
    toegevoegd: list[str] = field(default_factory=list)
    verwijderd: list[str] = field(default_factory=list)
    gewijzigd: list[str] = field(default_factory=list)


def diagram_verschil(oud_xml: str, nieuw_xml: str) -> DiagramVerschil:
    try:
        oud, nieuw = _elementen(oud_xml), _elementen(nieuw_xml)
    except etree.XMLSyntaxError as exc:
        return DiagramVerschil(fout=f"Het diagram is geen geldige XML ({exc.msg}); er is geen verschil te tonen.")
    return DiagramVerschil(
        toegevoegd=[nieuw[i][0] for i in nieuw if i not in oud],
        verwijderd=[oud[i][0] for i in oud if i not in nieuw],
        gewijzigd=[nieuw[i][0] for i in nieuw if i in oud and oud[i][1] != nieuw[i][1]],
    )


def _elementen(xml: str) -> dict[str, tuple[Element, bytes]]:
    """id → (element, signature) for every element with an id under a process or collaboration."""
    root = etree.fromstring(xml.encode("utf-8"), _PARSER)  # noqa: S320 - hardened parser
    found: dict[str, tuple[Element, bytes]] = {}
    for top in root:
        if not isinstance(top.tag, str) or etree.QName(top).namespace != _BPMN:
            continue  # the drawing (bpmndi) and foreign extensions
        for el in top.iter():
            ident = el.get("id") if isinstance(el.tag, str) else None
            if ident and el is not top:
                soort = etree.QName(el).localname
                found[ident] = (Element(ident, soort, el.get("name") or ""), _signatuur(el))
    return found


def _signatuur(el: Any) -> bytes:
    """The element without its children that have an id (those are compared on their own)."""
    kopie = etree.fromstring(etree.tostring(el))  # noqa: S320 - our own serialisation
    for kind in list(kopie):
        if isinstance(kind.tag, str) and kind.get("id"):
            kopie.remove(kind)
    return bytes(etree.tostring(kopie, method="c14n"))


def formulier_verschil(oud: dict[str, Any], nieuw: dict[str, Any]) -> list[FormulierVerschil]:
    """Per form file that differs: which fields were added, removed or changed."""
    result = []
    for naam in sorted(set(oud) | set(nieuw)):
        if naam not in oud:
            result.append(FormulierVerschil(naam, "nieuw", toegevoegd=sorted(_velden(nieuw[naam]))))
        elif naam not in nieuw:
            result.append(FormulierVerschil(naam, "verwijderd", verwijderd=sorted(_velden(oud[naam]))))
        elif oud[naam] != nieuw[naam]:
            result.append(_gewijzigd(naam, oud[naam], nieuw[naam]))
    return result


def _gewijzigd(naam: str, oud: Any, nieuw: Any) -> FormulierVerschil:
    a, b = _velden(oud), _velden(nieuw)
    gewijzigd = [k for k in a if k in b and a[k] != b[k]]
    verschil = FormulierVerschil(naam, "gewijzigd", sorted(set(b) - set(a)), sorted(set(a) - set(b)), sorted(gewijzigd))
    if not (verschil.toegevoegd or verschil.verwijderd or verschil.gewijzigd):
        verschil.gewijzigd = ["(formulier als geheel)"]
    return verschil


def _velden(schema: Any) -> dict[str, Any]:
    """field → what defines it (its schema and whether it is required); top-level keys for a UI schema."""
    if not isinstance(schema, dict):
        return {}
    properties = schema.get("properties")
    if isinstance(properties, dict):
        verplicht = set(schema.get("required") or [])
        return {str(k): (v, k in verplicht) for k, v in properties.items()}
    return {str(k): v for k, v in schema.items()}


@dataclass
class Verschil:
    diagram: DiagramVerschil
    formulieren: list[FormulierVerschil]


def verschil(concept: Concept, live: ProcessDefinition | None) -> Verschil:
    """The draft against the live version (an empty live version: everything is new)."""
    oud_xml = live.bpmn_xml if live is not None else '<definitions xmlns="' + _BPMN + '"/>'
    oud_forms = dict(live.forms or {}) if live is not None else {}
    return Verschil(diagram_verschil(oud_xml, concept.bpmn_xml), formulier_verschil(oud_forms, concept.forms or {}))
