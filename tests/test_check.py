"""``flask bpmn check``: every problem in a diagram as ``file:line: element-id: message``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest

from workflow.engine.check import check_dir, check_file
from workflow.engine.definitions import diagram_files

ROOT = Path(__file__).resolve().parent.parent

# A small diagram with one of everything the check looks at; each test breaks one thing.
TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  id="Defs_proef" targetNamespace="https://kansrijk.nl/bpmn">
  <bpmn:process id="proef" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="lane" name="{lane}">
        <bpmn:flowNodeRef>invullen</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="invullen" name="Invullen">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="proef.json" />
          <spiffworkflow:property name="status" value="{status}" />
          <spiffworkflow:property name="doorlooptijd" value="{doorlooptijd}" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:scriptTask id="rekenen" name="Rekenen">
      <bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:intermediateCatchEvent id="wachten" name="Even wachten">
      <bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:timerEventDefinition id="wachten_timer">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{timer}</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:exclusiveGateway id="keuze" default="f_b">
      <bpmn:incoming>f4</bpmn:incoming>
      <bpmn:outgoing>f_a</bpmn:outgoing>
      <bpmn:outgoing>f_b</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="end_a"><bpmn:incoming>f_a</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_b"><bpmn:incoming>f_b</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="invullen" />
    <bpmn:sequenceFlow id="f2" sourceRef="invullen" targetRef="rekenen" />
    <bpmn:sequenceFlow id="f3" sourceRef="rekenen" targetRef="wachten" />
    <bpmn:sequenceFlow id="f4" sourceRef="wachten" targetRef="keuze" />
    <bpmn:sequenceFlow id="f_a" sourceRef="keuze" targetRef="end_a">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_b" sourceRef="keuze" targetRef="end_b" />
  </bpmn:process>
</bpmn:definitions>
"""
GOOD = {
    "lane": "SCP",
    "status": "Aanmelding",
    "doorlooptijd": "P10D",
    "script": 'zet_status("Doorzetten " + functie, reden)',
    "timer": '"PT1S"',
    "condition": 'besluit == "ja"',
}
FORM: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Proef",
    "type": "object",
    "properties": {
        "besluit": {"type": "string", "title": "Besluit", "enum": ["ja", "nee"]},
        "reden": {"type": "string", "title": "Reden", "minLength": 3},
        "functie": {"type": "string", "title": "Functie"},  # read by the script in GOOD
    },
    "required": ["besluit", "reden"],
}


