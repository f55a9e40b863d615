"""The studio's form editor: a draft's JSON-schema form as a list of fields, and back.

The editor state (``Formulier`` with its ``Veld``s) is what the page shows and posts; it becomes
a JSON schema plus UI schema in the style of the files in ``bpmn/`` (so ``bpmn check`` accepts
them). Keys the editor does not show are carried along untouched (``extra``), so an expert's
``pattern`` or ``ui:placeholder`` survives an edit in the browser.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field, replace
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree

from models import Concept, User
from workflow.engine.forms import INTERN, widget_for
from workflow.studio.concepten import ConceptFout, Probleem, opslaan, problemen

SCHEMA_ID = "https://json-schema.org/draft/2020-12/schema"
# type:widget -> what the editor calls it; only combinations the renderer and the check accept.
SOORTEN = {
    "string:text": "Tekst (één regel)",
    "string:textarea": "Tekst (meerdere regels)",
    "string:select": "Keuzelijst",
    "string:radio": "Keuzerondjes",
    "string:date": "Datum",
    "string:email": "E-mailadres",
    "integer:number": "Geheel getal",
    "integer:user": "Gebruiker kiezen",
    "string:user": "Gebruiker kiezen (bewaard als tekst)",
    "number:number": "Getal",
    "number:money": "Bedrag (€)",
    "boolean:yesno": "Ja/nee",
}
MET_KEUZES = ("string:select", "string:radio")
MET_GRENZEN = ("string:text", "string:textarea", "integer:number", "number:number", "number:money")  # min/max
# Whose accounts a user picker may list (``ui:options.rol``); the task page lists the active ones.
ROLLEN = {"scp": "Schoolcontactpersoon", "functionaris": "Functionaris", "directeur": "Directeur",
          "aanvrager": "Aanvrager (school)"}  # fmt: skip
MAX_VELDEN = 100
_NAAM = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,59}")
_BESTAND = re.compile(r"[a-z0-9][a-z0-9_-]{0,80}")
_FORMAT = {"date": "date", "email": "email"}
# Keys of a field the editor shows itself; every other key is kept in ``extra``.
_EIGEN = {"type", "title", "description", "format", "oneOf", "enum", "minLength", "maxLength", "minimum", "maximum",
          INTERN}
_EIGEN_UI = {"ui:widget", "ui:help"}


@dataclass
class Veld:
    naam: str
    titel: str = ""
    help: str = ""
    soort: str = "string:text"
    verplicht: bool = False
    keuzes: str = ""  # one per line: "waarde = label"
    min: str = ""
    max: str = ""
    rol: str = ""  # for a user picker: whose accounts it lists
    intern: bool = False  # "x-intern": the answer is for SWV staff only
    oud: str = ""  # the name when the editor opened: a rename is warned about
    extra: dict[str, Any] = field(default_factory=dict)
    ui_extra: dict[str, Any] = field(default_factory=dict)

    @property
    def type(self) -> str:
        return self.soort.split(":", 1)[0]

    @property
    def widget(self) -> str:
        return self.soort.split(":", 1)[-1]


@dataclass
class Formulier:
    bestand: str  # "aanpak-toekennen.json"
    titel: str = ""
    velden: list[Veld] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # schema keys beside title/properties/required
    ui_extra: dict[str, Any] = field(default_factory=dict)
    verwijderd: list[str] = field(default_factory=list)  # stored names removed in this edit: warned about
    intern: bool = False  # "x-intern" on the whole form

    @property
    def ui_bestand(self) -> str:
        return ui_bestand(self.bestand)


def ui_bestand(bestand: str) -> str:
    return bestand.removesuffix(".json") + ".ui.json"


def schema_bestanden(concept: Concept) -> list[str]:
    """The draft's form schemas (not their UI schemas), by name."""
    return sorted(n for n in (concept.forms or {}) if not n.endswith(".ui.json"))


# --- editor state <-> JSON -------------------------------------------------------------------------
def uit_json(bestand: str, schema: dict[str, Any], ui: dict[str, Any]) -> Formulier:
    """The editor state of a stored form."""
    found = schema.get("properties")
    properties: dict[str, Any] = found if isinstance(found, dict) else {}
    required = set(schema.get("required", []) or [])
    first = [n for n in ui.get("ui:order", []) or [] if n in properties]
    order = first + [n for n in properties if n not in first]
    velden = [_veld(naam, properties[naam], ui.get(naam) or {}, naam in required) for naam in order]
    extra = {k: v for k, v in schema.items() if k not in ("$schema", "title", "type", "properties", "required", INTERN)}
    ui_extra = {k: v for k, v in ui.items() if k.startswith("ui:") and k != "ui:order"}
    formulier = Formulier(bestand, str(schema.get("title", "")), velden, extra, ui_extra)
    formulier.intern = schema.get(INTERN) is True
    return formulier


