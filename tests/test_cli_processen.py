"""flask bpmn incidents and flask bpmn migrate, as an operator runs them."""

from __future__ import annotations

from tests.test_migratie import V1, V2, publiceer, zaak


def test_migrate_dry_run_changes_nothing_then_the_real_run_moves(app, world, runner, tmp_path):
    publiceer(tmp_path, V1)
    instance = zaak(world, stappen=1)
    publiceer(tmp_path, V2)

    dry = runner.invoke(args=["bpmn", "migrate", "--aanpak", "proef", "--from", "v1", "--to", "2", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "proefdraai, er verandert niets" in dry.output and "kan mee" in dry.output
    assert instance.definition.nummer == 1

    real = runner.invoke(args=["bpmn", "migrate", "--aanpak", "proef", "--from", "1", "--door", "procesbeheerder"])
    assert real.exit_code == 0, real.output
    assert "1 van 1 lopende zaken verplaatst" in real.output


def test_migrate_refuses_a_bad_choice_in_dutch(app, world, runner, tmp_path):
    publiceer(tmp_path, V1)

    same = runner.invoke(args=["bpmn", "migrate", "--aanpak", "proef", "--from", "1", "--to", "1"])
    unknown = runner.invoke(args=["bpmn", "migrate", "--aanpak", "bestaat_niet", "--from", "1"])
    nobody = runner.invoke(args=["bpmn", "migrate", "--aanpak", "proef", "--from", "1", "--door", "niemand"])

    assert same.exit_code == 1 and "Er is niets verplaatst." in same.output
    assert unknown.exit_code == 1 and "Er is niets verplaatst." in unknown.output
    assert nobody.exit_code == 1 and "Onbekende gebruiker ‘niemand’" in nobody.output


def test_incidents_lists_the_open_ones(app, world, runner, tmp_path):
    from models import db
    from tests.conftest import new_hulpvraag
    from tests.test_incidenten import kapot_script
    from tests.test_incidenten import publiceer as publiceer_kapot
    from workflow import incidenten
    from workflow.engine.runtime import ProcessFailed, start_process

    assert "Geen open incidenten." in runner.invoke(args=["bpmn", "incidents"]).output
    publiceer_kapot(tmp_path, "startkapot", kapot_script("startkapot", "start", "x = bestaat_niet"))
    hulpvraag = new_hulpvraag(world)
    try:
        start_process(hulpvraag, "startkapot", world.users["scp"])
    except ProcessFailed as exc:
        db.session.rollback()
        incidenten.bij_start(hulpvraag.id, "startkapot", world.users["scp"], exc)

    result = runner.invoke(args=["bpmn", "incidents"])

    assert result.exit_code == 0
    assert "open" in result.output and "bij ‘kapot’" in result.output and "bestaat_niet" in result.output
