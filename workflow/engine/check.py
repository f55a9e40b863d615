"""Checking a diagram before it is published (``flask bpmn check``, publish_all).

Every problem is one line ``file:line: element-id: message`` in Dutch, so a process owner
can jump to it in an editor. SpiffWorkflow only parses the XML; scripts, conditions, timers,
statuses, lanes and forms are first used when a case reaches them, so they are checked
here. The checks collect every problem they can instead of stopping at the first one.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Collection, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from workflow import statussen, statussen_gebruik
from workflow.access import LANE_ROLES
from workflow.engine.check_flow import check_flow
from workflow.engine.check_functies import functie_problemen
from workflow.engine.definitions import FORM_PROPERTIES, diagram_files
from workflow.engine.expressions import expression_problem
from workflow.engine.forms import WIDGETS, intern_problems, options_for, widget_for
from workflow.engine.instructies import instruction_problem
from workflow.engine.run import duration_after, executable_process_ids, parse_bpmn

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
_SHORT_NS = {f"{{{uri}}}": f"{prefix}:" for prefix, uri in NS.items()}
# No entities, no network: a diagram may come from an upload one day.
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
_ISO_DURATION = re.compile(r"P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+([.,]\d+)?S)?)?")
_BARE_ISO = re.compile(r"(R\d*/)?P[\dYMWDTHS.,]*|\d{4}-\d\d-\d\d\S*", re.IGNORECASE)
_DURATION_HINT = "gebruik bijvoorbeeld P10D, P2W of PT4H (PT1D is fout, P1D is goed)"
_SCHEMA_ID = Draft202012Validator.META_SCHEMA["$id"]
_PROPERTY = "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property"
_SCHEMA_FILE, _UI_FILE = FORM_PROPERTIES
FIELD_TYPES = ("string", "boolean", "integer", "number")


class _Report:
    """The problems found in one diagram file, formatted as lines."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.xml = b""
        self.tree: etree._Element | None = None
        self.found: list[tuple[str, int, str, str]] = []

    def add(self, line: int | None, element_id: str | None, message: str, file: str = "") -> None:
        self.found.append((file, line or 1, element_id or "-", message))

    @property
    def problems(self) -> list[str]:
        """In file order: the diagram first, then each form file; no line twice."""
        ordered = sorted(dict.fromkeys(self.found), key=lambda p: (p[0], p[1]))
        return [f"{file or self.path.name}:{line}: {id_}: {msg}" for file, line, id_, msg in ordered]

    def at(self, node: etree._Element | None, message: str) -> None:
        """A problem at ``node`` (the whole file when None), named by its BPMN element."""
        if node is None:
            self.add(self.tree.sourceline if self.tree is not None else 1, None, message)
        else:
            self.add(node.sourceline, _owner(node), message)

    def xpath(self, query: str) -> list[Any]:
        return list(self.tree.xpath(query, namespaces=NS)) if self.tree is not None else []


def check_dir(path: str | Path, functies: Collection[str] | None = None) -> list[str]:
    """Every problem in every diagram under ``path`` (or in the one file ``path`` names)."""
    target = Path(path)
    files = [target] if target.is_file() else diagram_files(target)
    return statussen.problemen(target) + [problem for file in files for problem in check_file(file, functies)]


def check_file(path: Path, functies: Collection[str] | None = None) -> list[str]:
    """Every problem in one diagram file and the forms it names; empty when it is fine.

    ``functies``: the names in the list of functies (workflow/functies.py), when the caller has
    a database; every functie the diagram names must be one of them (check_functies.py)."""
    report = _Report(Path(path))
    try:
        report.xml = report.path.read_bytes()
        report.tree = etree.fromstring(report.xml, _XML_PARSER)  # noqa: S320 - hardened parser
    except OSError as exc:
        report.add(None, None, f"bestand niet leesbaar: {exc.strerror}")
        return report.problems
    except etree.XMLSyntaxError as exc:
        report.add(exc.lineno, None, f"geen geldige XML: {exc.msg}")
        return report.problems
    if report.tree.getroottree().docinfo.doctype:
        report.at(None, "een DOCTYPE (DTD of entiteiten) is niet toegestaan in een diagram")
        return report.problems
    _check_structure(report)
    check_flow(report)  # only when the structure is sound; see check_flow.py
    _check_expressions(report)
    _check_properties(report)
    _check_lanes(report)
    _check_instructions(report)
    _check_forms(report)
    if functies is not None:
        for file, line, element_id, message in functie_problemen(report.path, functies):
            report.add(line, element_id, message, file)
    return report.problems


