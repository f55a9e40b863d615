"""The publish gate (workflow/engine/publiceren.py) and numbered versions.

A broken diagram never reaches the live version, wherever it is published from: at start-up
the app serves every page and /healthz names the refused diagram; a set of diagrams is
published all or nothing; versions are numbered and a revert is the next number.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from models import AuditEntry, HumanTask, ProcessDefinition, PublicatiePoging, db
from tests.browser import assert_accessible, live_server, login, page  # noqa: F401 - fixtures
from tests.conftest import AuthActions, IsolatedClient, _test_config, new_hulpvraag, submit_form
from tests.test_migrations import _flask_db, fresh_app, fresh_database_url  # noqa: F401 - fixtures
from workflow.engine import publiceren
from workflow.engine.definitions import DiagramError, latest_definition, publish_all
from workflow.engine.publiceren import publiceer, terugzetten
from workflow.engine.runtime import complete_task

ROOT = Path(__file__).resolve().parent.parent
# What a process owner gets wrong, each in bpmn/hulpvraag.bpmn: (old text, new text, part of the Dutch line).
DEFECTS = {
    "onbekend formulier": (
        'value="hulpvraag-indienen.json"', 'value="hulpvraag-indienen-oud.json"',
        "formulier 'hulpvraag-indienen-oud.json' bestaat niet naast het diagram",
    ),
    "syntaxfout in een voorwaarde": ('besluit == "afgewezen"', 'besluit == = "afgewezen"', "f_afgewezen"),
    # The check sees that every form value still leads somewhere; only running the
    # scenario shows that a rejection with an ordinary reason now has no way out.
    "voorwaarde die alleen een scenario vangt": (
        'besluit == "afgewezen"', 'besluit == "afgewezen" and len(reden) &gt; 1000',
        "scenario ‘Afgewezen door de schoolcontactpersoon’: stap 2 (beoordelen): het proces kon niet verder",
    ),
    "script dat nooit stopt": (
        'zet_status("Afgewezen", reden)', "while True: pass", "duurde te lang en is gestopt",
    ),
    "script dat uit de sandbox wil": (
        'zet_status("Afgewezen", reden)', "x = ().__class__.__bases__", "status_afgewezen",
    ),
}  # fmt: skip
DEFECTS_TLV = ('isExecutable="true">', 'isExecutable="true">\n    <!-- kapot --><bpmn:scriptTask id="x"><bpmn:script>(</bpmn:script></bpmn:scriptTask>')


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "bpmn"
    shutil.copytree(ROOT / "bpmn", target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(ProcessDefinition.id))) or 0


def _indienen(world, naam: str = "Test"):  # type: ignore[no-untyped-def]
    hulpvraag = new_hulpvraag(world, naam)
    task = db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, completed_at=None)).one()
    complete_task(task.id, world.users["aanvrager"], {"ouders_geinformeerd": "ja"})
    db.session.commit()
    return hulpvraag


@pytest.fixture
def start_app(database_url: str, tmp_path: Path) -> Callable[[Path], Flask]:
    """A second app on the same database that publishes ``bpmn_dir`` at start-up, as `make run` does."""

    def start(bpmn_dir: Path) -> Flask:
        config = {**_test_config(database_url, tmp_path / "instance"), "BPMN_PUBLISH_ON_START": True}
        started = create_app({**config, "BPMN_DIR": str(bpmn_dir)})
        started.test_client_class = IsolatedClient
        return started

    return start


# --- start-up with a broken diagram --------------------------------------------------------------
@pytest.mark.parametrize("kind", DEFECTS)
def test_a_start_up_with_a_broken_diagram_serves_every_page_and_keeps_the_live_version(
    app, world, start_app, tmp_path, kind
):
    hulpvraag = _indienen(world)
    live = latest_definition("hulpvraag")
    bpmn = _copy(tmp_path)
    old, new, expected = DEFECTS[kind]
    _edit(bpmn / "hulpvraag.bpmn", old, new)
    versions = _count()

    started = start_app(bpmn)  # does not raise

    db.session.expire_all()
    assert _count() == versions and latest_definition("hulpvraag").id == live.id
    poging = publiceren.laatste_poging()
    assert poging is not None and not poging.ok and poging.geweigerd == ["hulpvraag"]
    assert any(expected in line for line in poging.problemen["hulpvraag"]), poging.problemen
    assert all(line.startswith(("hulpvraag.bpmn:", "hulpvraag.scenarios.yaml:")) for line in poging.problemen["hulpvraag"])

    client = started.test_client()
    AuthActions(client).login("scp")
    for url in ("/taken", "/hulpvragen", f"/hulpvragen/{hulpvraag.id}"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "Hulpvraag intake v1" in client.get(f"/hulpvragen/{hulpvraag.id}").text
    health = client.get("/healthz")
    assert health.status_code == 200  # the previous version is live: not an outage
    assert health.get_json()["diagrammen"] == {"ok": False, "geweigerd": ["hulpvraag"]}


def test_the_refusal_is_logged_in_dutch_at_start_up(app, world, start_app, tmp_path, caplog):
    bpmn = _copy(tmp_path)
    _edit(bpmn / "hulpvraag.bpmn", *DEFECTS["onbekend formulier"][:2])

    start_app(bpmn)

    messages = [r.getMessage() for r in caplog.records]
    assert any("publicatie geweigerd: hulpvraag.bpmn:" in m and "bestaat niet naast het diagram" in m for m in messages)
    assert any(m.startswith("Niets gepubliceerd (geweigerd: hulpvraag)") for m in messages)


def test_a_fixed_diagram_at_the_next_start_up_publishes_and_clears_the_refusal(app, world, start_app, tmp_path):
    bpmn = _copy(tmp_path)
    diagram = bpmn / "hulpvraag.bpmn"
    original = diagram.read_text("utf-8")
    _edit(diagram, *DEFECTS["onbekend formulier"][:2])
    start_app(bpmn)
    diagram.write_text(original.replace('name="Aanmelding beoordelen"', 'name="Aanmelding toetsen"'), "utf-8")

    started = start_app(bpmn)

    db.session.expire_all()
    assert latest_definition("hulpvraag").versie == "v2"
    assert publiceren.laatste_weigering() is None
    assert started.test_client().get("/healthz").get_json()["diagrammen"] == {"ok": True, "geweigerd": []}


# --- all or nothing -------------------------------------------------------------------------
def test_two_changed_diagrams_and_one_bad_publishes_neither(app, world, tmp_path):
    bpmn = _copy(tmp_path)
    _edit(bpmn / "tlv.bpmn", 'isExecutable="true">', 'isExecutable="true">\n    <!-- een opmerking -->')
    _edit(bpmn / "hulpvraag.bpmn", *DEFECTS["voorwaarde die alleen een scenario vangt"][:2])
    live = {key: latest_definition(key).id for key in ("hulpvraag", "tlv")}
    versions = _count()

    publicatie = publiceer(bpmn)

    assert not publicatie.ok and list(publicatie.geweigerd) == ["hulpvraag"]
    assert publicatie.gepubliceerd == []
    db.session.expire_all()
    assert _count() == versions
    assert {key: latest_definition(key).id for key in live} == live

    _edit(bpmn / "hulpvraag.bpmn", *reversed(DEFECTS["voorwaarde die alleen een scenario vangt"][:2]))
    publicatie = publiceer(bpmn)
    assert publicatie.ok and [d.label for d in publicatie.gepubliceerd] == [f"{latest_definition('tlv').naam} v2"]


def test_publish_all_raises_with_every_problem_in_dutch(app, world, tmp_path):
    bpmn = _copy(tmp_path)
    _edit(bpmn / "hulpvraag.bpmn", *DEFECTS["syntaxfout in een voorwaarde"][:2])
    _edit(bpmn / "tlv.bpmn", 'isExecutable="true">', 'isExecutable="true">\n    <!-- een opmerking -->')
    (bpmn / "tlv.scenarios.yaml").unlink()

    with pytest.raises(DiagramError) as refused:
        publish_all(bpmn)

    assert any(line.startswith("hulpvraag.bpmn:") and "f_afgewezen" in line for line in refused.value.problems)
    assert "tlv.bpmn:1: -: geen scenariobestand tlv.scenarios.yaml; een diagram wordt pas gepubliceerd als zijn " \
        "scenario's slagen" in refused.value.problems


def test_a_file_changed_while_it_is_gated_cannot_slip_through(app, world, tmp_path, monkeypatch):
    """The gate checks, runs and publishes one private copy: a later write to the folder is not published."""
    bpmn = _copy(tmp_path)
    diagram = bpmn / "hulpvraag.bpmn"
    _edit(diagram, 'name="Aanmelding beoordelen"', f'name="Aanmelding {uuid.uuid4()}"')
    checked = diagram.read_text("utf-8")
    check_file = publiceren.check_file

    def save_halfway_then_check(path: Path, *args: object) -> list[str]:
        if path.name == "hulpvraag.bpmn":  # the process owner saves a broken file while the gate runs
            diagram.write_text(checked.replace(*DEFECTS["syntaxfout in een voorwaarde"][:2]), "utf-8")
        return check_file(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(publiceren, "check_file", save_halfway_then_check)
    publicatie = publiceer(bpmn)

    assert publicatie.ok and [d.bpmn_xml for d in publicatie.gepubliceerd] == [checked]  # what was read is what passed
    monkeypatch.undo()
    assert "hulpvraag" in publiceer(bpmn).geweigerd  # the broken save is judged on its own, next time


def test_every_shipped_diagram_has_scenarios() -> None:
    diagrams = sorted(ROOT.glob("bpmn/*.bpmn"))
    assert diagrams and all(d.with_name(d.stem + ".scenarios.yaml").is_file() for d in diagrams)


def test_the_same_bytes_are_gated_once_per_process(app, world, tmp_path, monkeypatch):
    calls: list[str] = []
    verify = publiceren.verify
    monkeypatch.setattr(publiceren, "verify", lambda path: calls.append(Path(path).name) or verify(path))
    bpmn = _copy(tmp_path)
    _edit(bpmn / "hulpvraag.bpmn", 'name="Aanmelding beoordelen"', f'name="Aanmelding {uuid.uuid4()}"')  # new bytes

    assert publiceer(bpmn).ok
    assert calls == ["hulpvraag.bpmn"]
    db.session.execute(sa.delete(ProcessDefinition).where(ProcessDefinition.nummer == 2))
    db.session.commit()
    assert publiceer(bpmn).ok and calls == ["hulpvraag.bpmn"]  # same bytes: the verdict is reused

    _edit(bpmn / "hulpvraag.scenarios.yaml", "naam: Direct compleet", "naam: Meteen compleet")
    db.session.execute(sa.delete(ProcessDefinition).where(ProcessDefinition.nummer == 2))
    db.session.commit()
    assert publiceer(bpmn).ok and calls == ["hulpvraag.bpmn", "hulpvraag.bpmn"]  # other scenarios: gated again


# --- numbered versions and reverting ---------------------------------------------------------
def test_publish_change_publish_then_revert_numbers_the_versions(app, world, tmp_path, client):
    bpmn = _copy(tmp_path)
    v1 = latest_definition("hulpvraag")
    v1_published = v1.published_at
    _edit(bpmn / "hulpvraag.bpmn", 'name="Aanmelding beoordelen"', 'name="Aanmelding toetsen"')
    (v2,) = publiceer(bpmn, notitie="Andere taaknaam", bron="cli").gepubliceerd
    assert (v1.versie, v2.versie, v2.label) == ("v1", "v2", "Hulpvraag intake v2")
    assert v2.notitie == "Andere taaknaam" and v2.scenarios == (bpmn / "hulpvraag.scenarios.yaml").read_text("utf-8")

    (v3,) = terugzetten(v1, bpmn, user=world.users["procesbeheerder"], notitie="Terug naar het origineel").gepubliceerd

    assert v3.versie == "v3" and v3.content_hash == v1.content_hash and v3.bpmn_xml == v1.bpmn_xml
    assert v3.bron == "terugzetten" and v3.published_by_id == world.users["procesbeheerder"].id
    db.session.expire_all()
    assert db.session.get(ProcessDefinition, v1.id).published_at == v1_published  # history is never rewritten
    assert latest_definition("hulpvraag").id == v3.id
    details = list(db.session.scalars(sa.select(AuditEntry.detail).filter_by(object_type="procesversie")))
    assert "Hulpvraag intake v3 gepubliceerd (teruggezet, inhoud van v1): Terug naar het origineel" in details

    assert publiceer(bpmn).gepubliceerd == []  # the folder still holds v2: the revert stays live
    assert latest_definition("hulpvraag").id == v3.id

    hulpvraag = _indienen(world)
    AuthActions(client).login("scp")
    html = client.get(f"/hulpvragen/{hulpvraag.id}").text
    assert "Hulpvraag intake v3" in html and v3.content_hash[:10] not in html


def test_reverting_to_the_live_content_or_without_stored_scenarios_publishes_nothing(app, world, tmp_path):
    v1 = latest_definition("hulpvraag")
    versions = _count()
    assert terugzetten(v1, ROOT / "bpmn", notitie="x").ongewijzigd == ["hulpvraag"]

    v1.scenarios = None
    db.session.commit()
    refused = terugzetten(v1, ROOT / "bpmn", notitie="x")
    assert not refused.ok and "opgeslagen zonder scenario's" in refused.problemen[0]
    assert _count() == versions


def test_a_revert_is_gated_against_todays_vocabulary(app, world, tmp_path):
    bpmn = _copy(tmp_path)
    v1 = latest_definition("hulpvraag")
    _edit(bpmn / "hulpvraag.bpmn", 'name="Aanmelding beoordelen"', 'name="Aanmelding toetsen"')
    publiceer(bpmn)
    _edit(bpmn / "statussen.yaml", "  - {naam: Afgewezen,", "  - {naam: Niet toegekend,")
    versions = _count()

    refused = terugzetten(v1, bpmn, notitie="Terug")

    assert not refused.ok and _count() == versions
    assert any("Afgewezen" in line for line in refused.problemen), refused.problemen


# --- the CLI --------------------------------------------------------------------------------
def test_cli_publish_refuses_in_dutch_and_lists_versions(app, world, runner, tmp_path):
    bpmn = _copy(tmp_path)
    app.config["BPMN_DIR"] = str(bpmn)
    _edit(bpmn / "hulpvraag.bpmn", *DEFECTS["voorwaarde die alleen een scenario vangt"][:2])

    result = runner.invoke(args=["bpmn", "publish"])
    assert result.exit_code == 1
    assert "hulpvraag.scenarios.yaml:" in result.output and "De live versies blijven live." in result.output

    _edit(bpmn / "hulpvraag.bpmn", *reversed(DEFECTS["voorwaarde die alleen een scenario vangt"][:2]))
    _edit(bpmn / "hulpvraag.bpmn", 'name="Aanmelding beoordelen"', 'name="Aanmelding toetsen"')
    result = runner.invoke(args=["bpmn", "publish", "--notitie", "Taak hernoemd"])
    assert result.exit_code == 0, result.output
    assert "hulpvraag: nieuw gepubliceerd, versie v2" in result.output

    _indienen(world)
    result = runner.invoke(args=["bpmn", "versions", "hulpvraag"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "hulpvraag: Hulpvraag intake"
    assert lines[1].strip().startswith("v2") and "flask bpmn publish, live; 1 lopend: Taak hernoemd" in lines[1]
    assert lines[2].strip().startswith("v1") and "0 lopend" in lines[2]
    assert runner.invoke(args=["bpmn", "versions", "bestaat-niet"]).exit_code == 1


# --- the pages ------------------------------------------------------------------------------
def _versions_page(client: FlaskClient) -> str:
    response = client.get("/processen/versies?aanpak=hulpvraag")
    assert response.status_code == 200
    return response.text


def test_revert_in_the_browser_needs_a_note(app, world, client, tmp_path):
    bpmn = _copy(tmp_path)
    app.config["BPMN_DIR"] = str(bpmn)
    v1 = latest_definition("hulpvraag")
    _edit(bpmn / "hulpvraag.bpmn", 'name="Aanmelding beoordelen"', 'name="Aanmelding toetsen"')
    publiceer(bpmn)
    AuthActions(client).login("procesbeheerder")
    action = f"/processen/versies/{v1.id}/terugzetten"
    versions = _count()

    response = submit_form(client, "/processen/versies?aanpak=hulpvraag", {"notitie": "  "}, action=action)

    assert response.status_code == 422
    assert "Vul een korte notitie in" in response.text and "Er is niets gepubliceerd." in response.text
    assert _count() == versions

    response = submit_form(client, "/processen/versies?aanpak=hulpvraag", {"notitie": "Terug"}, action=action)
    assert response.status_code == 302
    html = _versions_page(client)
    assert "Gepubliceerd: Hulpvraag intake v3." in html and "(inhoud van v1)" in html


def test_publish_in_the_browser_shows_the_refusal_and_the_start_page_keeps_it(app, world, client, tmp_path):
    bpmn = _copy(tmp_path)
    app.config["BPMN_DIR"] = str(bpmn)
    _edit(bpmn / "hulpvraag.bpmn", *DEFECTS["onbekend formulier"][:2])
    AuthActions(client).login("procesbeheerder")

    response = submit_form(client, "/processen/versies", {"notitie": "Nieuw formulier"}, action="/processen/publiceren")

    assert response.status_code == 422
    assert "Niet gepubliceerd" in response.text and "hulpvraag-indienen-oud.json" in response.text
    start = client.get("/processen/").text
    assert "De laatste publicatie is geweigerd" in start and "hulpvraag-indienen-oud.json" in start
    assert "in de browser door" in start
    poging = db.session.scalars(sa.select(PublicatiePoging)).all()[-1]
    assert poging.user_id == world.users["procesbeheerder"].id and poging.bron == "browser"


def test_the_pages_are_for_procesbeheerders_only(app, world, client):
    AuthActions(client).login("scp")
    denied = client.get("/processen/versies")  # the policy answers as if the page did not exist
    assert denied.status_code == 404 and "Versies van" not in denied.text
    AuthActions(client).logout()
    AuthActions(client).login("procesbeheerder")
    missing = client.get("/processen/versies?aanpak=bestaat-niet")
    assert missing.status_code == 404 and "Er is geen aanpak ‘bestaat-niet’ gepubliceerd." in missing.text


# --- the migration ---------------------------------------------------------------------------
def test_migration_numbers_existing_versions_and_downgrade_merges_republished_content(fresh_app):  # noqa: F811
    """Old rows get 1, 2, … per aanpak in published_at order; a downgrade keeps one row per content."""
    _flask_db(fresh_app, "upgrade", "21aee7c04c1c")
    insert = sa.text(
        "INSERT INTO process_definition (id, process_key, bpmn_process_id, naam, content_hash, bpmn_xml, forms, spec,"
        " bron, published_at, created_at) VALUES (:id, :key, 'p', 'P', :hash, '<x/>', '{}', '{}', 'bestand', :at, :at)"
    )
    rows = [(1, "b", "h1", "2026-01-03"), (2, "a", "h1", "2026-01-02"), (3, "a", "h2", "2026-01-01")]
    with db.engine.begin() as connection:
        for id_, key, content_hash, at in rows:
            connection.execute(insert, {"id": id_, "key": key, "hash": content_hash, "at": at})

    _flask_db(fresh_app, "upgrade", "a12b34c56d78")
    numbers = "SELECT id, nummer FROM process_definition ORDER BY id"
    with db.engine.begin() as connection:
        assert connection.execute(sa.text(numbers)).all() == [(1, 1), (2, 2), (3, 1)]
        connection.execute(sa.text(  # a revert of aanpak a to h2, with a running case on the old v1
            "INSERT INTO process_definition (id, process_key, nummer, bpmn_process_id, naam, content_hash, bpmn_xml,"
            " forms, spec, bron, published_at, created_at) SELECT 4, 'a', 3, bpmn_process_id, naam, content_hash,"
            " bpmn_xml, forms, spec, 'terugzetten', '2026-01-04', '2026-01-04' FROM process_definition WHERE id = 3"
        ))  # fmt: skip
        connection.execute(sa.text(
            "INSERT INTO process_instance (id, definition_id, process_key, state, serializer_version, completed,"
            " updated_at, created_at, version) VALUES (1, 3, 'a', '{}', '1', false, '2026-01-01', '2026-01-01', 1)"
        ))  # fmt: skip

    _flask_db(fresh_app, "downgrade", "21aee7c04c1c")
    with db.engine.begin() as connection:
        kept = connection.execute(sa.text("SELECT id FROM process_definition ORDER BY id")).scalars().all()
        pinned = connection.execute(sa.text("SELECT definition_id FROM process_instance")).scalar_one()
    assert kept == [1, 2, 4] and pinned == 4  # the running case follows its content to the kept row


# --- in Chromium ----------------------------------------------------------------------------
@pytest.mark.browser
def test_versions_and_start_page_in_the_browser(app, world, page, tmp_path):  # noqa: F811
    bpmn = _copy(tmp_path)
    app.config["BPMN_DIR"] = str(bpmn)
    _edit(bpmn / "hulpvraag.bpmn", 'name="Aanmelding beoordelen"', 'name="Aanmelding toetsen"')
    publiceer(bpmn, notitie="Taak hernoemd", bron="cli")
    _edit(bpmn / "tlv.bpmn", *DEFECTS_TLV)
    publiceer(bpmn)  # refused: the start page shows it
    versions = _count()
    login(page, "procesbeheerder")

    page.goto("/processen/")
    page.wait_for_selector("h2:has-text('De laatste publicatie is geweigerd')")
    assert_accessible(page)
    page.click("a:has-text('Hulpvraag intake')")
    page.wait_for_selector("h1:has-text('Versies van Hulpvraag intake')")
    assert page.locator("#aanpak-hulpvraag tbody tr").count() == 2
    assert_accessible(page)

    form = page.locator("#aanpak-hulpvraag form").first  # revert to v1, without a note
    form.locator("input[name=notitie]").evaluate("input => input.removeAttribute('required')")
    form.locator("button").click()
    page.wait_for_selector("p.error:has-text('Vul een korte notitie in')")
    assert_accessible(page)
    assert _count() == versions

    form = page.locator("#aanpak-hulpvraag form").first
    form.locator("input[name=notitie]").fill("Terug naar de oude taaknaam")
    form.locator("button").click()
    page.wait_for_selector(".flash:has-text('Gepubliceerd: Hulpvraag intake v3.')")
    assert page.locator("#aanpak-hulpvraag tbody tr").count() == 3
    assert_accessible(page)
    page.goto("/processen/")  # the broken tlv.bpmn in the folder is still reported
    page.wait_for_selector("h2:has-text('De laatste publicatie is geweigerd')")
