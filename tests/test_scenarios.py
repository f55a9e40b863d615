"""Scenario files (``bpmn/<key>.scenarios.yaml``): every path of every diagram, also after save/load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import workflow.engine.scenarios as scenarios
from workflow.engine.definitions import diagram_files, read_diagram
from workflow.engine.scenarios import (
    ScenarioFileError,
    load_scenarios,
    run_dir,
    run_file,
    run_scenario,
    untested,
    verify,
)

ROOT = Path(__file__).resolve().parent.parent
BPMN = ROOT / "bpmn"


def copy_diagram(folder: Path, scenario_text: str | None = None) -> Path:
    """bpmn/hulpvraag.bpmn and its forms in ``folder``, with these scenarios."""
    for file in [*BPMN.glob("hulpvraag*.json"), BPMN / "hulpvraag.bpmn"]:
        shutil.copy(file, folder / file.name)
    if scenario_text is not None:
        (folder / "hulpvraag.scenarios.yaml").write_text(scenario_text, "utf-8")
    return folder / "hulpvraag.bpmn"


INDIENEN = """
      - taak: indienen
        invoer: {ouders_geinformeerd: ja}
        status: Aanmelding
"""


def one_scenario(steps: str, end: str = "einde: true") -> str:
    return f"scenarios:\n  - naam: Proef\n    stappen:{INDIENEN}{steps}    {end}\n"


# --- the real diagrams --------------------------------------------------------------------
def test_every_diagram_has_scenarios() -> None:
    for diagram in diagram_files(BPMN):
        assert load_scenarios(diagram.with_name(diagram.stem + ".scenarios.yaml")), diagram.name


def test_every_scenario_passes_straight_through() -> None:
    results = run_dir(BPMN)

    assert len(results) >= 8
    assert [(r.naam, r.melding) for r in results if not r.passed] == []


def test_every_scenario_passes_with_save_and_load_after_every_step_and_same_statuses() -> None:
    straight = run_dir(BPMN)
    saved = run_dir(BPMN, roundtrip=True)

    assert [(r.naam, r.melding) for r in saved if not r.passed] == []
    assert [(r.naam, r.statussen) for r in saved] == [(r.naam, r.statussen) for r in straight]
    assert [r.gelopen for r in saved] == [r.gelopen for r in straight]


def test_roundtrip_really_loads_the_saved_state(monkeypatch: pytest.MonkeyPatch) -> None:
    loads = []
    original = scenarios.Run.load

    def counting_load(state, spec, version, helpers=None):  # type: ignore[no-untyped-def]
        loads.append(version)
        return original(state, spec, version, helpers)

    monkeypatch.setattr(scenarios.Run, "load", counting_load)
    [scenario] = [s for s in load_scenarios(BPMN / "hulpvraag.scenarios.yaml") if s.naam == "Direct compleet"]
    result = run_scenario(read_diagram(BPMN / "hulpvraag.bpmn"), scenario, roundtrip=True)

    assert result.passed, result.melding
    assert len(loads) == 3  # after the start and after each of the two steps


def test_the_scenarios_go_along_every_sequence_flow() -> None:
    assert untested(BPMN, verify(BPMN)) == []


def test_the_hulpvraag_statuses_along_the_doorzetten_path() -> None:
    results = {r.naam: r for r in run_file(BPMN / "hulpvraag.bpmn")}

    twice = results["Twee keer doorgezet (leescoördinator, dan orthopedagoog), daarna compleet"]
    assert twice.statussen == [
        "Aanmelding",
        "Doorzetten leescoördinator",
        "Doorzetten orthopedagoog",
        "Dossier compleet",
    ]


# --- failures name the step ---------------------------------------------------------------
def test_a_wrong_status_expectation_fails_naming_the_step(tmp_path: Path) -> None:
    steps = """      - taak: beoordelen
        invoer: {besluit: dossier_compleet, reden: Alles is er.}
        status: Afgewezen
"""
    [result] = run_file(copy_diagram(tmp_path, one_scenario(steps)))

    assert not result.passed
    assert result.melding == "stap 2 (beoordelen): de status is 'Dossier compleet', verwacht 'Afgewezen'"
    assert result.statussen == ["Aanmelding", "Dossier compleet"]


@pytest.mark.parametrize(
    ("steps", "end", "message"),
    [
        (
            "      - taak: aanvullen\n        invoer: {aangevuld: Gedaan.}\n",
            "einde: true",
            "stap 2 (aanvullen): taak 'aanvullen' staat niet klaar; wel klaar: beoordelen",
        ),
        (
            "      - taak: beoordelen\n        invoer: {besluit: doorzetten, reden: Graag advies.}\n",
            "einde: true",
            "stap 2 (beoordelen): het formulier weigert de invoer: functie: Dit veld is verplicht.",
        ),
        (
            "      - taak: beoordelen\n        invoer: {besluit: afgewezen, reden: Past niet.}\n        fouten: [reden]\n",
            "einde: true",
            "stap 2 (beoordelen): formulier accepteert de invoer, verwacht fouten bij reden",
        ),
        (
            "      - taak: beoordelen\n        invoer: {besluit: doorzetten}\n        fouten: [reden]\n",
            "einde: true",
            "stap 2 (beoordelen): verwacht fouten bij reden, maar kreeg: "
            "functie: Dit veld is verplicht.; reden: Dit veld is verplicht.",
        ),
        ("", "einde: true", "na de laatste stap: het proces is niet klaar; open: beoordelen"),
        ("", "open: [aanvullen]", "na de laatste stap: open zijn beoordelen, verwacht aanvullen"),
    ],
)
def test_each_kind_of_failure_has_a_clear_message(tmp_path: Path, steps: str, end: str, message: str) -> None:
    [result] = run_file(copy_diagram(tmp_path, one_scenario(steps, end)))

    assert (result.passed, result.melding) == (False, message)


def test_a_refused_step_changes_nothing(tmp_path: Path) -> None:
    steps = """      - taak: beoordelen
        invoer: {besluit: goedgekeurd, reden: Prima.}
        fouten: [besluit]
        status: Aanmelding