def _owner(node: etree._Element) -> str | None:
    """The id of the BPMN element a node belongs to (a task, flow or event; not its parts)."""
    for element in (node, *node.iterancestors()):
        if element.get("id") and not etree.QName(element).localname.endswith("EventDefinition"):
            return str(element.get("id"))
    return None


# --- structure --------------------------------------------------------------------------
def _check_structure(report: _Report) -> None:
    assert report.tree is not None
    process_ids = executable_process_ids(report.tree)
    if not process_ids:
        first = next(iter(report.xpath("//bpmn:process")), None)
        report.at(first, 'geen uitvoerbaar proces (zet isExecutable="true" op het proces)')
    for extra in report.xpath("//bpmn:process[@isExecutable='true']")[1:]:
        report.at(extra, "meer dan één uitvoerbaar proces in één bestand")
    if _check_references(report):
        return  # SpiffWorkflow would only repeat these, with a misleading message
    try:
        parser, _tree = parse_bpmn(report.xml, report.path.name)
        for process_id in process_ids:
            parser.get_spec(process_id)
    except ValidationException as exc:
        _report_validation(report, exc)
    except Exception as exc:  # the parser raises plain errors too: report, never crash
        report.at(None, f"diagram kan niet gelezen worden: {type(exc).__name__}: {exc}")


def _check_references(report: _Report) -> bool:
    """Duplicate ids and sequence flows to nothing; True when any was found."""
    found = len(report.found)
    seen: set[str] = set()
    for node in report.xpath("//*[@id]"):
        if node.get("id") in seen:
            report.at(node, "dit id komt meer dan eens voor")
        seen.add(node.get("id"))
    for flow in report.xpath("//bpmn:sequenceFlow"):
        for attribute in ("sourceRef", "targetRef"):
            target = flow.get(attribute)
            if target not in seen:
                report.at(flow, f"{attribute} verwijst naar onbekend element '{target}'")
    return len(report.found) > found


def _report_validation(report: _Report, exc: ValidationException) -> None:
    xsd_errors = getattr(exc.__context__, "error_log", None)  # all XSD errors, not just the last
    for error in xsd_errors or []:
        node = _node_at_line(report, error.line)
        owner = _owner(node) if node is not None else None
        report.add(error.line, owner, _xsd_message(error.message))
    if xsd_errors:
        return
    line = exc.line_number or None
    if not line and exc.id:  # node-based errors leave line_number empty: look the id up
        nodes = [n for n in report.xpath("//*[@id]") if n.get("id") == exc.id]
        line = nodes[0].sourceline if nodes else None
    report.add(line, exc.id or None, f"ongeldig diagram: {str(exc).strip().rstrip('.')}")


def _node_at_line(report: _Report, line: int) -> etree._Element | None:
    assert report.tree is not None
    return next((n for n in report.tree.iter() if n.sourceline == line), None)


def _xsd_message(message: str) -> str:
    for uri, prefix in _SHORT_NS.items():
        message = message.replace(uri, prefix)
    message = message.split(" Expected is ")[0]  # the list of allowed elements is pages long
    return f"voldoet niet aan het BPMN-schema: {message.strip().rstrip('.')}"


