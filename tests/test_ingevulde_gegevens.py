"""Ingevulde gegevens (issue 15 items 1 and 3): what a user submits on a task is stored and shown with
the form's Dutch labels on the hulpvraag page and on the next step's task page; a form or field the
diagram marks "x-intern" is for SWV staff only; ``bpmn check`` knows that property."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from models import HumanTask, db
from tests.conftest import new_hulpvraag, submit_form
from workflow.engine.check import check_dir
from workflow.engine.definitions import publish, read_diagram
from workflow.engine.runtime import set_status, start_process

DIAGRAMS = Path(__file__).resolve().parent / "diagrams"
SCHOOL_ANTWOORDEN = {"uren_per_week": "6", "aanpak": "individueel", "kosten": "3000", "startdatum": "2026-03-14",
                     "ouders_akkoord": "ja"}  # fmt: skip
NOTITIE = "Mooi plan; start na de voorjaarsvakantie."
INTERN = "Vermoedelijk ook thuis problemen; navragen bij jeugdzorg."
OVERWEGING = "Budget eerst bij de wijk aanvragen."


@pytest.fixture
def zaak(world):  # type: ignore[no-untyped-def]
    publish(read_diagram(DIAGRAMS / "ingevuld.bpmn"))
    hulpvraag = new_hulpvraag(world, roepnaam="Mila")
    set_status(hulpvraag, "Aanmelding", "Ingediend.", world.users["aanvrager"])
    start_process(hulpvraag, "ingevuld", world.users["aanvrager"])
    db.session.commit()
    return hulpvraag


def _open(hulpvraag, bpmn_id: str) -> HumanTask:  # type: ignore[no-untyped-def]
    query = sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, bpmn_id=bpmn_id, completed_at=None)
    return db.session.scalars(query).one()


def _doe(client, hulpvraag, bpmn_id: str, data: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    url = f"/taken/{_open(hulpvraag, bpmn_id).id}"
    response = submit_form(client, url, data)
    assert response.status_code == 302, response.text


def _als(auth, username: str) -> None:  # type: ignore[no-untyped-def]
    auth.logout()
    auth.login(username)


def _gegevens(client, hulpvraag) -> str:  # type: ignore[no-untyped-def]
    html = client.get(f"/hulpvragen/{hulpvraag.id}").text
    start = html.index('id="ingevulde-gegevens"')
    return html[start:html.index("</section>", start)]


def test_a_field_the_diagram_adds_appears_with_its_label_and_dutch_values(client, auth, world, zaak) -> None:  # type: ignore[no-untyped-def]
    auth.login("aanvrager")
    _doe(client, zaak, "vragen", {**SCHOOL_ANTWOORDEN, "hulpvraag_id": "999", "onbekend": "x"})

    blok = _gegevens(client, zaak)
    assert "Ingevulde gegevens (test)" in blok  # the aanpak it belongs to
    assert "Vragen beantwoorden" in blok and "Ilse Bakker (IB)" in blok
    assert "Hoeveel uur per week krijgt de leerling extra hulp?</dt><dd class=\"pre\">6</dd>" in blok
    assert "Individuele begeleiding" in blok and ">individueel<" not in blok  # the choice's label
    assert "€ 3.000,00" in blok
    assert "14 maart 2026" in blok
    assert "Ouders zijn akkoord</dt><dd class=\"pre\">Ja</dd>" in blok
    stored = db.session.scalars(sa.select(HumanTask.antwoorden).filter_by(bpmn_id="vragen")).one()
    assert set(stored) == {"uren_per_week", "aanpak", "kosten", "startdatum", "ouders_akkoord"}  # only the form's own


def test_an_internal_field_and_form_are_hidden_from_the_school_and_shown_to_the_scp(client, auth, world, zaak) -> None:  # type: ignore[no-untyped-def]
    auth.login("aanvrager")
    _doe(client, zaak, "vragen", SCHOOL_ANTWOORDEN)
    _als(auth, "scp")
    _doe(client, zaak, "beoordelen", {"notitie_school": NOTITIE, "interne_notitie": INTERN})

    scp_task_page = client.get(f"/taken/{_open(zaak, 'overwegen').id}").text  # item 3: above the form
    eerder = scp_task_page[scp_task_page.index("Eerdere stappen"):scp_task_page.index("task-form")]
    assert NOTITIE in eerder and INTERN in eerder and "Individuele begeleiding" in eerder
    assert eerder.index("Antwoorden beoordelen") < eerder.index("Vragen beantwoorden")  # newest first
    _doe(client, zaak, "overwegen", {"overweging": OVERWEGING})

    scp = _gegevens(client, zaak)
    assert NOTITIE in scp and INTERN in scp and OVERWEGING in scp
    assert scp.index("Vragen beantwoorden") < scp.index("Antwoorden beoordelen") < scp.index("Intern overwegen")
    for school_user in ("aanvrager", "directeur"):
        _als(auth, school_user)
        school = _gegevens(client, zaak)
        assert NOTITIE in school and "Notitie voor de school" in school
        assert INTERN not in school and "Interne notitie" not in school
        assert OVERWEGING not in school and "Intern overwegen" not in school
    _als(auth, "beheerder")
    assert INTERN in _gegevens(client, zaak)


def test_a_task_page_shows_only_what_its_user_may_see_of_earlier_steps(client, auth, world, zaak) -> None:  # type: ignore[no-untyped-def]
    auth.login("aanvrager")
    _doe(client, zaak, "vragen", SCHOOL_ANTWOORDEN)
    _als(auth, "scp")
    _doe(client, zaak, "beoordelen", {"notitie_school": NOTITIE, "interne_notitie": INTERN})
    _als(auth, "aanvrager")
    page = client.get(f"/taken/{_open(zaak, 'overwegen').id}").text  # the school may look, not do
    assert NOTITIE in page and INTERN not in page


def test_bpmn_check_reports_a_misspelled_or_ill_typed_intern_property(tmp_path: Path) -> None:
    for path in DIAGRAMS.glob("ingevuld*"):
        shutil.copy(path, tmp_path / path.name)
    scp = json.loads((tmp_path / "ingevuld-scp.json").read_text())
    scp["properties"]["interne_notitie"].pop("x-intern")
    scp["properties"]["interne_notitie"]["x_intern"] = True
    (tmp_path / "ingevuld-scp.json").write_text(json.dumps(scp, indent=2))
    intern = json.loads((tmp_path / "ingevuld-intern.json").read_text())
    intern["x-intern"] = "ja"
    (tmp_path / "ingevuld-intern.json").write_text(json.dumps(intern, indent=2))

    problems = "\n".join(check_dir(tmp_path))

    assert 'ingevuld-scp.json' in problems and 'onbekende eigenschap "x_intern": bedoelt u "x-intern"?' in problems
    assert 'ingevuld-intern.json' in problems and '"x-intern" is true of false, niet "ja"' in problems
    assert check_dir(DIAGRAMS) == []


def test_the_studio_form_editor_keeps_and_sets_intern() -> None:
    from workflow.studio.formulieren import naar_json, uit_json

    scp = json.loads((DIAGRAMS / "ingevuld-scp.json").read_text())
    editor = uit_json("ingevuld-scp.json", scp, {})
    assert [v.intern for v in editor.velden] == [False, True] and not editor.intern
    schema, _ui = naar_json(editor)
    assert schema["properties"]["interne_notitie"]["x-intern"] is True
    assert "x-intern" not in schema["properties"]["notitie_school"]
    editor.intern, editor.velden[1].intern = True, False  # the two checkboxes
    schema, _ui = naar_json(editor)
    assert schema["x-intern"] is True and "x-intern" not in schema["properties"]["interne_notitie"]


def test_the_migration_recovers_answers_of_tasks_completed_before_they_were_kept(client, auth, world, zaak) -> None:  # type: ignore[no-untyped-def]
    import importlib.util

    auth.login("aanvrager")
    _doe(client, zaak, "vragen", SCHOOL_ANTWOORDEN)
    kept = db.session.scalars(sa.select(HumanTask.antwoorden).filter_by(bpmn_id="vragen")).one()
    db.session.execute(sa.update(HumanTask).values(antwoorden=None))  # as before revision d01e23f45a67
    path = Path(__file__).resolve().parent.parent / "migrations" / "versions" / "20261202_d01e23f45a67_formulieren.py"
    spec = importlib.util.spec_from_file_location("migratie_formulieren", path)
    assert spec is not None and spec.loader is not None
    migratie = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migratie)

    migratie._antwoorden_uit_de_engine(db.session.connection())
    db.session.commit()

    recovered = db.session.scalars(sa.select(HumanTask.antwoorden).filter_by(bpmn_id="vragen")).one()
    assert recovered == kept
    assert "€ 3.000,00" in _gegevens(client, zaak) and "14 maart 2026" in _gegevens(client, zaak)
