"""JSON-schema task forms: fields for the renderer, and parsing a submission.

A form is the JSON schema a user task names (``formJsonSchemaFilename``) plus an optional
UI schema (``formUiSchemaFilename``, react-jsonschema-form style: ``ui:widget``, ``ui:help``,
``ui:order``, ``ui:options``). Only the schema's own properties are ever read from a
submission, so extra posted fields are ignored (no mass assignment).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

WIDGETS = ("text", "textarea", "number", "money", "date", "select", "radio", "yesno", "user", "email")
VERPLICHT = "Dit veld is verplicht."
# On the schema (the whole form) or on one property: for SWV staff only, hidden from school staff
# and externs wherever answers are shown (workflow/antwoorden.py). ``bpmn check`` reports a
# misspelling or a value that is not true/false (intern_problems).
INTERN = "x-intern"
_INTERN_SPELLINGEN = frozenset({"xintern", "intern", "xinternal", "internal", "xinterne", "interne"})


@dataclass
class FormField:
    """Everything the Jinja field macro needs to draw one field."""

    name: str
    label: str
    widget: str
    required: bool = False
    required_when: str = ""
    help: str = ""
    placeholder: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    value: Any = None
    error: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)
    rol: str = ""  # for the user picker: whose accounts can be chosen


@dataclass
class Form:
    schema: dict[str, Any]
    ui: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return str(self.schema.get("title", ""))

    @property
    def properties(self) -> dict[str, dict[str, Any]]:
        return dict(self.schema.get("properties", {}))

    def order(self) -> list[str]:
        ordered = [n for n in self.ui.get("ui:order", []) if n in self.properties]
        return ordered + [n for n in self.properties if n not in ordered]

    def ui_for(self, name: str) -> dict[str, Any]:
        return dict(self.ui.get(name, {}))


EMPTY_FORM = Form({"type": "object", "properties": {}})


def form_from_files(forms: Mapping[str, Any], schema_name: str | None, ui_name: str | None) -> Form:
    if not schema_name:
        return EMPTY_FORM
    return Form(dict(forms[schema_name]), dict(forms.get(ui_name or "", {}) or {}))


def widget_for(prop: Mapping[str, Any], ui: Mapping[str, Any]) -> str:
    kind = prop.get("type")
    if kind == "boolean":  # always Ja/Nee, whatever the UI schema asks
        return "yesno"
    if ui.get("ui:widget"):
        return str(ui["ui:widget"])
    if kind in ("number", "integer"):
        return "number"
    if "oneOf" in prop or "enum" in prop:
        return "select"
    return {"date": "date", "email": "email"}.get(str(prop.get("format", "")), "text")


def options_for(prop: Mapping[str, Any]) -> list[tuple[str, str]]:
    if "oneOf" in prop:
        return [(str(o["const"]), str(o.get("title", o["const"]))) for o in prop["oneOf"]]
    return [(str(v), str(v)) for v in prop.get("enum", [])]


def _conditions(form: Form) -> dict[str, str]:
    """field -> "Verplicht bij Besluit: Doorzetten" for if/then requirements."""
    out: dict[str, str] = {}
    for rule in form.schema.get("allOf", []):
        cond = rule.get("if", {}).get("properties", {})
        needed = rule.get("then", {}).get("required", [])
        for other, test in cond.items():
            if "const" not in test or other not in form.properties:
                continue
            labels = dict(options_for(form.properties[other]))
            label = form.properties[other].get("title", other)
            for name in needed:
                out[name] = f"Verplicht bij {label}: {labels.get(str(test['const']), test['const'])}"
    return out


def fields(form: Form, values: Mapping[str, Any], errors: Mapping[str, str]) -> list[FormField]:
    required = set(form.schema.get("required", []))
    conditional = _conditions(form)
    result = []
    for name in form.order():
        prop, ui = form.properties[name], form.ui_for(name)
        result.append(
            FormField(
                name=name,
                label=str(prop.get("title", name)),
                widget=widget_for(prop, ui),
                required=name in required,
                required_when=conditional.get(name, ""),
                help=str(ui.get("ui:help", prop.get("description", ""))),
                placeholder=str(ui.get("ui:placeholder", "")),
                options=options_for(prop),
                value=values.get(name),
                error=errors.get(name, ""),
                attrs=_attrs(prop),
                rol=str((ui.get("ui:options") or {}).get("rol", "")),
            )
        )
    return result


def intern_problems(schema: Mapping[str, Any]) -> list[tuple[list[str], str]]:
    """(keys to the place, Dutch message) for every misspelled or ill-typed ``x-intern``."""
    places: list[tuple[list[str], Any]] = [([], schema)]
    places += [(["properties", n], p) for n, p in dict(schema.get("properties") or {}).items()]
    problems = []
    for keys, part in places:
        if not isinstance(part, Mapping):
            continue
        for key, value in part.items():
            if key == INTERN and not isinstance(value, bool):
                shown = json.dumps(value, ensure_ascii=False)
                problems.append(([*keys, key], f'"{INTERN}" is true of false, niet {shown}'))
            elif key != INTERN and key.lower().replace("-", "").replace("_", "") in _INTERN_SPELLINGEN:
                problems.append(([*keys, key], f'onbekende eigenschap "{key}": bedoelt u "{INTERN}"?'))
    return problems


def _attrs(prop: Mapping[str, Any]) -> dict[str, Any]:
    names = {"maxLength": "maxlength", "minimum": "min", "maximum": "max"}
    return {html: prop[key] for key, html in names.items() if key in prop}


# --- parsing a submission ---------------------------------------------------------------
_NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")


def _number(text: str) -> Decimal:
    cleaned = text.replace("€", "").replace(" ", "").replace("\u00a0", "")
    if "," in cleaned:  # Dutch notation: 1.234,56
        cleaned = cleaned.replace(".", "").replace(",", ".")
    if not _NUMBER.match(cleaned):
        raise ValueError(text)
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(text) from exc


def _coerce(prop: Mapping[str, Any], widget: str, raw: str) -> Any:
    kind = prop.get("type")
    if kind == "boolean":
        lowered = raw.lower()
        if lowered in ("ja", "true", "on", "1"):
            return True
        if lowered in ("nee", "false", "0"):
            return False
        raise ValueError(raw)
    if kind == "integer":
        number = _number(raw)
        if number != number.to_integral_value():
            raise ValueError(raw)
        return int(number)
    if kind == "number":
        return _number(raw)
    return raw


_COERCE_MESSAGES = {
    "boolean": "Kies ja of nee.",
    "integer": "Vul een geheel getal in.",
    "number": "Vul een bedrag of getal in, bijvoorbeeld 1250,50.",
}


def parse_submission(form: Form, raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed data with every form field (absent ones as None), and Dutch errors per field."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, prop in form.properties.items():
        text = str(raw.get(name) or "").strip()
        if not text:
            continue
        try:
            data[name] = _coerce(prop, widget_for(prop, form.ui_for(name)), text)
        except ValueError:
            errors[name] = _COERCE_MESSAGES.get(str(prop.get("type")), "Ongeldige waarde.")
    for error in Draft202012Validator(form.schema, format_checker=FormatChecker()).iter_errors(_jsonable(data)):
        for name, message in _messages(form, error):
            errors.setdefault(name, message)
    if errors:
        return {}, errors
    return _finish(form, data), {}


def _jsonable(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (float(v) if isinstance(v, Decimal) else v) for k, v in data.items()}


def _finish(form: Form, data: dict[str, Any]) -> dict[str, Any]:
    """Store dates as dates and amounts as Decimal; clear fields left empty."""
    result: dict[str, Any] = {}
    for name, prop in form.properties.items():
        value = data.get(name)
        if isinstance(value, str) and prop.get("format") == "date":
            value = date.fromisoformat(value)
        elif isinstance(value, Decimal) and widget_for(prop, form.ui_for(name)) != "money":
            value = int(value) if prop.get("type") == "integer" else float(value)
        result[name] = value
    return result


def _messages(form: Form, error: ValidationError) -> list[tuple[str, str]]:
    if error.validator == "required":
        instance = error.instance if isinstance(error.instance, dict) else {}
        return [(n, VERPLICHT) for n in error.validator_value if n not in instance]
    if error.validator in ("allOf", "if", "then"):
        return []
    name = str(error.path[0]) if error.path else ""
    prop = form.properties.get(name, {})
    value = error.validator_value
    messages = {
        "minLength": f"Vul minstens {value} tekens in.",
        "maxLength": f"Gebruik hoogstens {value} tekens.",
        "minimum": f"De waarde moet minstens {value} zijn.",
        "maximum": f"De waarde mag hoogstens {value} zijn.",
        "exclusiveMinimum": f"De waarde moet groter zijn dan {value}.",
        "oneOf": "Kies een van de mogelijkheden.",
        "enum": "Kies een van de mogelijkheden.",
        "const": "Kies een van de mogelijkheden.",
        "pattern": "De invoer heeft niet de juiste vorm.",
        "type": "Ongeldige waarde.",
        "format": _format_message(str(prop.get("format", ""))),
    }
    return [(name, messages.get(str(error.validator), "Ongeldige waarde."))]


def _format_message(fmt: str) -> str:
    return {
        "date": "Vul een geldige datum in (dd-mm-jjjj).",
        "email": "Vul een geldig e-mailadres in.",
    }.get(fmt, "De invoer heeft niet de juiste vorm.")