def _veld(naam: str, prop: Any, ui: Any, verplicht: bool) -> Veld:
    prop = prop if isinstance(prop, dict) else {}
    ui = ui if isinstance(ui, dict) else {}
    soort = f"{prop.get('type')}:{widget_for(prop, ui)}"
    opties = dict(ui["ui:options"]) if isinstance(ui.get("ui:options"), dict) else {}
    rol = str(opties.pop("rol", ""))
    ui_extra = {k: v for k, v in ui.items() if k not in _EIGEN_UI and k != "ui:options"}
    if opties or ("ui:options" in ui and not isinstance(ui["ui:options"], dict)):
        ui_extra["ui:options"] = opties or ui["ui:options"]
    kind = prop.get("type")
    low, high = ("minLength", "maxLength") if kind == "string" else ("minimum", "maximum")
    return Veld(
        naam=naam, oud=naam, titel=str(prop.get("title", "")), help=str(ui.get("ui:help", prop.get("description", ""))),
        soort=soort, verplicht=verplicht, keuzes=_keuzes_tekst(prop), rol=rol, intern=prop.get(INTERN) is True,
        min=_tekst(prop.get(low)), max=_tekst(prop.get(high)),
        extra={k: v for k, v in prop.items() if k not in _EIGEN or (k == "format" and v not in _FORMAT)},
        ui_extra=ui_extra,
    )  # fmt: skip


def _tekst(value: Any) -> str:
    return "" if value is None else str(value)


def _keuzes_tekst(prop: dict[str, Any]) -> str:
    if isinstance(prop.get("oneOf"), list):
        regels = [f"{o.get('const')} = {o.get('title', o.get('const'))}" for o in prop["oneOf"] if isinstance(o, dict)]
        return "\n".join(regels)
    return "\n".join(str(v) for v in prop.get("enum", []) or [])


def keuzes(veld: Veld) -> list[tuple[str, str]]:
    """(value, label) per non-empty line of the choices text."""
    result = []
    for regel in veld.keuzes.splitlines():
        waarde, _, label = regel.partition("=")
        if waarde.strip():
            result.append((waarde.strip(), label.strip() or waarde.strip()))
    return result


def naar_json(formulier: Formulier) -> tuple[dict[str, Any], dict[str, Any]]:
    """(schema, UI schema) as the files in bpmn/ are written. Assumes ``fouten`` found nothing."""
    schema: dict[str, Any] = {"$schema": SCHEMA_ID, "title": formulier.titel.strip(), "type": "object"}
    if formulier.intern:
        schema[INTERN] = True
    schema["properties"] = {v.naam: _prop(v) for v in formulier.velden}
    required = [v.naam for v in formulier.velden if v.verplicht]
    if required:
        schema["required"] = required
    schema.update(_zonder(formulier.extra, schema))
    ui: dict[str, Any] = {"ui:order": [v.naam for v in formulier.velden]}
    ui.update(_zonder(formulier.ui_extra, ui))
    for veld in formulier.velden:
        veld_ui = _ui(veld)
        if veld_ui:
            ui[veld.naam] = veld_ui
    return schema, ui


def _prop(veld: Veld) -> dict[str, Any]:
    prop: dict[str, Any] = {"type": veld.type, "title": veld.titel.strip()}
    if veld.help.strip():
        prop["description"] = veld.help.strip()
    if veld.intern:
        prop[INTERN] = True
    if veld.type == "string" and veld.widget in _FORMAT:
        prop["format"] = _FORMAT[veld.widget]
    if veld.soort in MET_KEUZES:
        prop["oneOf"] = [{"const": waarde, "title": label} for waarde, label in keuzes(veld)]
    low, high = ("minLength", "maxLength") if veld.type == "string" else ("minimum", "maximum")
    if veld.soort in MET_GRENZEN:
        for key, text in ((low, veld.min), (high, veld.max)):
            if text.strip():
                prop[key] = _getal(text)
    prop.update(_zonder(veld.extra, prop, _EIGEN - {"format"}))
    return prop