# --- scripts, conditions, timers ----------------------------------------------------------
def _check_expressions(report: _Report) -> None:
    for task in report.xpath("//bpmn:scriptTask"):
        script = task.find("bpmn:script", NS)
        if script is None:
            report.at(task, "script: scripttaak zonder script")
        else:
            _check_script(report, script, script.text)
    for script in report.xpath("//spiffworkflow:preScript | //spiffworkflow:postScript"):
        if (script.text or "").strip():  # an empty pre/post script is simply not run
            _check_script(report, script, script.text)
    conditions = "//bpmn:conditionExpression | //bpmn:condition | //spiffworkflow:messagePayload"
    for node in report.xpath(conditions):
        problem = expression_problem(node.text, "eval")
        if problem:
            report.at(node, f"voorwaarde: {problem}")
    for node in report.xpath("//bpmn:timeDuration | //bpmn:timeDate | //bpmn:timeCycle"):
        problem = _timer_problem(etree.QName(node).localname, (node.text or "").strip())
        if problem:
            report.at(node, f"timer: {problem}")


def _check_script(report: _Report, node: etree._Element, code: str | None) -> None:
    problem = expression_problem(code, "exec")
    if problem:
        report.at(node, f"script: {problem}")
        return
    vocabulary = statussen.lees(report.path.parent)
    for text, is_prefix in statussen_gebruik.zet_status_teksten(str(code)):
        if is_prefix and not vocabulary.is_bekend_begin(text):
            report.at(node, f"script: {vocabulary.onbekend(text, begin=True)}")
        elif not is_prefix and not vocabulary.is_bekend(text):
            report.at(node, f"script: zet_status: {vocabulary.onbekend(text)}")


def _timer_problem(kind: str, expression: str) -> str | None:
    if expression[:1] not in ('"', "'", "f") and _BARE_ISO.fullmatch(expression):
        return f"'{expression}' is geen tekst: schrijf \"{expression}\" (met aanhalingstekens)"
    problem = expression_problem(expression, "eval")
    if problem:
        return problem
    value = ast.parse(expression, mode="eval").body
    if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
        return None  # computed at run time, e.g. tijdstip(plus_weken(datum, -2))
    return _timer_value_problem(kind, value.value)


def _timer_value_problem(kind: str, text: str) -> str | None:
    if kind == "timeDate":
        try:
            datetime.fromisoformat(text)
        except ValueError:
            return f"'{text}' is geen geldig ISO-tijdstip (bijvoorbeeld 2026-09-01T09:00:00+02:00)"
        return None
    if kind == "timeDuration":
        return duration_problem(text)
    repeat, *rest = text.split("/")
    if not re.fullmatch(r"R\d*", repeat) or not rest:
        return f"'{text}' is geen geldige herhaling (bijvoorbeeld R3/P1W)"
    durations = [part for part in rest if part.upper().startswith("P")]
    return next((p for p in map(duration_problem, durations) if p), None)


def duration_problem(text: str) -> str | None:
    """A Dutch message when ``text`` is not an ISO-8601 duration the engine understands."""
    if _ISO_DURATION.fullmatch(text):
        try:
            duration_after(text, datetime.now(UTC))
            return None
        except Exception:  # noqa: S110 - the engine raises a bare Exception('Invalid duration')
            pass
    return f"'{text}' is geen geldige ISO-8601-duur: {_DURATION_HINT}"


# --- task properties, lanes, instructions -------------------------------------------------
def _properties(node: etree._Element) -> Iterator[tuple[etree._Element, str, str]]:
    """(property node, name, value) of every spiffworkflow property of one element."""
    for prop in node.xpath(f"./{_PROPERTY}", namespaces=NS):
        yield prop, str(prop.get("name") or ""), str(prop.get("value") or "")


def _property_problem(name: str, value: str, folder: Path) -> str | None:
    vocabulary = statussen.lees(folder) if name == "status" else None
    if vocabulary is not None and not vocabulary.is_bekend(value):
        return vocabulary.onbekend(value)
    if name == "doorlooptijd":
        return duration_problem(value)
    if name == "functie" and value.startswith("="):
        problem = expression_problem(value[1:], "eval")
        return f"expressie: {problem}" if problem else None
    if name == "controle" or name.startswith("controle:"):
        problem = expression_problem(value, "eval")
        return f"expressie: {problem}" if problem else None
    return None