def write(folder: Path, form: dict[str, Any] | None = None, **changes: str) -> Path:
    """The template diagram with ``changes``, and its form, in ``folder``."""
    values = {key: escape(value, {'"': "&quot;"}) for key, value in {**GOOD, **changes}.items()}
    path = folder / "proef.bpmn"
    path.write_text(TEMPLATE.format(**values), "utf-8")
    (folder / "proef.json").write_text(json.dumps(form or FORM, indent=2), "utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    """The first line of ``path`` that contains ``text``."""
    lines = path.read_text("utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def test_the_real_diagrams_check_clean() -> None:
    assert check_dir(ROOT / "bpmn") == []


def test_the_template_checks_clean(tmp_path: Path) -> None:
    assert check_file(write(tmp_path)) == []


def test_malformed_xml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path)
    path.write_text(path.read_text("utf-8").replace("</bpmn:process>", ""), "utf-8")

    [problem] = check_file(path)

    assert problem.startswith(f"proef.bpmn:{line_of(path, '</bpmn:definitions>')}: -: geen geldige XML: ")


def test_schema_violation_names_the_element(tmp_path: Path) -> None:
    path = write(tmp_path)
    path.write_text(
        path.read_text("utf-8").replace(
            '<bpmn:endEvent id="end_b">', '<bpmn:bogus id="raar"/><bpmn:endEvent id="end_b">'
        ),
        "utf-8",
    )

    [problem] = check_file(path)

    line = line_of(path, 'id="raar"')
    assert (
        problem
        == f"proef.bpmn:{line}: raar: voldoet niet aan het BPMN-schema: Element 'bpmn:bogus': This element is not expected"
    )


def test_flow_to_a_missing_element(tmp_path: Path) -> None:
    path = write(tmp_path)
    path.write_text(path.read_text("utf-8").replace('targetRef="end_b"', 'targetRef="nergens"'), "utf-8")

    assert check_file(path) == [
        f"proef.bpmn:{line_of(path, 'nergens')}: f_b: targetRef verwijst naar onbekend element 'nergens'"
    ]


def test_exactly_one_executable_process(tmp_path: Path) -> None:
    path = write(tmp_path)
    text = path.read_text("utf-8")
    path.write_text(text.replace('isExecutable="true"', 'isExecutable="false"'), "utf-8")
    line = line_of(path, '<bpmn:process id="proef"')
    assert check_file(path) == [
        f'proef.bpmn:{line}: proef: geen uitvoerbaar proces (zet isExecutable="true" op het proces)'
    ]

    second = (
        '<bpmn:process id="nog_een" isExecutable="true"><bpmn:startEvent id="s2" /></bpmn:process>\n</bpmn:definitions>'
    )
    path.write_text(text.replace("</bpmn:definitions>", second), "utf-8")
    assert check_file(path) == [
        f"proef.bpmn:{line_of(path, 'nog_een')}: nog_een: meer dan één uitvoerbaar proces in één bestand"
    ]


def test_missing_form_file(tmp_path: Path) -> None:
    path = write(tmp_path)
    (tmp_path / "proef.json").unlink()

    assert check_file(path) == [
        f"proef.bpmn:{line_of(path, 'formJsonSchemaFilename')}: invullen: "
        "formJsonSchemaFilename: formulier 'proef.json' bestaat niet naast het diagram"
    ]


def test_a_form_file_outside_the_folder_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path)
    path.write_text(path.read_text("utf-8").replace('value="proef.json"', 'value="../geheim.json"'), "utf-8")

    [problem] = check_file(path)

    assert problem.startswith(
        f"proef.bpmn:{line_of(path, 'geheim')}: invullen: formJsonSchemaFilename: '../geheim.json'"
    )


def test_form_that_is_not_json(tmp_path: Path) -> None:
    path = write(tmp_path)
    (tmp_path / "proef.json").write_text('{\n  "type": "object",\n  "properties": {,}\n}', "utf-8")

    [problem] = check_file(path)

    assert problem.startswith("proef.json:3: invullen: geen geldige JSON: ")


@pytest.mark.parametrize(
    ("change", "needle", "message"),
    [
        (
            {"minLength": -1},
            '"minLength": -1',
            "ongeldig JSON-schema (Draft 2020-12): -1 is less than the minimum of 0",
        ),
        (
            {"type": "tekst"},
            '"type": "tekst"',
            "ongeldig JSON-schema (Draft 2020-12): 'tekst' is not valid under any of the given schemas",
        ),
        (
            {"type": "array"},
            '"reden": {',
            "veld 'reden': type 'array' kan niet getoond worden (wel: string, boolean, integer, number)",
        ),
        ({"oneOf": [{"title": "Ja"}]}, '"reden": {', "veld 'reden': elke keuze in oneOf heeft een \"const\" nodig"),
    ],
)
def test_invalid_form_schema(tmp_path: Path, change: dict[str, Any], needle: str, message: str) -> None:
    form = json.loads(json.dumps(FORM))
    form["properties"]["reden"].update(change)
    path = write(tmp_path, form=form)

    assert check_file(path) == [f"proef.json:{line_of(tmp_path / 'proef.json', needle)}: invullen: {message}"]


def test_form_must_be_an_object_schema_with_known_required_fields(tmp_path: Path) -> None:
    path = write(tmp_path, form={**FORM, "type": "array"})
    line = line_of(tmp_path / "proef.json", '"type": "array"')
    assert check_file(path) == [f'proef.json:{line}: invullen: een formulier is een schema met "type": "object"']

    path = write(tmp_path, form={**FORM, "required": ["besluit", "toelichting"]})
    assert check_file(path) == [
        f"proef.json:{line_of(tmp_path / 'proef.json', 'toelichting')}: invullen: verplicht veld 'toelichting' ontbreekt in properties"
    ]


def test_widget_the_renderer_does_not_have(tmp_path: Path) -> None:
    path = write(tmp_path)
    properties = (
        'value="proef.json" />\n          <spiffworkflow:property name="formUiSchemaFilename" value="proef.ui.json" />'
    )
    path.write_text(path.read_text("utf-8").replace('value="proef.json" />', properties), "utf-8")
    ui = tmp_path / "proef.ui.json"
    ui.write_text(
        json.dumps({"reden": {"ui:widget": "kleurkiezer"}, "toelichting": {"ui:widget": "textarea"}}, indent=2), "utf-8"
    )

    assert check_file(path) == [
        f"proef.ui.json:{line_of(ui, 'reden')}: invullen: veld 'reden': widget 'kleurkiezer' bestaat niet "
        "(wel: text, textarea, number, money, date, select, radio, yesno, user, email)",
        f"proef.ui.json:{line_of(ui, 'toelichting')}: invullen: UI-schema noemt onbekend veld 'toelichting'",
    ]


def test_unknown_status_property(tmp_path: Path) -> None:
    path = write(tmp_path, status="Aangemeld")

    assert check_file(path) == [
        f"proef.bpmn:{line_of(path, 'Aangemeld')}: invullen: eigenschap status: onbekende status 'Aangemeld': "
        "staat niet in statussen.yaml (bedoelde u 'Aanmelding'?)"
    ]


def test_status_set_by_a_script_must_be_known(tmp_path: Path) -> None:
    script = 'zet_status("Gearrangeerd", reden)\nzet_status("Klaar", reden)\nzet_status("Doorzettn " + functie, reden)'
    path = write(tmp_path, script=script)

    line = line_of(path, "<bpmn:script>")
    assert check_file(path) == [
        f"proef.bpmn:{line}: rekenen: script: zet_status: onbekende status 'Klaar': staat niet in statussen.yaml",
        f'proef.bpmn:{line}: rekenen: script: zet_status("Doorzettn " + …) geeft geen status uit statussen.yaml '
        '(bedoelde u "Doorzetten "?)',
    ]


def test_doorlooptijd_must_be_an_iso_duration(tmp_path: Path) -> None:
    path = write(tmp_path, doorlooptijd="PT1D")

    [problem] = check_file(path)

    assert problem.startswith(
        f"proef.bpmn:{line_of(path, 'PT1D')}: invullen: eigenschap doorlooptijd: 'PT1D' is geen geldige ISO-8601-duur"
    )


def test_unquoted_timer_gets_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, timer="PT1S")

    assert check_file(path) == [
        f"proef.bpmn:{line_of(path, '>PT1S<')}: wachten: timer: 'PT1S' is geen tekst: schrijf \"PT1S\" (met aanhalingstekens)"
    ]


def test_condition_that_imports_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, condition="__import__('os')")

    assert check_file(path) == [
        f"proef.bpmn:{line_of(path, '__import__')}: f_a: voorwaarde: naam ‘__import__’ mag niet (begint met _)"
    ]


def test_script_that_escapes_through_dunders_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, script="x = ().__class__.__base__.__subclasses__()")

    assert check_file(path) == [
        f"proef.bpmn:{line_of(path, '__subclasses__')}: rekenen: script: attribuut ‘__subclasses__’ mag niet (begint met _); "
        "attribuut ‘__base__’ mag niet (begint met _); attribuut ‘__class__’ mag niet (begint met _)"
    ]


def test_lane_without_a_role(tmp_path: Path) -> None:
    path = write(tmp_path, lane="Ouders")

    [problem] = check_file(path)

    line = line_of(path, 'id="invullen"')
    assert problem.startswith(f"proef.bpmn:{line}: invullen: lane 'Ouders' hoort bij geen rol")


def test_every_problem_is_reported_in_file_order(tmp_path: Path) -> None:
    path = write(tmp_path, lane="Ouders", status="Aangemeld", script="open('x')", timer="P1D", condition="x.__class__")

    problems = check_file(path)

    assert [p.split(": ")[1] for p in problems] == ["invullen", "invullen", "rekenen", "wachten", "f_a"]
    assert [int(p.split(":")[1]) for p in problems] == sorted(int(p.split(":")[1]) for p in problems)


def test_check_dir_checks_every_diagram(tmp_path: Path) -> None:
    write(tmp_path, status="Aangemeld")
    (tmp_path / "kapot.bpmn").write_text("<bpmn:definitions", "utf-8")

    problems = check_dir(tmp_path)

    assert [p.split(":")[0] for p in problems] == ["kapot.bpmn", "proef.bpmn"]


def test_cli_check_passes_on_the_real_diagrams(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["bpmn", "check"])

    assert result.exit_code == 0, result.output
    assert f"OK: {len(diagram_files(ROOT / 'bpmn'))} diagram(men) gecontroleerd" in result.output


def test_cli_check_prints_problems_and_fails(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, timer="PT1S")

    result = runner.invoke(args=["bpmn", "check", str(tmp_path)])

    assert result.exit_code == 1
    assert f"proef.bpmn:{line_of(path, '>PT1S<')}: wachten: timer: 'PT1S' is geen tekst" in result.output
    assert "OK:" not in result.output


def test_a_doctype_is_refused_without_expanding_entities(tmp_path: Path) -> None:
    path = write(tmp_path)
    laughs = '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
    text = path.read_text("utf-8").replace("<bpmn:definitions", laughs + "<bpmn:definitions", 1)
    path.write_text(text.replace('name="Invullen"', 'name="&b;"'), "utf-8")

    [problem] = check_file(path)

    assert problem.endswith(": -: een DOCTYPE (DTD of entiteiten) is niet toegestaan in een diagram")


def test_each_form_problem_is_reported_once(tmp_path: Path) -> None:
    path = write(tmp_path)
    ui_property = (
        'value="proef.json" />\n          <spiffworkflow:property name="formUiSchemaFilename" value="proef.ui.json" />'
    )
    path.write_text(path.read_text("utf-8").replace('value="proef.json" />', ui_property), "utf-8")
    (tmp_path / "proef.ui.json").write_text('{"reden": ', "utf-8")
    (tmp_path / "proef.json").write_text("[]", "utf-8")

    assert check_file(path) == [
        "proef.json:1: invullen: ongeldig JSON-schema (Draft 2020-12): [] is not of type 'object', 'boolean'",
        "proef.ui.json:1: invullen: geen geldige JSON: Expecting value (kolom 11)",
    ]


def test_a_form_field_without_a_label_is_reported(tmp_path):
    import json
    import shutil

    SOURCE = ROOT / "bpmn"  # the real diagrams
    from workflow.engine.check import check_file

    for name in ("hulpvraag.bpmn", "hulpvraag-indienen.json", "hulpvraag-indienen.ui.json", "hulpvraag-beoordelen.json",
                 "hulpvraag-beoordelen.ui.json", "hulpvraag-aanvullen.json", "hulpvraag-aanvullen.ui.json"):  # fmt: skip
        shutil.copy(SOURCE / name, tmp_path / name)
    form = json.loads((tmp_path / "hulpvraag-aanvullen.json").read_text())
    del form["properties"]["aangevuld"]["title"]
    (tmp_path / "hulpvraag-aanvullen.json").write_text(json.dumps(form))
    problems = check_file(tmp_path / "hulpvraag.bpmn")
    assert any("aangevuld" in p and "geen label" in p for p in problems), problems
