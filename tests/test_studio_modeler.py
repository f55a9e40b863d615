"""Studio modeler: the draft's diagram in bpmn-js, saved without overwriting a newer save, and the
server's check shown while editing (in the list and on the element)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from models import Concept, db
from tests.browser import assert_accessible, live_server, login, page  # noqa: F401 - fixtures
from tests.conftest import csrf_token
from workflow.engine.definitions import read_diagram
from workflow.engine.run import parse_bpmn
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
def modeler(page, world):  # type: ignore[no-untyped-def]  # noqa: F811
    from tests.browser import require

    require(BUNDLE.exists(), "the studio bundle is not built (make setup)")
    login(page, "procesbeheerder")
    page.goto(PAGE)
    page.wait_for_selector("text=Klaar om te bewerken.")
    page.wait_for_selector("#modeler-problemen li")  # the first check has answered
    return page


def _select(tab, element_id: str) -> None:  # type: ignore[no-untyped-def]
    tab.evaluate(
        "(id) => { const m = window.kansrijkModeler; m.get('selection').select(m.get('elementRegistry').get(id)); }",
        element_id,
    )
    tab.wait_for_function("(id) => document.querySelector('#bio-properties-panel-id')?.value === id", arg=element_id)


def _open_kansrijk(tab) -> None:  # type: ignore[no-untyped-def]
    if not tab.locator("#bio-properties-panel-kansrijk-status").is_visible():
        tab.click("[data-group-id='group-kansrijk'] .bio-properties-panel-group-header")
    tab.wait_for_selector("#bio-properties-panel-kansrijk-status")


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
    parser, _tree = parse_bpmn(concept.bpmn_xml.encode(), "aanpak.bpmn")
    task = parser.get_spec(spec.process_id).task_specs["toekennen"]
    assert task.extensions["properties"]["status"] == "In behandeling"

    modeler.reload()
    modeler.wait_for_selector("text=Klaar om te bewerken.")
    _select(modeler, "toekennen")
    _open_kansrijk(modeler)
    assert modeler.locator("#bio-properties-panel-kansrijk-status").input_value() == "In behandeling"


def test_a_problem_shows_in_the_list_and_on_the_element_and_selects_it(modeler):
    _select(modeler, "toekennen")
    _open_kansrijk(modeler)
    field = "#bio-properties-panel-kansrijk-doorlooptijd"
    modeler.fill(field, "PT1D")

    problem = modeler.wait_for_selector("#modeler-problemen button[data-element='toekennen']", timeout=3000)
    assert "PT1D" in problem.inner_text() and "P1D is goed" in problem.inner_text()
    assert modeler.locator(".djs-element.kansrijk-fout[data-element-id='toekennen']").count() == 1
    assert modeler.locator(".kansrijk-badge").inner_text() == "1"
    _select(modeler, "starten")
    problem.click()
    selected = modeler.evaluate("window.kansrijkModeler.get('selection').get().map(e => e.id)")
    assert selected == ["toekennen"]

    modeler.fill(field, "P1D")
    modeler.wait_for_selector("#modeler-problemen li.geen", timeout=3000)
    assert modeler.locator(".kansrijk-fout").count() == 0


def test_copy_and_paste_of_a_task_keeps_its_properties(modeler):
    xml = modeler.evaluate("""async () => {
        const m = window.kansrijkModeler;
        const task = m.get('elementRegistry').get('toekennen');
        m.get('copyPaste').copy([task]);
        const pasted = m.get('copyPaste').paste({element: task.parent, point: {x: task.x + 60, y: task.y + 200}});
        window.kansrijkPasted = pasted[0].id;
        return (await m.saveXML({format: true})).xml;
    }""")
    pasted = modeler.evaluate("window.kansrijkPasted")
    copy = xml.split(f'id="{pasted}"')[1].split("</bpmn:userTask>")[0]

    assert pasted != "toekennen"
    assert '<spiffworkflow:property name="formJsonSchemaFilename" value="aanpak-toekennen.json" />' in copy
    assert '<spiffworkflow:property name="doorlooptijd" value="P10D" />' in copy


def test_saving_aanpak_unchanged_keeps_every_element_and_property(modeler):
    original = Path("bpmn/aanpak.bpmn").read_text("utf-8")
    saved = modeler.evaluate("async () => (await window.kansrijkModeler.saveXML({format: true})).xml")

    def ids(text: str) -> set[str]:
        import re

        return set(re.findall(r' id="([^"]+)"', text))

    assert ids(saved) == ids(original)
    assert saved.count("<spiffworkflow:property ") == original.count("<spiffworkflow:property ")
    assert "<!--" in original and "<!--" not in saved  # what bpmn-js loses: XML comments


def test_the_modeler_page_is_accessible(modeler):
    _select(modeler, "toekennen")
    _open_kansrijk(modeler)
    assert_accessible(modeler)


def test_a_save_refused_as_stale_says_so_and_keeps_the_edits(modeler, world):
    open_concept("aanpak", world.users["procesbeheerder"])  # another tab made the draft after this page opened
    db.session.commit()
    _select(modeler, "toekennen")
    _open_kansrijk(modeler)
    modeler.select_option("#bio-properties-panel-kansrijk-status", "In behandeling")

    modeler.click("#modeler-opslaan")

    modeler.wait_for_selector("#modeler-melding.fout:has-text('intussen opgeslagen')")
    assert "staan nog in de editor" in modeler.inner_text("#modeler-melding")
    assert modeler.locator("#bio-properties-panel-kansrijk-status").input_value() == "In behandeling"
    assert modeler.locator("#modeler-opslaan").is_enabled()
    db.session.expire_all()
    assert mijn_concept("aanpak", world.users["procesbeheerder"]).revisie == 1