"""
    [result] = run_file(copy_diagram(tmp_path, one_scenario(steps, "open: [beoordelen]")), roundtrip=True)

    assert result.passed, result.melding
    assert result.statussen == ["Aanmelding", "Aanmelding"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("scenarios: [", "hulpvraag.scenarios.yaml kan niet gelezen worden"),
        ("naam: los", "hulpvraag.scenarios.yaml: verwacht een lijst onder 'scenarios:'"),
        (
            "scenarios:\n  - naam: X\n    stappen: []\n    eind: true\n",
            "hulpvraag.scenarios.yaml, scenario 1: onbekende sleutel(s) eind (wel: einde, gegevens, naam, open, opzoeken, stappen)",
        ),
        (
            "scenarios:\n  - naam: X\n    stappen: []\n",
            "hulpvraag.scenarios.yaml, scenario 1: zeg hoe het afloopt: 'einde: true' of 'open: [taken]'",
        ),
        (
            "scenarios:\n  - naam: X\n    stappen:\n      - taak: indienen\n        statis: Aanmelding\n    einde: true\n",
            "hulpvraag.scenarios.yaml, scenario 1 stap 1: onbekende sleutel(s) statis (wel: fouten, invoer, status, taak, timers)",
        ),
    ],
)
def test_a_broken_scenario_file_is_explained(tmp_path: Path, text: str, message: str) -> None:
    path = copy_diagram(tmp_path, text)

    with pytest.raises(ScenarioFileError) as raised:
        load_scenarios(path.with_name("hulpvraag.scenarios.yaml"))
    [result] = run_file(path)

    assert str(raised.value).startswith(message)
    assert not result.passed and result.melding.startswith(message)


def test_a_diagram_without_scenarios_fails(tmp_path: Path) -> None:
    copy_diagram(tmp_path)

    [result] = run_dir(tmp_path)

    assert (result.passed, result.melding) == (False, "geen scenariobestand hulpvraag.scenarios.yaml")


def test_yaml_yes_and_no_are_posted_as_ja_and_nee(tmp_path: Path) -> None:
    text = one_scenario("", "open: [beoordelen]").replace("ouders_geinformeerd: ja", "ouders_geinformeerd: yes")

    [result] = run_file(copy_diagram(tmp_path, text))

    assert result.passed, result.melding


# --- flask bpmn test ----------------------------------------------------------------------
def test_cli_runs_every_scenario(runner) -> None:  # type: ignore[no-untyped-def]
    count = len(load_scenarios(BPMN / "hulpvraag.scenarios.yaml"))
    total = sum(len(load_scenarios(d.with_name(d.stem + ".scenarios.yaml"))) for d in diagram_files(BPMN))

    result = runner.invoke(args=["bpmn", "test"])

    assert result.exit_code == 0, result.output
    assert result.output.count("OK    hulpvraag: ") == count
    assert result.output.splitlines()[-1] == f"{total} passed, 0 failed"


def test_cli_fails_on_a_broken_scenario(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    steps = (
        "      - taak: beoordelen\n        invoer: {besluit: afgewezen, reden: Past niet.}\n        status: Compleet\n"
    )
    copy_diagram(tmp_path, one_scenario(steps))

    result = runner.invoke(args=["bpmn", "test", str(tmp_path)])

    assert result.exit_code == 1
    assert "FOUT  hulpvraag: Proef" in result.output
    assert "stap 2 (beoordelen): de status is 'Afgewezen', verwacht 'Compleet'" in result.output
    assert result.output.splitlines()[-1] == "0 passed, 1 failed"


def test_cli_fails_when_a_diagram_has_no_scenarios(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    copy_diagram(tmp_path)

    result = runner.invoke(args=["bpmn", "test", str(tmp_path)])

    assert result.exit_code == 1
    assert "geen scenariobestand hulpvraag.scenarios.yaml" in result.output
    assert result.output.splitlines()[-1] == "0 passed, 1 failed"
