"""The checks that read a diagram as a whole (workflow/engine/check_flow.py), via check_file."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.test_check import test_the_real_diagrams_check_clean  # noqa: F401 - the shipped diagrams, here too
from workflow.engine.check import check_file

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  id="Defs_proef" targetNamespace="https://kansrijk.nl/bpmn">
  <bpmn:process id="proef" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="lane" name="SCP">
{refs}
      </bpmn:lane>
    </bpmn:laneSet>
"""
TAIL = """  </bpmn:process>
</bpmn:definitions>
"""
# start -> beslissen (form besluit.json) -> keuze -> toekennen / afwijzen -> end
TASK = """    <bpmn:startEvent id="start" />
    <bpmn:userTask id="beslissen" name="Beslissen">
      <bpmn:documentation>{documentation}</bpmn:documentation>
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="besluit.json" />
          {properties}
        </spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="keuze" {default} />
    <bpmn:scriptTask id="toekennen"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:scriptTask id="afwijzen"><bpmn:script>zet_status("Afgewezen", reden)</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="einde" />
    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="beslissen" />
    <bpmn:sequenceFlow id="f_beslist" sourceRef="beslissen" targetRef="keuze" />
    <bpmn:sequenceFlow id="f_ja" sourceRef="keuze" targetRef="toekennen">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{ja}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_nee" sourceRef="keuze" targetRef="afwijzen">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{nee}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_t" sourceRef="toekennen" targetRef="einde" />
    <bpmn:sequenceFlow id="f_a" sourceRef="afwijzen" targetRef="einde" />
{extra}"""
GOOD = {
    "documentation": "Beslis over {{ titel }} ({{ aanvraagnummer }}).",
    "properties": "",
    "default": "",
    "script": 'zet_status("Toegekend", reden)',
    "ja": 'besluit == "toegekend"',
    "nee": 'besluit == "afgewezen"',
    "extra": "",
}
FORM: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Besluit",
    "type": "object",
    "properties": {
        "besluit": {
            "type": "string",
            "title": "Besluit",
            "oneOf": [{"const": "toegekend", "title": "Toekennen"}, {"const": "afgewezen", "title": "Afwijzen"}],
        },
        "reden": {"type": "string", "title": "Reden"},
        "budget_bedrag": {"type": "number", "title": "Bedrag"},
        "akkoord": {"type": "boolean", "title": "Akkoord"},
    },
    "required": ["besluit", "reden"],
}


