"""Studio modeler: the draft's diagram in bpmn-js, saved without overwriting a newer save, and the
server's check shown while editing (in the list and on the element)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from models import Concept, db
from tests.browser import assert_accessible, live_server, login, page  # noqa: F401 - fixtures
from tests.conftest import csrf_token
from workflow.engine.definitions import read_diagram
from workflow.studio.concepten import als_map, diagram_pad, mijn_concept, open_concept

BUNDLE = Path(__file__).resolve().parent.parent / "web" / "static" / "vendor" / "studio" / "modeler.js"
PAGE = "/studio/aanpak/modeler"


def _token(client) -> str:  # type: ignore[no-untyped-def]
    return csrf_token(client.get(PAGE).text)


def _post(client, url: str, body: object):  # type: ignore[no-untyped-def]
    return client.post(url, json=body, headers={"X-CSRFToken": _token(client)})


def _drafts() -> list[tuple[int, str]]:
    return [(c.revisie, c.bpmn_xml) for c in db.session.scalars(sa.select(Concept).order_by(Concept.id))]


# --- the JSON endpoints --------------------------------------------------------------------------
def test_the_page_starts_from_the_live_version_and_the_first_save_makes_the_draft(app, world, auth, client):
    auth.login("procesbeheerder")
    data = client.get("/studio/aanpak/concept").get_json()
    assert data["revisie"] == 0 and "aanpak-toekennen.json" in data["formulieren"]
    assert "aanpak-toekennen.ui.json" not in data["formulieren"] and data["statussen"] and "SCP" in data["lanes"]
    assert _drafts() == []  # a GET creates nothing

    response = _post(client, "/studio/aanpak/concept", {"xml": data["xml"], "revisie": 0})

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["revisie"] == 2 and response.get_json()["problemen"] == []
    assert client.get("/studio/aanpak/concept").get_json()["revisie"] == 2


def test_a_stale_revisie_is_refused_with_409_and_nothing_changes(app, world, auth, client):
    concept = open_concept("aanpak", world.users["procesbeheerder"])
    db.session.commit()
    auth.login("procesbeheerder")
    first = _post(client, "/studio/aanpak/concept", {"xml": concept.bpmn_xml + "\n", "revisie": 1})
    assert first.status_code == 200
    db.session.expire_all()
    before = _drafts()

    stale = _post(client, "/studio/aanpak/concept", {"xml": "<x/>", "revisie": 1})
    also_stale = _post(client, "/studio/aanpak/concept", {"xml": concept.bpmn_xml, "revisie": 0})

    assert stale.status_code == 409 and also_stale.status_code == 409
    assert "intussen opgeslagen door Petra Dekker" in stale.get_json()["fout"]
    assert "staan nog in de editor" in stale.get_json()["fout"] and stale.get_json()["revisie"] == 2
    db.session.expire_all()
    assert _drafts() == before


@pytest.mark.parametrize(
    ("body", "woorden"),
    [
        ({"xml": "<bpmn:definitions", "revisie": 0}, "geen leesbaar diagram"),
        ({"xml": "   ", "revisie": 0}, "leeg"),
        ({"xml": "<a/>", "revisie": "twee"}, "revisie"),
        ({"revisie": 0}, "geen diagram"),
        ("geen json-object", "geen diagram"),
    ],
)
def test_bad_input_gets_a_dutch_422_and_changes_nothing(app, world, auth, client, body, woorden):
    auth.login("procesbeheerder")

    response = _post(client, "/studio/aanpak/concept", body)

    assert response.status_code == 422 and woorden in response.get_json()["fout"]
    assert _drafts() == []


def test_a_beheerder_may_look_but_not_save_or_check(app, world, auth, client):
    auth.login("beheerder")
    page_html = client.get(PAGE).text
    assert 'data-bewerkbaar="nee"' in page_html and "modeler-opslaan" not in page_html
    xml = client.get("/studio/aanpak/concept").get_json()["xml"]

    for url in ("/studio/aanpak/concept", "/studio/aanpak/controle"):
        response = _post(client, url, {"xml": xml, "revisie": 0})
        assert response.status_code in (403, 404), url
    assert _drafts() == []


def test_an_unknown_aanpak_is_404(app, world, auth, client):
    auth.login("procesbeheerder")
    assert client.get("/studio/bestaat_niet/modeler").status_code == 404
    assert client.get("/studio/Fout!/concept").status_code == 404


def test_the_check_of_unsaved_xml_names_the_element_and_stores_nothing(app, world, auth, client):
    auth.login("procesbeheerder")
    xml = client.get("/studio/aanpak/concept").get_json()["xml"]
    broken = xml.replace('name="doorlooptijd" value="P10D"', 'name="doorlooptijd" value="PT1D"', 1)

    response = _post(client, "/studio/aanpak/controle", {"xml": broken})

    found = response.get_json()["problemen"]
    assert response.status_code == 200 and len(found) == 1
    assert found[0]["element"] == "toekennen" and "PT1D" in found[0]["melding"]
    assert _drafts() == []


# --- in Chromium -----------------------------------------------------------------------------------
@pytest.fixture
def modeler(page, world):  # type: ignore[no-untyped-def]
    from tests.browser import require

    require(BUNDLE.exists(), "the studio bundle is not built (make setup)")
    login(page, "procesbeheerder")
    page.goto(PAGE)
    page.wait_for_selector("text=Klaar om te bewerken.")
    page.wait_for_selector("#modeler-problemen li")  # the first check has answered
    return page


def _select(page, element_id: str) -> None:  # type: ignore[no-untyped-def]
    page.evaluate(
        "(id) => { const m = window.kansrijkModeler; m.get('selection').select(m.get('elementRegistry').get(id)); }",
        element_id,
    )
    page.wait_for_selector(f".bio-properties-panel-header-label:has-text('{element_id}'), #bio-properties-panel-id")


def _open_kansrijk(page) -> None:  # type: ignore[no-untyped-def]
    header = page.locator(".bio-properties-panel-group-header:has-text('Kansrijk')")
    if not page.locator("#bio-properties-panel-kansrijk-status").is_visible():
        header.click()
    page.wait_for_selector("#bio-properties-panel-kansrijk-status")


def test_a_status_set_in_the_panel_is_saved_read_by_the_engine_and_shown_again(modeler, world):
    _select(modeler, "toekennen")
    _open_kansrijk(modeler)
    modeler.select_option("#bio-properties-panel-kansrijk-status", "In behandeling")
    modeler.click("#modeler-opslaan")
    modeler.wait_for_selector("text=Concept opgeslagen (revisie 2).")

    db.session.expire_all()
    concept = mijn_concept("aanpak", world.users["procesbeheerder"])
    assert '<spiffworkflow:property name="status" value="In behandeling" />' in concept.bpmn_xml
    with als_map(concept) as folder:
        spec = read_diagram(diagram_pad(folder, concept))
    from workflow.engine.run import parse_bpmn

    parser, _tree = parse_bpmn(concept.bpmn_xml.encode(), "aanpak.bpmn")
    task = parser.get_spec(spec.process_id).task_specs["toekennen"]
    assert task.extensions["properties"]["status"] == "In behandeling"

    modeler.reload()
    modeler.wait_for_selector("text=Klaar om te bewerken.")
    _select(modeler, "toekennen")
    _open_kansrijk(modeler)
    assert modeler.locator("#bio-properties-panel-kansrijk-status").input_value() == "In behandeling"