def _ui(veld: Veld) -> dict[str, Any]:
    default = widget_for({"type": veld.type, "format": _FORMAT.get(veld.widget, "")}, {})
    ui: dict[str, Any] = {"ui:widget": veld.widget} if veld.widget != default else {}
    ui.update(_zonder(veld.ui_extra, ui, _EIGEN_UI))
    if veld.widget == "user":
        opties = veld.ui_extra.get("ui:options")
        ui["ui:options"] = {**(opties if isinstance(opties, dict) else {}), "rol": veld.rol or "scp"}
    return ui


def _zonder(extra: dict[str, Any], gezet: dict[str, Any], eigen: set[str] | None = None) -> dict[str, Any]:
    """The carried-along keys that do not override what the editor itself wrote (a tampered page cannot)."""
    return {k: v for k, v in extra.items() if k not in gezet and k not in (eigen or set()) and k != "properties"}


def _getal(text: str) -> int | float:
    value = float(text.strip().replace(",", "."))
    return int(value) if value.is_integer() else value


# --- checking the editor state -------------------------------------------------------------------
def fouten(formulier: Formulier) -> dict[str, str]:
    """Dutch messages keyed by "titel" or "<index>-<attribute>"; empty when the form can be saved."""
    errors: dict[str, str] = {}
    if not formulier.titel.strip():
        errors["titel"] = "Geef het formulier een titel."
    if len(formulier.velden) > MAX_VELDEN:
        errors["velden"] = f"Een formulier heeft hoogstens {MAX_VELDEN} velden."
    gezien: set[str] = set()
    for index, veld in enumerate(formulier.velden):
        for attribuut, melding in _veld_fouten(veld, gezien).items():
            errors[f"{index}-{attribuut}"] = melding
        gezien.add(veld.naam)
    return errors