def _check_properties(report: _Report) -> None:
    for element in report.xpath(f"//bpmn:*[{_PROPERTY}]"):
        for node, name, value in _properties(element):
            problem = _property_problem(name, value, report.path.parent)
            if problem:
                report.at(node, f"eigenschap {name}: {problem}")


def _check_lanes(report: _Report) -> None:
    lanes: dict[str, str] = {}
    for ref in report.xpath("//bpmn:lane/bpmn:flowNodeRef"):  # the last one wins, as in Spiff
        lanes[(ref.text or "").strip()] = str(ref.getparent().get("name") or "")
    known = ", ".join(LANE_ROLES)
    for task in report.xpath("//bpmn:userTask | //bpmn:manualTask"):
        lane = lanes.get(str(task.get("id")))
        if lane is None:
            report.at(task, f"taak staat in geen lane; zet hem in een lane ({known})")
        elif lane not in LANE_ROLES:
            report.at(task, f"lane '{lane}' hoort bij geen rol (bekende lanes: {known})")


def _check_instructions(report: _Report) -> None:
    """Task instructions are Jinja templates over the task data, rendered in the sandbox."""
    query = "//bpmn:userTask/bpmn:documentation | //bpmn:manualTask/bpmn:documentation"
    for node in report.xpath(query):
        problem = instruction_problem(node.text or "")
        if problem:
            report.at(node, f"instructie: {problem}")


# --- forms --------------------------------------------------------------------------------
def _check_forms(report: _Report) -> None:
    checked: set[tuple[str, str]] = set()
    for task in report.xpath(f"//bpmn:*[{_PROPERTY}]"):
        names = _form_files(report, task)
        if names is None or names in checked:
            continue
        checked.add(names)
        _Form(report, str(task.get("id")), *names).check()


def _form_files(report: _Report, task: etree._Element) -> tuple[str, str] | None:
    """(schema file, UI file or "") of a task whose form files exist beside the diagram."""
    found: dict[str, str] = {}
    for node, name, value in _properties(task):
        if name not in FORM_PROPERTIES:
            continue
        if not value or Path(value).name != value or value.startswith("."):
            report.at(node, f"{name}: '{value}' moet een bestandsnaam naast het diagram zijn")
        elif not (report.path.parent / value).is_file():
            report.at(node, f"{name}: formulier '{value}' bestaat niet naast het diagram")
        else:
            found[name] = value
    declared = {name for _node, name, _value in _properties(task)}
    if _UI_FILE in declared and _SCHEMA_FILE not in declared:
        report.at(task, f"{_UI_FILE} zonder {_SCHEMA_FILE}")
    return (found[_SCHEMA_FILE], found.get(_UI_FILE, "")) if _SCHEMA_FILE in found else None


