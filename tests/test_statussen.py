"""The status vocabulary is bpmn/statussen.yaml: a process owner adds a status with one line and
the check, the engine, the list filter and the LVS follow, without a change in Python."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from models import Hulpvraag, HumanTask, ProcessDefinition, ProcessInstance, db
from tests.conftest import new_hulpvraag
from workflow import statussen, statussen_gebruik
from workflow.engine.check import check_dir
from workflow.engine.definitions import DiagramError, latest_definition, publish_all
from workflow.engine.runtime import complete_task
from workflow.lvs_push import lvs_status

ROOT = Path(__file__).resolve().parent.parent
HX = {"HX-Request": "true"}
NIEUW = '  - {naam: Toestemming gevraagd, lvs: In beraad, eind: nee, achtervoegsel: nee, swv: ja, betekenis: "Wacht op toestemming"}\n'


def _copy(tmp_path: Path, extra: str = "") -> Path:
    """The intake diagram, its forms and the vocabulary in a folder of their own; ``extra`` is appended."""
    target = tmp_path / "bpmn"
    target.mkdir()
    for file in (ROOT / "bpmn").glob("hulpvraag*"):
        shutil.copy(file, target / file.name)
    (target / "statussen.yaml").write_text((ROOT / "bpmn" / "statussen.yaml").read_text("utf-8") + extra, "utf-8")
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if text in line)


def _new_hulpvraag(world, naam: str = "Test") -> Hulpvraag:  # type: ignore[no-untyped-def]
    return new_hulpvraag(world, naam)


# --- a new status: one line -------------------------------------------------------------------
def test_a_new_status_is_one_line_and_usable_without_python(app, world, client, auth, runner, tmp_path):
    bpmn = _copy(tmp_path, NIEUW)
    _edit(bpmn / "hulpvraag.bpmn", 'name="status" value="Aanmelding"', 'name="status" value="Toestemming gevraagd"')
    scenarios = bpmn / "hulpvraag.scenarios.yaml"  # publishing runs them: they say what indienen sets now
    scenarios.write_text(re.sub(r"(taak: indienen\n(?:.*\n)*?\s*status:) Aanmelding", r"\1 Toestemming gevraagd",
                                scenarios.read_text("utf-8")), "utf-8")  # fmt: skip
    _edit(scenarios, "fouten: [reden]\n        status: Aanmelding", "fouten: [reden]\n        status: Toestemming gevraagd")
    app.config["BPMN_DIR"] = str(bpmn)

    assert check_dir(bpmn) == []
    result = runner.invoke(args=["bpmn", "check"])
    assert result.exit_code == 0, result.output
    ((definition, created),) = publish_all(bpmn)
    assert created

    hulpvraag = _new_hulpvraag(world)
    task = db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, completed_at=None)).one()
    complete_task(task.id, world.users["aanvrager"], {"ouders_geinformeerd": "ja"})
    db.session.commit()
    assert hulpvraag.status == "Toestemming gevraagd"
    assert lvs_status(hulpvraag.status) == "In beraad"  # what the API and a push tell the LVS

    auth.login("scp")  # an SWV status: the SCP sees the hulpvraag and the filter offers the status
    assert 'value="Toestemming gevraagd"' in client.get("/hulpvragen").text
    page = client.get("/hulpvragen?status=Toestemming+gevraagd", headers=HX).text
    assert "1 hulpvraag gevonden" in page and "Onbekende status" not in page


def test_a_status_hidden_from_swv_staff_follows_the_file(app, world, client, auth, tmp_path):
    extra = '  - {naam: Concept, lvs: Nieuw, eind: nee, achtervoegsel: nee, swv: nee, betekenis: "Nog bij de school"}\n'
    app.config["BPMN_DIR"] = str(_copy(tmp_path, extra))
    hulpvraag = _new_hulpvraag(world, "Verborgen")
    hulpvraag.status = "Concept"
    db.session.commit()

    auth.login("scp")
    assert 'value="Concept"' not in client.get("/hulpvragen").text
    assert "0 hulpvragen gevonden" in client.get("/hulpvragen?status=Concept", headers=HX).text
    auth.logout()
    auth.login("beheerder")
    assert 'value="Concept"' in client.get("/hulpvragen").text
    assert "1 hulpvraag gevonden" in client.get("/hulpvragen?status=Concept", headers=HX).text


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    bpmn = _copy(tmp_path)
    assert not statussen.lees(bpmn).is_bekend("Toestemming gevraagd")

    with (bpmn / "statussen.yaml").open("a", encoding="utf-8") as file:
        file.write(NIEUW)

    assert statussen.lees(bpmn).is_bekend("Toestemming gevraagd")
    assert statussen.lees(tmp_path).pad == (ROOT / "bpmn" / "statussen.yaml").resolve()  # a folder without one


def test_todays_statuses_keep_their_rules() -> None:
    assert statussen.is_bekende_status("Doorzetten orthopedagoog") and not statussen.is_bekende_status("Doorzetten ")
    assert not statussen.is_bekende_status("Aanmelding orthopedagoog")  # takes no suffix
    assert statussen.zoek("Gearrangeerd budget Herstart").naam == "Gearrangeerd budget"
    assert [s.naam for s in statussen.lees().statussen if s.eind] == [
        "TLV afgegeven", "Afgerond", "Afgewezen", "Niet ontvankelijk", "Niet ontvankelijk financiën"]
    assert statussen.is_eindstatus("Afgewezen te laat") and not statussen.is_eindstatus("Afgerond-ish")
    assert [s.naam for s in statussen.lees().statussen if not s.swv] == ["Voorlopige aanmelding"]
    assert statussen.filterstatussen(met_verborgen=False)[0] == "Aanmelding"


# --- what the check reports ----------------------------------------------------------------------
def test_a_status_the_file_does_not_know_is_reported_with_a_did_you_mean(tmp_path: Path) -> None:
    bpmn = _copy(tmp_path)
    diagram = bpmn / "hulpvraag.bpmn"
    _edit(diagram, 'name="status" value="Aanmelding"', 'name="status" value="Aanmeldng"')
    _edit(diagram, 'zet_status("Afgewezen", reden)', 'zet_status("Afgewzen", reden)')
    _edit(diagram, 'zet_status("Doorzetten " + functie, reden)', 'zet_status("Doorzeten " + functie, reden)')

    problems = check_dir(bpmn)

    assert (
        f"hulpvraag.bpmn:{_line_of(diagram, 'Aanmeldng')}: indienen: eigenschap status: onbekende status "
        "'Aanmeldng': staat niet in statussen.yaml (bedoelde u 'Aanmelding'?)"
    ) in problems
    assert (
        f"hulpvraag.bpmn:{_line_of(diagram, 'Afgewzen')}: status_afgewezen: script: zet_status: onbekende status "
        "'Afgewzen': staat niet in statussen.yaml (bedoelde u 'Afgewezen'?)"
    ) in problems
    assert (
        f"hulpvraag.bpmn:{_line_of(diagram, 'Doorzeten')}: status_doorzetten: script: zet_status(\"Doorzeten \" + …) "
        'geeft geen status uit statussen.yaml (bedoelde u "Doorzetten "?)'
    ) in problems
    assert not any("domain.md" in p for p in problems)


@pytest.mark.parametrize(("line", "message"), [
    ("  - {naam: Nieuw ding, eind: nee, achtervoegsel: nee, swv: ja, betekenis: \"x\"}",
     "Nieuw ding: geen LVS-status (lvs: …); kies één van: Nieuw, Dossier incompleet, Dossier compleet, In beraad, "
     "Gearrangeerd, In behandeling, Afgerond, Afgewezen"),
    ("  - {naam: Nieuw ding, lvs: Afgerondd, eind: nee, achtervoegsel: nee, swv: ja, betekenis: \"x\"}",
     "Nieuw ding: onbekende LVS-status 'Afgerondd' (bedoelde u 'Afgerond'?)"),
    ("  - {naam: Nieuw ding, lvs: Nieuw, achtervoegsel: nee, swv: ja, betekenis: \"x\"}",
     "Nieuw ding: eind ontbreekt (ja of nee)"),
    ("  - {naam: Nieuw ding, lvs: Nieuw, eind: misschien, achtervoegsel: nee, swv: ja, betekenis: \"x\"}",
     "Nieuw ding: eind is ja of nee, niet 'misschien'"),
    ("  - {naam: Nieuw ding, lvs: Nieuw, eind: ja, achtervoegsel: nee, swv: ja, betekenis: \"x\", beteknis: \"y\"}",
     "Nieuw ding: onbekende sleutel 'beteknis' (bedoelde u 'betekenis'?)"),
    ("  - {naam: In beraad, lvs: In beraad, eind: nee, achtervoegsel: nee, swv: ja, betekenis: \"x\"}",
     f"In beraad: deze status staat er twee keer in (ook op regel {_line_of(ROOT / 'bpmn' / 'statussen.yaml', 'naam: In beraad')})"),
    ("  - {naam: Kapot, lvs: Nieuw",  # the closing } is missing
     "-: geen geldige YAML: expected ',' or '}', but got '<stream end>'"),
])
def test_problems_in_the_vocabulary_file_name_their_line(tmp_path: Path, line: str, message: str) -> None:
    bpmn = _copy(tmp_path, line + "\n")
    number = len((bpmn / "statussen.yaml").read_text("utf-8").splitlines())
    expected = f"statussen.yaml:{number}: {message}"

    assert statussen.problemen(bpmn) == [expected]
    assert check_dir(bpmn).count(expected) == 1  # once, not per diagram
    with pytest.raises(statussen.StatussenFout):
        statussen.statuslijst(bpmn)


def test_the_statuses_the_app_sets_itself_must_stay(tmp_path: Path) -> None:
    bpmn = _copy(tmp_path)
    _edit(bpmn / "statussen.yaml", "  - {naam: Aanmelding,", "  - {naam: Aangemeld,")

    assert statussen.problemen(bpmn) == [
        "statussen.yaml:1: Aanmelding: ontbreekt; de app zet deze status zelf, hij moet in de lijst blijven"]


# --- removing a status that running cases still set ------------------------------------------------
def test_removing_a_status_running_cases_still_set_is_reported_and_publish_refused(app, world, runner, tmp_path):
    running = _new_hulpvraag(world)  # on the version the app published from bpmn/
    old = latest_definition("hulpvraag")
    bpmn = _copy(tmp_path)
    _edit(bpmn / "statussen.yaml", "  - {naam: Niet ontvankelijk, lvs: Afgewezen", "  - {naam: Buiten SWV, lvs: Afgewezen")
    _edit(bpmn / "hulpvraag.bpmn", 'zet_status("Niet ontvankelijk", reden)', 'zet_status("Buiten SWV", reden)')
    _edit(bpmn / "hulpvraag.scenarios.yaml", "status: Niet ontvankelijk", "status: Buiten SWV")
    app.config["BPMN_DIR"] = str(bpmn)
    expected = (
        f"statussen.yaml: status ‘Niet ontvankelijk’ ontbreekt, maar 1 lopende zaak van {old.naam} "
        f"(versie {old.versie}) zet hem nog (bij status_niet_ontvankelijk)"
    )

    assert check_dir(bpmn) == []  # the new files on their own are fine
    assert statussen_gebruik.ontbrekende_statussen_in_gebruik(bpmn) == [expected]
    result = runner.invoke(args=["bpmn", "check"])
    assert result.exit_code == 1 and expected in result.output
    versions = db.session.scalar(sa.select(sa.func.count(ProcessDefinition.id)))
    with pytest.raises(DiagramError) as refused:
        publish_all(bpmn)
    assert refused.value.problems == [expected]
    assert db.session.scalar(sa.select(sa.func.count(ProcessDefinition.id))) == versions

    db.session.execute(sa.update(ProcessInstance).where(ProcessInstance.hulpvraag_id == running.id).values(completed=True))
    db.session.commit()  # once no case of that version runs, the status may go
    assert statussen_gebruik.ontbrekende_statussen_in_gebruik(bpmn) == []
    assert [created for _d, created in publish_all(bpmn)] == [True]


# --- a file broken while the app runs ------------------------------------------------------------
def test_a_vocabulary_broken_while_running_keeps_the_last_good_version(app, world, client, auth, tmp_path):
    import os

    bpmn = _copy(tmp_path, NIEUW)
    app.config["BPMN_DIR"] = str(bpmn)
    assert statussen.is_bekende_status("Toestemming gevraagd")
    vocabulary = bpmn / "statussen.yaml"
    vocabulary.write_text(vocabulary.read_text("utf-8").replace("lvs: In beraad, eind", "lvs In beraad eind"), "utf-8")
    os.utime(vocabulary, ns=(vocabulary.stat().st_mtime_ns + 10**9,) * 2)  # a change the cache sees

    assert statussen.problemen(bpmn)  # bpmn check reports it ...
    assert statussen.is_bekende_status("Toestemming gevraagd")  # ... the service keeps the last good list
    auth.login("scp")
    response = client.get("/hulpvragen")
    assert response.status_code == 200 and "Toestemming gevraagd" in response.text


def test_scenarios_use_the_vocabulary_beside_their_diagram(tmp_path):
    from workflow.engine.scenarios import run_dir

    bpmn = _copy(tmp_path, NIEUW)
    for name, old, new in [
        ("hulpvraag.bpmn", 'name="status" value="Aanmelding"', 'name="status" value="Toestemming gevraagd"'),
        ("hulpvraag.scenarios.yaml", "status: Aanmelding", "status: Toestemming gevraagd"),
    ]:
        path = bpmn / name
        path.write_text(path.read_text("utf-8").replace(old, new), "utf-8")

    results = run_dir(bpmn)

    assert results and all(r.passed for r in results), [r.melding for r in results if not r.passed]