def _veld_fouten(veld: Veld, gezien: set[str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not _NAAM.fullmatch(veld.naam) or keyword.iskeyword(veld.naam):
        errors["naam"] = (f"‘{veld.naam[:60]}’ is geen geldige veldnaam: begin met een letter en gebruik alleen "
                          "letters, cijfers en _ (hoogstens 60 tekens, geen Python-woord zoals ‘if’).")  # fmt: skip
    elif veld.naam in gezien:
        errors["naam"] = f"De veldnaam ‘{veld.naam}’ komt al eerder in dit formulier voor; kies een andere naam."
    if not veld.titel.strip():
        errors["titel"] = "Geef het veld een label: de tekst die de gebruiker ziet."
    if veld.soort not in SOORTEN:
        errors["soort"] = "Kies een soort veld uit de lijst."
    elif veld.soort in MET_KEUZES:
        errors.update(_keuze_fouten(veld))
    elif veld.widget == "user" and veld.rol and veld.rol not in ROLLEN:
        errors["rol"] = "Kies uit de lijst wiens accounts de gebruiker kan kiezen."
    errors.update(_grens_fouten(veld))
    return errors


def _keuze_fouten(veld: Veld) -> dict[str, str]:
    waarden = [w for w, _label in keuzes(veld)]
    if not waarden:
        return {"keuzes": "Een keuzelijst of keuzerondjes hebben keuzes nodig: één per regel, als ‘waarde = label’."}
    if len(set(waarden)) != len(waarden):
        return {"keuzes": "Elke keuze heeft een eigen waarde nodig; een waarde komt nu twee keer voor."}
    return {}


def _grens_fouten(veld: Veld) -> dict[str, str]:
    errors: dict[str, str] = {}
    waarden: dict[str, float] = {}
    for attribuut in ("min", "max") if veld.soort in MET_GRENZEN else ():
        text = getattr(veld, attribuut).strip()
        if not text:
            continue
        try:
            waarden[attribuut] = _getal(text)
        except ValueError:
            errors[attribuut] = "Vul een getal in, of laat het leeg."
            continue
        if veld.type == "string" and (waarden[attribuut] < 0 or not float(waarden[attribuut]).is_integer()):
            errors[attribuut] = "Een aantal tekens is een geheel getal van 0 of meer."
    if not errors and "min" in waarden and "max" in waarden and waarden["min"] > waarden["max"]:
        errors["max"] = "Het maximum is kleiner dan het minimum."
    return errors


# --- where the diagram uses a field name ---------------------------------------------------------
def gebruik_in_diagram(bpmn_xml: str, naam: str) -> list[str]:
    """The diagram elements (id, with name) whose conditions, scripts or properties mention ``naam``."""
    try:
        root = etree.fromstring(bpmn_xml.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return []
    woord = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(naam)}(?![A-Za-z0-9_])")
    gevonden: list[str] = []
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        teksten = [node.text or ""] + [v for k, v in node.attrib.items() if k in ("value", "name")]
        if node.get("id") is None and any(woord.search(t) for t in teksten):
            label = _element_van(node)
            if label and label not in gevonden:
                gevonden.append(label)
    return gevonden


def _element_van(node: etree._Element) -> str:
    current: etree._Element | None = node
    while current is not None and current.get("id") is None:
        current = current.getparent()
    if current is None:
        return ""
    naam = current.get("name")
    return f"{current.get('id')} ({naam})" if naam else str(current.get("id"))


def gebruikt_door(bpmn_xml: str, bestand: str) -> list[str]:
    """The tasks whose form (schema or UI schema) is ``bestand``."""
    try:
        root = etree.fromstring(bpmn_xml.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return []
    namen = (bestand, ui_bestand(bestand))
    gevonden = [_element_van(n) for n in root.iter() if isinstance(n.tag, str) and n.get("value") in namen]
    return list(dict.fromkeys(g for g in gevonden if g))


# --- saving ----------------------------------------------------------------------------------------
def nieuw_formulier(concept: Concept, user: User, revisie: int, bestand: str, titel: str) -> str:
    """Add an empty form to the draft; its file name (``ConceptFout`` in Dutch when not possible)."""
    stam = bestand.strip().removesuffix(".json")
    if not _BESTAND.fullmatch(stam) or stam.endswith(".ui"):
        raise ConceptFout("Gebruik als bestandsnaam kleine letters, cijfers, - en _ (bijvoorbeeld ‘aanpak-evaluatie’).")
    naam = f"{stam}.json"
    if naam in (concept.forms or {}) or ui_bestand(naam) in (concept.forms or {}):
        raise ConceptFout(f"Er is al een formulier ‘{naam}’ in dit concept; kies een andere naam.")
    if not titel.strip():
        raise ConceptFout("Geef het nieuwe formulier een titel.")
    schema, ui = naar_json(Formulier(naam, titel.strip()))
    opslaan(concept, user, revisie, forms={**(concept.forms or {}), naam: schema, ui_bestand(naam): ui})
    return naam


def formulier_opslaan(concept: Concept, user: User, revisie: int, formulier: Formulier) -> list[Probleem]:
    """Store the form in the draft (flushed) and return the check's problems with it; the caller
    rolls back when there are any. Raises ``ConceptFout`` (or ``Verouderd``) as ``opslaan`` does."""
    if fouten(formulier):
        raise ConceptFout("Het formulier is niet opgeslagen: verbeter eerst de gemarkeerde velden.")
    schema, ui = naar_json(formulier)
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:  # an expert's extra key, e.g. "pattern": 5
        raise ConceptFout(f"Het formulier is niet opgeslagen: het is geen geldig JSON-schema ({exc.message}).") from exc
    forms = {**(concept.forms or {}), formulier.bestand: schema, formulier.ui_bestand: ui}
    opslaan(concept, user, revisie, forms=forms)
    return [p for p in problemen(concept) if p.bestand in (formulier.bestand, formulier.ui_bestand)]


def met_veld(formulier: Formulier) -> Formulier:
    """The form with one new, empty text field at the end (a free name: veld_1, veld_2, …)."""
    namen = {v.naam for v in formulier.velden}
    nummer = next(n for n in range(1, MAX_VELDEN + 2) if f"veld_{n}" not in namen)
    return replace(formulier, velden=[*formulier.velden, Veld(naam=f"veld_{nummer}")])


def zonder_veld(formulier: Formulier, index: int) -> Formulier:
    weg = [v.oud for i, v in enumerate(formulier.velden) if i == index and v.oud]
    velden = [v for i, v in enumerate(formulier.velden) if i != index]
    return replace(formulier, velden=velden, verwijderd=list(dict.fromkeys([*formulier.verwijderd, *weg])))


def verschoven(formulier: Formulier, index: int, stap: int) -> Formulier:
    """The form with field ``index`` moved one place up (-1) or down (+1), when there is room."""
    velden, doel = list(formulier.velden), index + stap
    if 0 <= index < len(velden) and 0 <= doel < len(velden):
        velden[index], velden[doel] = velden[doel], velden[index]
    return replace(formulier, velden=velden)
