"""A process owner edits a diagram: new hulpvragen take the new version, running ones keep theirs."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa

from models import Dossier, HumanTask, ProcessDefinition, ProcessInstance, db
from workflow.engine.definitions import latest_definition, publish_all
from workflow.engine.runtime import complete_task, task_form
from workflow.hulpvragen import create_hulpvraag

ROOT = Path(__file__).resolve().parent.parent


def _copy_bpmn(tmp_path: Path) -> Path:
    """The intake diagram and its forms only: these tests publish and edit exactly one diagram."""
    target = tmp_path / "bpmn"
    shutil.copytree(
        ROOT / "bpmn", target, ignore=lambda _dir, names: [n for n in names if not n.startswith("hulpvraag")]
    )
    return target


def _new(world, naam: str):  # type: ignore[no-untyped-def]
    dossier = Dossier(swv_id=world.swv.id, school_id=world.scholen[0].id, roepnaam=naam, achternaam="Test")
    db.session.add(dossier)
    db.session.flush()
    hulpvraag = create_hulpvraag(dossier, world.users["aanvrager"], titel="KANS", omschrijving="Test")
    db.session.commit()
    return hulpvraag


def _indienen(hulpvraag, world) -> HumanTask:  # type: ignore[no-untyped-def]
    task = db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, completed_at=None)).one()
    complete_task(task.id, world.users["aanvrager"], {"ouders_geinformeerd": "ja"})
    db.session.commit()
    return db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, completed_at=None)).one()


def test_edit_publishes_new_version_and_running_instances_keep_theirs(app, world, tmp_path):
    bpmn = _copy_bpmn(tmp_path)
    assert [created for _d, created in publish_all(bpmn)] == [False]  # same content: no new version
    old_version = latest_definition("hulpvraag")
    running = _new(world, "Oud")

    diagram = bpmn / "hulpvraag.bpmn"
    diagram.write_text(diagram.read_text().replace('name="Aanmelding beoordelen"', 'name="Aanmelding toetsen"'))
    form = bpmn / "hulpvraag-beoordelen.json"
    form.write_text(form.read_text().replace('"title": "Reden"', '"title": "Motivering"'))
    ((new_version, created),) = publish_all(bpmn)
    assert created and new_version.id != old_version.id
    assert latest_definition("hulpvraag").id == new_version.id
    assert (
        db.session.scalar(sa.select(sa.func.count(ProcessDefinition.id)).filter_by(process_key="hulpvraag")) == 2
    )  # every version is kept

    fresh = _new(world, "Nieuw")
    old_task, new_task = _indienen(running, world), _indienen(fresh, world)
    assert old_task.titel == "Aanmelding beoordelen" and new_task.titel == "Aanmelding toetsen"
    assert task_form(old_task).properties["reden"]["title"] == "Reden"
    assert task_form(new_task).properties["reden"]["title"] == "Motivering"
    pinned = {i.hulpvraag_id: i.definition_id for i in db.session.scalars(sa.select(ProcessInstance))}
    assert pinned == {running.id: old_version.id, fresh.id: new_version.id}

    for task in (old_task, new_task):  # both finish, each on its own version
        complete_task(task.id, world.users["scp"], {"besluit": "dossier_compleet", "reden": "Compleet"})
    db.session.commit()
    assert {running.status, fresh.status} == {"Dossier compleet"}


def test_only_a_form_change_is_a_new_version_and_a_revert_publishes_the_old_content_again(app, world, tmp_path):
    bpmn = _copy_bpmn(tmp_path)
    original = latest_definition("hulpvraag")
    first_published = original.published_at
    form = bpmn / "hulpvraag-aanvullen.json"
    text = form.read_text()
    form.write_text(text.replace('"minLength": 3', '"minLength": 5'))
    ((changed, created),) = publish_all(bpmn)
    assert created and changed.content_hash != original.content_hash
    assert (original.versie, changed.versie) == ("v1", "v2")
    form.write_text(text)
    ((reverted, created),) = publish_all(bpmn)
    assert created and reverted.versie == "v3" and reverted.content_hash == original.content_hash
    assert latest_definition("hulpvraag").id == reverted.id
    db.session.expire_all()
    assert db.session.get(ProcessDefinition, original.id).published_at == first_published  # history kept


def test_cli_publish_reports_versions(app, runner, tmp_path):
    bpmn = _copy_bpmn(tmp_path)
    app.config["BPMN_DIR"] = str(bpmn)
    (bpmn / "hulpvraag.bpmn").write_text(
        (bpmn / "hulpvraag.bpmn").read_text().replace("Hulpvraag indienen", "Indienen")
    )
    result = runner.invoke(args=["bpmn", "publish"])
    assert result.exit_code == 0, result.output
    assert latest_definition("hulpvraag").versie in result.output