def write(folder: Path, form: dict[str, Any] | None = None, **changes: str) -> Path:
    """The small diagram with ``changes`` (raw XML), its human tasks in lane SCP, and its form."""
    body = TASK.format(**{**GOOD, **changes})
    tasks = re.findall(r'<bpmn:(?:userTask|manualTask) id="([^"]+)"', body)
    refs = "\n".join(f"        <bpmn:flowNodeRef>{task}</bpmn:flowNodeRef>" for task in tasks)
    path = folder / "proef.bpmn"
    path.write_text(HEAD.format(refs=refs) + body + TAIL, "utf-8")
    (folder / "besluit.json").write_text(json.dumps(form or FORM, indent=2), "utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    lines = path.read_text("utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def at(path: Path, element_id: str, text: str = "") -> str:
    """``proef.bpmn:<line>: <element-id>``, at the line of ``text`` or else of the element."""
    needle = text or f'id="{element_id}"'
    return f"proef.bpmn:{line_of(path, needle)}: {element_id}"


def test_the_small_diagram_checks_clean(tmp_path: Path) -> None:
    assert check_file(write(tmp_path)) == []


# --- 1. gateway conditions against the form's choices ---------------------------------------
def test_a_condition_with_a_value_the_form_does_not_offer(tmp_path: Path) -> None:
    path = write(tmp_path, ja='besluit == "toegekent"')

    assert check_file(path) == [
        f"{at(path, 'keuze')}: waarde 'toegekend' van besluit "
        "(formulier ‘besluit.json’) leidt nergens heen bij ‘keuze’: geen uitgaand pad past en er is geen standaardpad",
        f"{at(path, 'f_ja', 'toegekent')}: voorwaarde vergelijkt besluit met 'toegekent', "
        "maar het formulier ‘besluit.json’ kent alleen: toegekend, afgewezen (bedoelde u 'toegekend'?)",
    ]


def test_literals_in_reversed_membership_and_negated_comparisons_are_checked(tmp_path: Path) -> None:
    path = write(tmp_path, ja='"toegekend" == besluit or besluit in ("afgewezen", "uitgesteld")', nee="not akkoord")

    assert check_file(path) == [
        f"{at(path, 'f_ja', 'uitgesteld')}: voorwaarde vergelijkt besluit met 'uitgesteld', "
        "maar het formulier ‘besluit.json’ kent alleen: toegekend, afgewezen",
    ]


def test_a_form_value_that_leads_nowhere(tmp_path: Path) -> None:
    form = json.loads(json.dumps(FORM))
    form["properties"]["besluit"]["oneOf"].append({"const": "uitgesteld", "title": "Later"})
    path = write(tmp_path, form=form, nee='besluit != "toegekend" and not besluit == "uitgesteld"')

    assert check_file(path) == [
        f"{at(path, 'keuze')}: waarde 'uitgesteld' van besluit "
        "(formulier ‘besluit.json’) leidt nergens heen bij ‘keuze’: geen uitgaand pad past en er is geen standaardpad",
    ]
    assert check_file(write(tmp_path, form=form, default='default="f_nee"')) == []


def test_a_yes_no_field_needs_a_path_for_no(tmp_path: Path) -> None:
    path = write(tmp_path, ja="akkoord", nee='akkoord and besluit == "afgewezen"')

    assert check_file(path) == [
        f"{at(path, 'keuze')}: waarde False van akkoord "
        "(formulier ‘besluit.json’) leidt nergens heen bij ‘keuze’: geen uitgaand pad past en er is geen standaardpad",
    ]


@pytest.mark.parametrize(
    "ja",
    [
        "len(besluit) > 3",  # a helper: not understood
        'besluit == "toegekend" or budget_bedrag > 10',  # a comparison that is not with a literal
        'besluit[0] == "t"',
    ],
)
def test_conditions_it_does_not_fully_understand_are_left_alone(tmp_path: Path, ja: str) -> None:
    assert check_file(write(tmp_path, ja=ja.replace('"', "&quot;"))) == []


def test_a_field_a_script_overwrites_is_not_judged(tmp_path: Path) -> None:
    path = write(tmp_path, ja='besluit == "ja"', nee='besluit == "nee"')
    text = path.read_text("utf-8").replace(
        "</bpmn:extensionElements>",
        '<spiffworkflow:postScript>besluit = "ja" if besluit == "toegekend" else "nee"</spiffworkflow:postScript>'
        "</bpmn:extensionElements>",
    )
    path.write_text(text, "utf-8")

    assert check_file(path) == []


# --- 2. user tasks need a form -------------------------------------------------------------------
EXTRA_TASK = """    <bpmn:{kind} id="kijken" name="Kijken">{properties}</bpmn:{kind}>
    <bpmn:sequenceFlow id="f_kijken" sourceRef="start" targetRef="kijken" />
    <bpmn:sequenceFlow id="f_gekeken" sourceRef="kijken" targetRef="einde" />
"""


def _extra_task(kind: str, properties: str = "") -> str:
    if properties:
        properties = f"<bpmn:extensionElements><spiffworkflow:properties>{properties}</spiffworkflow:properties></bpmn:extensionElements>"
    return EXTRA_TASK.format(kind=kind, properties=properties)


def test_a_user_task_without_a_form(tmp_path: Path) -> None:
    path = write(tmp_path, extra=_extra_task("userTask"))

    assert check_file(path) == [
        f"{at(path, 'kijken')}: gebruikerstaak zonder formulier: geef "
        'formJsonSchemaFilename op, of zet de eigenschap formulier="geen" als de taak er geen nodig heeft'
    ]


NEE = 'value="nee"'


def test_formulier_geen_and_manual_tasks_need_no_form(tmp_path: Path) -> None:
    no_form = '<spiffworkflow:property name="formulier" value="geen" />'
    assert check_file(write(tmp_path, extra=_extra_task("userTask", no_form))) == []
    assert check_file(write(tmp_path, extra=_extra_task("manualTask"))) == []

    path = write(tmp_path, extra=_extra_task("userTask", f'<spiffworkflow:property name="formulier" {NEE} />'))
    assert check_file(path) == [
        f'{at(path, "kijken", NEE)}: eigenschap formulier: alleen "geen" kan (een taak zonder formulier)',
        f"{at(path, 'kijken')}: gebruikerstaak zonder formulier: geef "
        'formJsonSchemaFilename op, of zet de eigenschap formulier="geen" als de taak er geen nodig heeft',
    ]


# --- 3. property names ---------------------------------------------------------------------------
def test_an_unknown_property_name_gets_a_suggestion(tmp_path: Path) -> None:
    properties = (
        '<spiffworkflow:property name="statuss" value="Aanmelding" />'
        '\n<spiffworkflow:property name="controle:reden" value="&quot;&quot;" />'
        '\n<spiffworkflow:property name="kleur" value="rood" />'
    )
    path = write(tmp_path, properties=properties)

    assert check_file(path) == [
        f"{at(path, 'beslissen', 'statuss')}: onbekende eigenschap ‘statuss’ (bedoelde u ‘status’?)",
        f"{at(path, 'beslissen', 'kleur')}: onbekende eigenschap ‘kleur’ (bekend: "
        "formJsonSchemaFilename, formUiSchemaFilename, formulier, status, statusReden, functie, toegewezenAan, "
        "doorlooptijd, controle, mailSchool, controle:…)",
    ]


# --- 4. reachability and dead ends ---------------------------------------------------------------
def test_an_unreachable_task_and_a_dead_end(tmp_path: Path) -> None:
    extra = """    <bpmn:scriptTask id="vergeten"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f_vergeten" sourceRef="vergeten" targetRef="einde" />
    <bpmn:scriptTask id="doodlopend"><bpmn:script>y = 2</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f_dood" sourceRef="start" targetRef="doodlopend" />
"""
    path = write(tmp_path, extra=extra)

    assert check_file(path) == [
        f"{at(path, 'vergeten')}: niet bereikbaar: geen pad vanaf een startgebeurtenis komt hier",
        f"{at(path, 'doodlopend')}: geen uitgaande pijl: hier stopt dit pad "
        "zonder eindgebeurtenis (verbind het met de volgende stap of met een eindgebeurtenis)",
    ]


def test_boundary_events_and_subprocesses_are_followed(tmp_path: Path) -> None:
    extra = """    <bpmn:boundaryEvent id="te_laat" attachedToRef="beslissen">
      <bpmn:timerEventDefinition id="te_laat_timer">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"P10D"</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:subProcess id="nabellen">
      <bpmn:startEvent id="nabellen_start" />
      <bpmn:scriptTask id="bellen"><bpmn:script>gebeld = True</bpmn:script></bpmn:scriptTask>
      <bpmn:scriptTask id="nooit"><bpmn:script>z = 3</bpmn:script></bpmn:scriptTask>
      <bpmn:endEvent id="nabellen_einde" />
      <bpmn:sequenceFlow id="f_sub1" sourceRef="nabellen_start" targetRef="bellen" />
      <bpmn:sequenceFlow id="f_sub2" sourceRef="bellen" targetRef="nabellen_einde" />
      <bpmn:sequenceFlow id="f_sub3" sourceRef="nooit" targetRef="nabellen_einde" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f_te_laat" sourceRef="te_laat" targetRef="nabellen" />
    <bpmn:scriptTask id="na"><bpmn:script>zet_status("Afgewezen", "gebeld" if gebeld else "")</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f_na_bellen" sourceRef="nabellen" targetRef="na" />
    <bpmn:sequenceFlow id="f_na" sourceRef="na" targetRef="einde" />
"""
    path = write(tmp_path, extra=extra)

    assert check_file(path) == [
        f"{at(path, 'nooit')}: niet bereikbaar: geen pad vanaf een startgebeurtenis komt hier",
    ]


# --- 5. variables nothing sets -------------------------------------------------------------------
def test_a_variable_no_form_script_or_start_data_sets(tmp_path: Path) -> None:
    path = write(tmp_path, script='zet_status("Toegekend", f"{reden}: {budget_bedrg}")')

    assert check_file(path) == [
        f"{at(path, 'toekennen', 'bedrg')}: variabele ‘budget_bedrg’ wordt gelezen, maar geen "
        "formulier, script of startgegeven ervoor zet hem (bedoelde u ‘budget_bedrag’?)"
    ]


def test_an_instruction_that_reads_what_is_set_only_later(tmp_path: Path) -> None:
    path = write(tmp_path, documentation="Het advies was: {{ advies.tekst }}", script="advies = reden")

    assert check_file(path) == [
        f"{at(path, 'beslissen', 'advies.tekst')}: variabele ‘advies’ wordt gelezen, maar geen "
        "formulier, script of startgegeven ervoor zet hem (dat gebeurt pas bij ‘toekennen’)"
    ]


def test_properties_timers_and_start_data_are_read_too(tmp_path: Path) -> None:
    properties = (
        '<spiffworkflow:property name="functie" value="=funtcie" />'
        '\n<spiffworkflow:property name="controle:reden" value="&quot;Te kort&quot; if len(reden) &lt; lengte else &quot;&quot;" />'
    )
    extra = """    <bpmn:boundaryEvent id="herinnering" attachedToRef="beslissen" cancelActivity="false">
      <bpmn:timerEventDefinition id="herinnering_timer">
        <bpmn:timeDate xsi:type="bpmn:tFormalExpression">tijdstip(plus_weken(ingediend_op, 2))</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f_herinnering" sourceRef="herinnering" targetRef="einde" />
"""
    path = write(
        tmp_path, properties=properties, extra=extra, script='zet_status("Toegekend", titel + str(hulpvraag_id))'
    )

    unset = "wordt gelezen, maar geen formulier, script of startgegeven ervoor zet hem"
    assert check_file(path) == [
        f"{at(path, 'beslissen', 'funtcie')}: variabele ‘funtcie’ {unset}",
        f"{at(path, 'beslissen', 'lengte')}: variabele ‘lengte’ {unset}",
        f"{at(path, 'herinnering', 'ingediend_op')}: variabele ‘ingediend_op’ {unset}",
    ]


def test_a_variable_set_on_the_way_round_a_loop_counts(tmp_path: Path) -> None:
    # afwijzen -> beslissen again: the second time round, "teller" has been set by afwijzen.
    path = write(tmp_path, documentation="Poging {{ teller }}", extra="")
    text = path.read_text("utf-8")
    text = text.replace('zet_status("Afgewezen", reden)', 'teller = 2\nzet_status("Afgewezen", reden)')
    text = text.replace('<bpmn:sequenceFlow id="f_a" sourceRef="afwijzen" targetRef="einde" />',
                        '<bpmn:sequenceFlow id="f_a" sourceRef="afwijzen" targetRef="beslissen" />')  # fmt: skip
    path.write_text(text, "utf-8")

    assert check_file(path) == []