class _Form:
    """One form (schema plus optional UI schema) as the task renderer will use it."""

    def __init__(self, report: _Report, task_id: str, schema_file: str, ui_file: str) -> None:
        self.report, self.task_id = report, task_id
        self.schema_file, self.ui_file = schema_file, ui_file

    def check(self) -> None:
        schema = self._load(self.schema_file)
        ui = self._load(self.ui_file) if self.ui_file else {}
        if schema is None or not self._check_schema(schema) or ui is None:
            return  # what is wrong has been reported; the fields cannot be checked
        if not isinstance(ui, dict):
            self.add(self.ui_file, (), "een UI-schema is een JSON-object")
            return
        self._check_ui(schema.get("properties", {}), ui)

    def add(self, file: str, keys: Sequence[str], message: str) -> None:
        self.report.add(self._line(file, keys), self.task_id, message, file=file)

    def _line(self, file: str, keys: Sequence[str]) -> int:
        """The line of ``"a"``, then of the first ``"b"`` after it, … (1 when unknown)."""
        lines = (self.report.path.parent / file).read_text("utf-8").splitlines()
        index = None
        for key in keys:
            after = (n for n in range(index or 0, len(lines)) if f'"{key}"' in lines[n])
            index = next(after, index)
        return index + 1 if index is not None else 1

    def _load(self, file: str) -> Any:
        try:
            return json.loads((self.report.path.parent / file).read_text("utf-8"))
        except json.JSONDecodeError as exc:
            message = f"geen geldige JSON: {exc.msg} (kolom {exc.colno})"
            self.report.add(exc.lineno, self.task_id, message, file=file)
        except (OSError, UnicodeDecodeError) as exc:
            self.report.add(1, self.task_id, f"bestand niet leesbaar: {exc}", file=file)
        return None

    def _check_schema(self, schema: Any) -> bool:
        """Report what the renderer cannot use; True when the fields can be checked further."""
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            keys = [str(k) for k in exc.path if isinstance(k, str)]
            self.add(self.schema_file, keys, f"ongeldig JSON-schema (Draft 2020-12): {exc.message}")
            return False
        if not isinstance(schema, dict) or schema.get("type") != "object":
            self.add(self.schema_file, ["type"], 'een formulier is een schema met "type": "object"')
            return False
        if schema.get("$schema", _SCHEMA_ID) != _SCHEMA_ID:
            self.add(self.schema_file, ["$schema"], f'gebruik "$schema": "{_SCHEMA_ID}"')
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in properties:
                self.add(self.schema_file, ["required", name], f"verplicht veld '{name}' ontbreekt in properties")
        for name, prop in properties.items():
            problem = _field_problem(prop)
            if problem:
                self.add(self.schema_file, ["properties", name], f"veld '{name}': {problem}")
        for keys, message in intern_problems(schema):
            self.add(self.schema_file, keys, message)
        return True

    def _check_ui(self, properties: dict[str, Any], ui: dict[str, Any]) -> None:
        file = self.ui_file or self.schema_file
        for key in [k for k in ui if not k.startswith("ui:")] + list(ui.get("ui:order", [])):
            if key not in properties:
                self.add(file, [key], f"UI-schema noemt onbekend veld '{key}'")
        for name, prop in properties.items():
            if _field_problem(prop):
                continue  # already reported with the schema
            field_ui = ui.get(name)
            problem = _widget_problem(prop, field_ui if isinstance(field_ui, dict) else {})
            if problem:
                self.add(file, [name] if self.ui_file else ["properties", name], f"veld '{name}': {problem}")


def _field_problem(prop: Any) -> str | None:
    if not isinstance(prop, dict):
        return "moet een object zijn"
    if prop.get("type") not in FIELD_TYPES:
        return f"type {prop.get('type')!r} kan niet getoond worden (wel: {', '.join(FIELD_TYPES)})"
    if any(not isinstance(o, dict) or "const" not in o for o in prop.get("oneOf", [])):
        return 'elke keuze in oneOf heeft een "const" nodig'
    if not str(prop.get("title") or "").strip():
        return 'het veld heeft geen label: geef het een Nederlandse "title"'
    return None


def _widget_problem(prop: dict[str, Any], ui: dict[str, Any]) -> str | None:
    widget, kind = widget_for(prop, ui), prop.get("type")
    if widget not in WIDGETS:
        return f"widget '{widget}' bestaat niet (wel: {', '.join(WIDGETS)})"
    if kind == "boolean" and widget not in ("yesno", "radio", "select"):
        return f"een ja/nee-veld kan niet als '{widget}' getoond worden"
    if widget in ("select", "radio") and kind != "boolean" and not options_for(prop):
        return f"widget '{widget}' heeft keuzes nodig (oneOf of enum)"
    if widget in ("number", "money") and kind not in ("number", "integer"):
        return f"widget '{widget}' hoort bij type number of integer"
    if widget == "yesno" and kind != "boolean":
        return "widget 'yesno' hoort bij type boolean"
    if widget == "date" and prop.get("format") != "date":
        return 'widget \'date\' hoort bij "format": "date"'
    return None
