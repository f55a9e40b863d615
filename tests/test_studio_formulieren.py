"""Studio form editor: fields in, JSON schema out; Dutch refusals that keep the input; a stale save loses nothing."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from models import db
from tests.browser import assert_accessible, live_server, page  # noqa: F401 - fixtures
from tests.browser import login as browser_login
from tests.conftest import csrf_token, login
from workflow.engine.forms import widget_for
from workflow.studio.concepten import Probleem, mijn_concept, open_concept, opslaan, problemen
from workflow.studio.formulieren import fouten, naar_json, ui_bestand, uit_json

BPMN = Path(__file__).resolve().parent.parent / "bpmn"
LIJST = "/studio/aanpak/formulieren"
EDITOR = "/studio/aanpak/formulieren/aanpak-toekennen.json"


def _veld(i: int, naam: str, titel: str, soort: str = "string:text", **extra: str) -> dict[str, str]:
    data = {f"v{i}-naam": naam, f"v{i}-oud": extra.pop("oud", naam), f"v{i}-titel": titel, f"v{i}-soort": soort}
    return data | {f"v{i}-{k}": v for k, v in extra.items()}


def _post(client, data: dict[str, str], url: str = EDITOR, revisie: str = "0"):  # type: ignore[no-untyped-def]
    token = csrf_token(client.get(url).text)
    return client.post(url, data={"csrf_token": token, "revisie": revisie, **data})


def _form(concept_forms: dict, naam: str = "aanpak-toekennen") -> tuple[dict, dict]:  # type: ignore[type-arg]
    return concept_forms[f"{naam}.json"], concept_forms[f"{naam}.ui.json"]


def _draft(world):  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return mijn_concept("aanpak", world.users["procesbeheerder"])


def test_the_list_shows_the_live_forms_without_making_a_draft(client, world):
    login(client, "procesbeheerder")

    lijst = client.get(LIJST)

    assert lijst.status_code == 200 and "aanpak-toekennen.json" in lijst.text and "Nieuw formulier" in lijst.text
    assert _draft(world) is None  # a GET changes nothing


def test_a_new_form_is_made_and_a_bad_name_is_refused_with_the_input_kept(client, world):
    login(client, "procesbeheerder")

    refused = _post(client, {"bestand": "Mijn Formulier!", "titel": "Evaluatie"}, url=LIJST)
    made = _post(client, {"bestand": "aanpak-evaluatie", "titel": "Evaluatie"}, url=LIJST)

    assert refused.status_code == 422 and "kleine letters" in refused.text and 'value="Mijn Formulier!"' in refused.text
    assert made.status_code == 302 and made.headers["Location"].endswith("/formulieren/aanpak-evaluatie.json")
    schema, ui = _form(_draft(world).forms, "aanpak-evaluatie")
    assert schema == {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "Evaluatie", "type": "object",
                      "properties": {}} and ui == {"ui:order": []}  # fmt: skip


def test_fields_are_saved_as_schema_and_ui_schema_in_the_style_of_bpmn(client, world):
    login(client, "procesbeheerder")
    data = {"titel": "Aanpak toekennen", "aantal": "4", "actie": "opslaan",
            **_veld(0, "reden", "Reden", "string:textarea", verplicht="ja", min="3", max="2000", help="Waarom?"),
            **_veld(1, "besluit", "Besluit", "string:radio", verplicht="ja", keuzes="toegekend = Toekennen\nafgewezen = Afwijzen"),
            **_veld(2, "uren", "Aantal uren", "integer:number", max="40"),
            **_veld(3, "deskundige", "Deskundige", "integer:user", rol="functionaris")}  # fmt: skip

    response = _post(client, data)

    assert response.status_code == 302, response.text
    concept = _draft(world)
    schema, ui = _form(concept.forms)
    assert schema["properties"] == {
        "reden": {"type": "string", "title": "Reden", "description": "Waarom?", "minLength": 3, "maxLength": 2000},
        "besluit": {"type": "string", "title": "Besluit",
                    "oneOf": [{"const": "toegekend", "title": "Toekennen"}, {"const": "afgewezen", "title": "Afwijzen"}]},
        "uren": {"type": "integer", "title": "Aantal uren", "maximum": 40},
        "deskundige": {"type": "integer", "title": "Deskundige"},
    }  # fmt: skip
    assert schema["required"] == ["reden", "besluit"] and schema["$schema"].endswith("2020-12/schema")
    assert ui == {"ui:order": ["reden", "besluit", "uren", "deskundige"], "reden": {"ui:widget": "textarea"},
                  "besluit": {"ui:widget": "radio"},
                  "deskundige": {"ui:widget": "user", "ui:options": {"rol": "functionaris"}}}  # fmt: skip
    assert [p for p in problemen(concept) if p.bestand.startswith("aanpak-toekennen")] == []


@pytest.mark.parametrize("bestand", sorted(p.name for p in BPMN.glob("*.json") if not p.name.endswith(".ui.json")))
def test_every_form_in_bpmn_survives_the_editor_unchanged(bestand):
    schema = json.loads((BPMN / bestand).read_text("utf-8"))
    ui_pad = BPMN / ui_bestand(bestand)
    ui = json.loads(ui_pad.read_text("utf-8")) if ui_pad.exists() else {}

    editor = uit_json(bestand, schema, ui)
    nieuw, nieuw_ui = naar_json(editor)

    assert fouten(editor) == {}
    zonder_help = [{k: v for k, v in prop.items() if k != "description"} for prop in schema["properties"].values()]
    assert [{k: v for k, v in p.items() if k != "description"} for p in nieuw["properties"].values()] == zonder_help
    assert set(nieuw) == set(schema) and nieuw.get("required") == schema.get("required")
    assert {n: widget_for(p, nieuw_ui.get(n, {})) for n, p in nieuw["properties"].items()} == {
        n: widget_for(p, ui.get(n, {})) for n, p in schema["properties"].items()
    }


def test_a_problem_the_check_finds_refuses_the_save_and_lists_it(client, world, monkeypatch):
    # The editor refuses what the check would find itself; this is the safety net behind it.
    from workflow.studio import formulieren

    probleem = Probleem("aanpak-toekennen.json", 3, "Task_toekennen", "veld 'reden': een probleem")
    monkeypatch.setattr(formulieren, "problemen", lambda concept: [probleem])
    login(client, "procesbeheerder")
    data = {"titel": "Aanpak toekennen", "aantal": "1", "actie": "opslaan", **_veld(0, "toelichting", "Toelichting")}

    response = _post(client, data)

    assert response.status_code == 422 and "de controle vond problemen" in response.text
    assert "aanpak-toekennen.json:3: Task_toekennen: veld &#39;reden&#39;: een probleem" in response.text
    assert 'value="Toelichting"' in response.text and _draft(world) is None  # rolled back: nothing stored


def test_carried_keys_cannot_override_what_the_editor_writes(client, world):
    login(client, "procesbeheerder")
    data = {"titel": "Aanpak toekennen", "aantal": "1", "actie": "opslaan", "extra": '{"type": "array"}',
            **_veld(0, "reden", "Reden", extra='{"type": "array", "pattern": "^a"}', ui='{"ui:widget": "onbekend"}')}  # fmt: skip

    assert _post(client, data).status_code == 302
    schema, ui = _form(_draft(world).forms)
    assert schema["type"] == "object" and schema["properties"]["reden"] == {"type": "string", "title": "Reden", "pattern": "^a"}
    assert "reden" not in ui


def test_an_invalid_schema_from_expert_keys_is_refused(client, world):
    login(client, "procesbeheerder")
    data = {"titel": "T", "aantal": "1", "actie": "opslaan", **_veld(0, "code", "Code", extra='{"pattern": 5}')}

    response = _post(client, data, url="/studio/aanpak/formulieren/aanpak-wachten.json")

    assert response.status_code == 422 and "geen geldig JSON-schema" in response.text and 'value="Code"' in response.text


def test_add_remove_and_move_fields_re_render_the_editor(client, world):
    login(client, "procesbeheerder")
    base = {"titel": "T", "aantal": "2", **_veld(0, "a", "Eerste"), **_veld(1, "b", "Tweede")}

    added = _post(client, {**base, "actie": "toevoegen"})
    moved = _post(client, {**base, "actie": "omlaag-0"})
    removed = _post(client, {**base, "actie": "verwijderen-0"})

    assert added.status_code == 200 and 'name="v2-naam" value="veld_1"' in added.text
    assert moved.text.index('value="Tweede"') < moved.text.index('value="Eerste"')
    assert 'value="Eerste"' not in removed.text and 'name="v0-naam" value="b"' in removed.text
    assert _draft(world) is None  # nothing is stored until Opslaan


@pytest.mark.parametrize(
    ("velden", "melding"),
    [
        (_veld(0, "2de veld", "Label"), "geen geldige veldnaam"),
        (_veld(0, "reden", "Een") | _veld(1, "reden", "Twee"), "komt al eerder in dit formulier voor"),
        (_veld(0, "keuze", "Keuze", "string:select"), "hebben keuzes nodig"),
        (_veld(0, "reden", ""), "Geef het veld een label"),
    ],
)
def test_bad_fields_are_refused_in_dutch_and_the_input_is_kept(client, world, velden, melding):
    login(client, "procesbeheerder")

    response = _post(client, {"titel": "Mijn titel", "aantal": "2", "actie": "opslaan", **velden})

    assert response.status_code == 422 and melding in response.text
    assert 'value="Mijn titel"' in response.text and all(f'value="{v}"' in response.text for v in velden.values() if v)
    assert _draft(world) is None


def test_invalid_expert_json_is_refused_and_the_text_is_kept(client, world):
    login(client, "procesbeheerder")
    kapot = '{"type": "object", "properties": {'

    response = _post(client, {"titel": "T", "aantal": "0", "actie": "json", "json_schema": kapot, "json_ui": "{}"})
    taken = _post(client, {"titel": "T", "aantal": "0", "actie": "json", "json_ui": "{}",
                           "json_schema": '{"title": "Nieuw", "properties": {"x": {"type": "string", "title": "X"}}}'})  # fmt: skip

    assert response.status_code == 422 and "De JSON van het schema is ongeldig" in response.text
    assert "{&#34;type&#34;: &#34;object&#34;, &#34;properties&#34;: {" in response.text  # the text, as typed
    assert taken.status_code == 200 and 'name="v0-naam" value="x"' in taken.text and 'value="Nieuw"' in taken.text


def test_a_stale_save_is_refused_and_keeps_every_edit(client, world):
    user = world.users["procesbeheerder"]
    concept = open_concept("aanpak", user)
    db.session.commit()
    login(client, "procesbeheerder")
    token = csrf_token(client.get(EDITOR).text)
    opslaan(concept, user, 1, scenarios=concept.scenarios + "\n# andere tab\n")  # another tab saves meanwhile
    db.session.commit()

    response = client.post(EDITOR, data={"csrf_token": token, "revisie": "1", "titel": "Nieuwe titel", "aantal": "1",
                                         "actie": "opslaan", **_veld(0, "toelichting", "Toelichting", verplicht="ja")})  # fmt: skip

    assert response.status_code == 409 and "intussen opgeslagen door Petra Dekker" in response.text
    assert 'value="Nieuwe titel"' in response.text and 'value="toelichting"' in response.text
    assert 'value="Toelichting"' in response.text and re.search(r'name="v0-verplicht" value="ja"\s+checked', response.text)
    assert "toelichting" not in str(_draft(world).forms["aanpak-toekennen.json"])

    # knowingly saving this form over the newer revisie keeps the other tab's change to the scenarios
    again = client.post(EDITOR, data={"csrf_token": token, "revisie": "1", "titel": "Nieuwe titel", "aantal": "1",
                                      "actie": "overschrijven-2", **_veld(0, "toelichting", "Toelichting")})  # fmt: skip
    assert again.status_code == 302
    concept = _draft(world)
    assert concept.revisie == 3 and list(concept.forms["aanpak-toekennen.json"]["properties"]) == ["toelichting"]
    assert concept.scenarios.endswith("# andere tab\n")


def test_a_rename_names_the_diagram_elements_that_use_the_old_name(client, world):
    login(client, "procesbeheerder")

    response = _post(client, {"titel": "T", "aantal": "1", "actie": "", **_veld(0, "keuze", "Besluit", oud="besluit")})

    removed = _post(client, {"titel": "T", "aantal": "2", "actie": "verwijderen-0",
                             **_veld(0, "besluit", "Besluit"), **_veld(1, "reden", "Reden")})  # fmt: skip

    assert "Het diagram gebruikt ‘besluit’ nog in:" in response.text
    assert "U hebt het veld ‘besluit’ verwijderd. Het diagram gebruikt ‘besluit’ nog in:" in removed.text
    assert '<input type="hidden" name="verwijderd" value="besluit">' in removed.text


def test_the_preview_is_drawn_by_the_task_macro(client, world):
    login(client, "procesbeheerder")

    response = _post(client, {"titel": "T", "aantal": "1", **_veld(0, "toelichting", "Toelichting", verplicht="ja")},
                     url=EDITOR + "/voorbeeld")  # fmt: skip

    assert response.status_code == 200
    assert '<label for="toelichting">Toelichting <abbr class="req"' in response.text and "aria-required" in response.text


def test_a_beheerder_may_look_but_not_post(client, world):
    login(client, "beheerder")

    looked = client.get(EDITOR)
    token = csrf_token(looked.text)
    posted = client.post(EDITOR, data={"csrf_token": token, "revisie": "0", "titel": "X", "aantal": "0", "actie": "opslaan"})
    created = client.post(LIJST, data={"csrf_token": token, "revisie": "0", "bestand": "x", "titel": "X"})

    assert looked.status_code == 200 and "bekijken maar niet wijzigen" in looked.text and "disabled" in looked.text
    assert posted.status_code == created.status_code == 404  # the policy answers as for a page that is not there
    assert mijn_concept("aanpak", world.users["beheerder"]) is None


def test_in_chromium_a_required_field_is_previewed_saved_and_accessible(page, world):  # noqa: F811
    browser_login(page, "procesbeheerder")
    start = time.monotonic()
    page.goto(LIJST)
    assert_accessible(page)
    page.fill("#nieuw-bestand", "aanpak-evaluatie")
    page.fill("#nieuw-titel", "Evaluatie")
    page.click("text=Nieuw formulier >> nth=-1")
    page.wait_for_selector("h1:has-text('Formulier aanpak-evaluatie.json')")
    page.click("button:has-text('Veld toevoegen')")
    page.click("button:has-text('Opslaan')")  # no label yet: refused, with the message at the field
    page.wait_for_selector("#fout-0-titel:has-text('Geef het veld een label')")
    assert_accessible(page)
    page.fill("#f0-naam", "toelichting")
    page.fill("#f0-titel", "Toelichting van de school")
    page.check("input[name='v0-verplicht']")
    page.wait_for_selector("#f-voorbeeld label[for='toelichting']:has-text('Toelichting van de school') abbr.req")
    assert page.locator("#f0-keuzes").count() == 0
    page.select_option("#f0-soort", "string:select")  # the editor shows what belongs to the new kind
    page.wait_for_selector("#f0-keuzes")
    page.fill("#f0-keuzes", "kort = Kort\nlang = Uitgebreid")
    page.wait_for_selector("#f-voorbeeld select#toelichting option:has-text('Uitgebreid')", state="attached")
    page.select_option("#f0-soort", "string:textarea")
    page.wait_for_selector("#f0-min")
    page.click("button:has-text('Opslaan')")
    page.wait_for_selector("text=is opgeslagen in uw concept")
    assert_accessible(page)
    print(f"form editor journey: {time.monotonic() - start:.1f}s")

    schema, _ui = _form(_draft(world).forms, "aanpak-evaluatie")
    assert schema["required"] == ["toelichting"] and schema["properties"]["toelichting"]["title"] == "Toelichting van de school"


def test_settings_of_another_kind_stay_in_the_page_while_hidden(client, world):
    login(client, "procesbeheerder")
    velden = _veld(0, "soort_hulp", "Soort hulp", "string:text", keuzes="a = A\nb = B", min="2")

    as_text = _post(client, {"titel": "T", "aantal": "1", "actie": "", **velden})
    as_choice = _post(client, {"titel": "T", "aantal": "1", "actie": "", **velden, "v0-soort": "string:select"})

    assert 'id="f0-keuzes"' not in as_text.text and 'name="v0-keuzes" value="a = A\nb = B"' in as_text.text
    assert 'id="f0-min"' in as_text.text
    assert 'id="f0-keuzes"' in as_choice.text and 'id="f0-min"' not in as_choice.text
    assert '<input type="hidden" name="v0-min" value="2">' in as_choice.text
