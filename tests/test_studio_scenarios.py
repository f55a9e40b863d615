"""Studio scenarios: list and run them per step, edit one, make one from a real case, insert a step."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
import yaml

from models import AuditEntry, Concept, Dossier, HumanTask, ProcessInstance, db
from tests.browser import assert_accessible, live_server, login, page  # noqa: F401 - fixtures
from tests.conftest import csrf_token
from workflow.engine.runtime import complete_task
from workflow.engine.scenarios import load_scenarios
from workflow.hulpvragen import create_hulpvraag
from workflow.studio.concepten import mijn_concept, open_concept, opslaan
from workflow.studio.scenarios import scenario_lijst, voorstellen
from workflow.studio.scenariotekst import herschreven, kop

URL = "/studio/aanpak/scenarios"
GEHEIM = "Jantje Geheimnaam woont op de Kerkstraat 12 en heeft dyslexie"


def _post(client, url: str, data: dict[str, object], page_url: str | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token(client.get(page_url or URL).text)
    return client.post(url, data={**data, "csrf_token": token})


def _concept(world) -> Concept:  # type: ignore[no-untyped-def]
    concept = mijn_concept("aanpak", world.users["procesbeheerder"])
    assert concept is not None
    db.session.refresh(concept)
    return concept


def _edit_form(html: str) -> dict[str, object]:
    """The edit page's form as a browser would post it (inputs, selected options, checked boxes)."""
    data: dict[str, object] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if not name or (kind and kind.group(1) in ("radio", "checkbox") and "checked" not in tag):
            continue
        data[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else ""
    return {k: v.replace("&#39;", "'").replace("&amp;", "&") if isinstance(v, str) else v for k, v in data.items()}


def test_list_and_run_shows_green_per_step_for_the_shipped_scenarios(app, world, client, auth):
    auth.login("procesbeheerder")
    listing = client.get(URL)
    assert listing.status_code == 200 and "Toegekend en direct in behandeling" in listing.text
    assert mijn_concept("aanpak", world.users["procesbeheerder"]) is None  # a GET made no draft

    ran = _post(client, f"{URL}/draaien", {})

    assert ran.status_code == 200
    total = len(load_scenarios(Path(app.config["BPMN_DIR"]) / "aanpak.scenarios.yaml"))
    assert f"{total} van de {total} scenario's geslaagd" in ran.text
    assert ran.text.count("geslaagd (Toegekend)") >= 3 and "mislukt" not in ran.text


def test_a_wrong_expected_status_is_red_with_the_dutch_step_message(app, world, client, auth):
    user = world.users["procesbeheerder"]
    concept = open_concept("aanpak", user)
    opslaan(concept, user, 1, scenarios=concept.scenarios.replace("status: Wacht", "status: Afgerond", 1))
    db.session.commit()
    auth.login("procesbeheerder")

    ran = _post(client, f"{URL}/draaien", {})

    assert "stap 2 (starten): de status is &#39;Wacht&#39;, verwacht &#39;Afgerond&#39;" in ran.text
    assert "niet uitgevoerd" in ran.text and "geslaagd (Toegekend)" in ran.text


def test_edit_saves_loadable_yaml_that_runs_and_keeps_the_header(app, world, client, auth, tmp_path):
    auth.login("procesbeheerder")
    page_url = f"{URL}/3"
    form = _edit_form(client.get(page_url).text)
    assert form["taak-0"] == "toekennen" and form["waarde-0-0"] == "afgewezen"
    form.update({"naam": "Afgewezen, met een andere reden", "waarde-0-1": "Past niet bij deze aanpak."})
    form["actie"] = "erbij:1"  # add a step, unsaved
    redrawn = client.post(page_url, data={**form, "csrf_token": csrf_token(client.get(page_url).text)})
    assert redrawn.status_code == 200 and 'id="stap-2"' in redrawn.text
    assert mijn_concept("aanpak", world.users["procesbeheerder"]) is None  # nothing saved yet
    form = _edit_form(redrawn.text)
    form.update({"actie": "weg:1"})
    form = _edit_form(client.post(page_url, data={**form, "csrf_token": csrf_token(redrawn.text)}).text)
    form["actie"] = "opslaan"

    saved = client.post(page_url, data={**form, "csrf_token": csrf_token(redrawn.text)})

    assert saved.status_code == 302
    concept = _concept(world)
    assert concept.scenarios.startswith("# Scenario's voor aanpak.bpmn")
    assert "# Elk besluit vraagt een reden." in concept.scenarios  # another scenario's comment stays
    (tmp_path / "aanpak.scenarios.yaml").write_text(concept.scenarios, "utf-8")
    scenarios = load_scenarios(tmp_path / "aanpak.scenarios.yaml")
    assert scenarios[2].naam == "Afgewezen, met een andere reden"
    assert scenarios[2].stappen[0].invoer == {"besluit": "afgewezen", "reden": "Past niet bij deze aanpak."}
    assert scenarios[2].stappen[0].status == "Afgewezen" and scenarios[2].einde is True
    ran = _post(client, f"{URL}/draaien", {})
    assert f"{len(scenarios)} van de {len(scenarios)} scenario's geslaagd" in ran.text


def test_a_stale_revisie_is_409_and_keeps_the_edits(app, world, client, auth):
    auth.login("procesbeheerder")
    page_url = f"{URL}/1"
    html = client.get(page_url).text
    form = _edit_form(html)
    user = world.users["procesbeheerder"]
    concept = open_concept("aanpak", user)  # another tab saves first
    opslaan(concept, user, concept.revisie, scenarios=concept.scenarios + "\n# andere tab\n")
    db.session.commit()
    form.update({"naam": "Mijn nieuwe naam die niet verloren mag gaan", "actie": "opslaan"})

    refused = client.post(page_url, data={**form, "csrf_token": csrf_token(html)})

    assert refused.status_code == 409
    assert "intussen opgeslagen" in refused.text and "Mijn nieuwe naam die niet verloren mag gaan" in refused.text
    assert "Mijn nieuwe naam" not in _concept(world).scenarios


def test_bad_input_is_refused_in_dutch_and_changes_nothing(app, world, client, auth):
    auth.login("procesbeheerder")
    page_url = f"{URL}/1"
    html = client.get(page_url).text
    form = {**_edit_form(html), "naam": "", "actie": "opslaan"}

    refused = client.post(page_url, data={**form, "csrf_token": csrf_token(html)})

    assert refused.status_code == 422 and "geen &#39;naam&#39;" in refused.text
    assert "Toegekend" in refused.text  # the steps are still there
    assert mijn_concept("aanpak", world.users["procesbeheerder"]) is None  # nothing was saved
    assert client.get(f"{URL}/999").status_code == 404
    assert client.get("/studio/bestaat_niet/scenarios").status_code == 404


def _case_with_history(world):  # type: ignore[no-untyped-def]
    """A real aanpak case whose texts and names are distinctive; two tasks done, the third open."""
    dossier = Dossier(swv_id=world.swv.id, school_id=world.scholen[0].id, roepnaam="Jantje", achternaam="Geheimnaam")
    db.session.add(dossier)
    db.session.flush()
    hulpvraag = create_hulpvraag(dossier, world.users["aanvrager"], titel="Thuiszitter", omschrijving=GEHEIM)
    steps = [
        (world.users["aanvrager"], {"ouders_geinformeerd": "ja"}),
        (world.users["scp"], {"besluit": "dossier_compleet", "reden": GEHEIM}),
    ]
    for user, data in steps:
        task = db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, completed_at=None)).one()
        complete_task(task.id, user, data)
    instance = db.session.scalars(
        sa.select(ProcessInstance).filter_by(hulpvraag_id=hulpvraag.id, process_key="aanpak")
    ).one()
    for data in ({"besluit": "toegekend", "reden": GEHEIM}, {"besluit": "wacht", "reden": "Jantje wacht tot 12 maart"}):
        task = db.session.scalars(sa.select(HumanTask).filter_by(instance_id=instance.id, completed_at=None)).one()
        complete_task(task.id, world.users["scp"], data)
    db.session.commit()
    return hulpvraag, instance


def test_a_scenario_from_a_real_case_holds_no_pupil_data_and_runs_green(app, world, client, auth):
    hulpvraag, instance = _case_with_history(world)
    auth.login("procesbeheerder")
    choose = client.get(f"{URL}/uit-zaak")
    assert hulpvraag.aanvraagnummer in choose.text and "Jantje" not in choose.text and "Geheimnaam" not in choose.text

    wrong = client.post(f"{URL}/uit-zaak", data={"zaak": "abc", "csrf_token": csrf_token(choose.text)})
    assert wrong.status_code == 422 and "Kies een zaak" in wrong.text and "Scenario maken" in wrong.text
    made = client.post(f"{URL}/uit-zaak", data={"zaak": instance.id, "csrf_token": csrf_token(choose.text)})

    assert made.status_code == 302 and "bron=zaak" in made.headers["Location"]
    text = _concept(world).scenarios
    for secret in ("Jantje", "Geheimnaam", "Kerkstraat", "dyslexie", "12 maart", GEHEIM):
        assert secret not in text
    nieuw = scenario_lijst(_concept(world))[-1]
    assert nieuw["stappen"] == [
        {"taak": "toekennen", "invoer": {"besluit": "toegekend", "reden": "voorbeeldtekst"}, "status": "Toegekend"},
        {"taak": "starten", "invoer": {"besluit": "wacht", "reden": "voorbeeldtekst"}, "status": "Wacht"},
    ]
    assert nieuw["open"] == ["wachten"]
    shown = client.get(made.headers["Location"])
    assert "Gegevens over het kind zijn niet overgenomen" in shown.text and "Jantje" not in shown.text
    assert db.session.scalar(sa.select(AuditEntry).filter_by(object_type="hulpvraag", object_id=hulpvraag.id,
                                                             detail=f"scenario uit zaak voor concept {_concept(world).id}"))  # fmt: skip
    ran = _post(client, f"{URL}/draaien", {})
    total = len(scenario_lijst(_concept(world)))
    assert f"{total} van de {total} scenario's geslaagd" in ran.text


NIEUWE_TAAK = """    <bpmn:userTask id="controleren" name="Toekenning controleren">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="aanpak-controleren.json" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f_naar_controle" sourceRef="status_toegekend" targetRef="controleren" />
    <bpmn:sequenceFlow id="f_naar_starten" sourceRef="controleren" targetRef="starten" />
"""
FORMULIER = {"title": "Controleren", "type": "object", "required": ["opmerking"],
             "properties": {"opmerking": {"type": "string", "title": "Opmerking"}}}  # fmt: skip


def test_insert_step_helper_adds_the_new_task_to_every_scenario_that_passes_there(app, world, client, auth):
    user = world.users["procesbeheerder"]
    concept = open_concept("aanpak", user)
    xml = concept.bpmn_xml.replace(
        '<bpmn:sequenceFlow id="f_naar_starten" sourceRef="status_toegekend" targetRef="starten" />', ""
    )
    xml = xml.replace("</bpmn:process>", NIEUWE_TAAK + "</bpmn:process>", 1).replace(
        "<bpmn:flowNodeRef>toekennen</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>toekennen</bpmn:flowNodeRef><bpmn:flowNodeRef>controleren</bpmn:flowNodeRef>",
    )
    opslaan(concept, user, 1, bpmn_xml=xml, forms={**concept.forms, "aanpak-controleren.json": FORMULIER})
    db.session.commit()
    [voorstel] = voorstellen(concept)
    lijst = scenario_lijst(concept)
    passing = [1, 2, 4, 5, 6, 7]  # every scenario that completes toekennen and then works on starten
    assert voorstel.taak.id == "controleren" and voorstel.na == "toekennen" and voorstel.scenarios == passing
    auth.login("procesbeheerder")
    listing = client.get(URL)
    assert "Stap invoegen in" in listing.text and "Toekenning controleren" in listing.text

    done = _post(client, f"{URL}/invoegen", {"revisie": 2, "taak": "controleren", "na": "toekennen", "velden-n": 2,
                                             "veld-n-0": "opmerking", "waarde-n-0": "Gecontroleerd."})  # fmt: skip

    assert done.status_code == 302
    lijst = scenario_lijst(_concept(world))
    stap = {"taak": "controleren", "invoer": {"opmerking": "Gecontroleerd."}}
    for nr in passing[:-1]:
        assert lijst[nr - 1]["stappen"][1] == stap
    assert lijst[6]["stappen"][4] == stap  # after the completing toekennen, not after a refused one
    assert all(st["taak"] != "controleren" for st in lijst[2]["stappen"])  # afgewezen: not passing there
    assert voorstellen(_concept(world)) == []
    ran = _post(client, f"{URL}/draaien", {})
    assert f"{len(lijst)} van de {len(lijst)} scenario's geslaagd" in ran.text


def test_beheerder_may_look_but_not_change(app, world, client, auth):
    auth.login("beheerder")
    listing = client.get(URL)
    assert listing.status_code == 200 and "niet draaien of wijzigen" in listing.text
    assert "Alle scenario&#39;s draaien" not in listing.text and "Alle scenario's draaien" not in listing.text
    edit = client.get(f"{URL}/1")
    assert (
        edit.status_code == 200 and "Scenario opslaan" not in edit.text and "bekijken maar niet wijzigen" in edit.text
    )
    assert "Scenario maken" not in client.get(f"{URL}/uit-zaak").text
    token = csrf_token(listing.text)
    for url in (f"{URL}/draaien", f"{URL}/1", f"{URL}/uit-zaak", f"{URL}/invoegen", f"{URL}/1/verwijderen"):
        assert client.post(url, data={"csrf_token": token, "revisie": 1, "naam": "x"}).status_code in (403, 404), url
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Concept)) == 0


def test_browser_run_shows_per_step_results_and_pages_are_accessible(app, world, page):  # noqa: F811
    hulpvraag, _instance = _case_with_history(world)
    login(page, "procesbeheerder")
    page.goto(URL)
    assert_accessible(page)
    page.click("text=Alle scenario's draaien")  # htmx swaps the list in place
    page.wait_for_selector("#samenvatting")
    assert page.url.endswith(URL)
    assert "geslaagd" in page.inner_text("#samenvatting")
    assert page.locator("#scenario-1 .stap .status-klaar").count() >= 4
    assert_accessible(page)
    page.click("text=Scenario 1 bewerken")
    page.wait_for_selector("#naam")
    assert_accessible(page)
    page.goto(f"{URL}/uit-zaak")
    assert hulpvraag.aanvraagnummer in page.inner_text("main")
    assert_accessible(page)
    page.click("text=Scenario maken")
    page.wait_for_selector("text=Gegevens over het kind zijn niet overgenomen")
    assert "Jantje" not in page.content()
    assert_accessible(page)


def test_a_save_keeps_the_comments_of_the_scenarios_it_did_not_change(app):
    text = (Path(app.config["BPMN_DIR"]) / "aanpak.scenarios.yaml").read_text("utf-8")
    oud = yaml.safe_load(text)["scenarios"]
    nieuw = [{**oud[0], "naam": "Eerste, hernoemd"}, *oud[1:], {"naam": "Nieuw", "stappen": [], "einde": True}]

    changed = herschreven(text, list(oud), nieuw)

    assert changed is not None and yaml.safe_load(changed)["scenarios"] == nieuw
    assert changed.startswith(kop(text)) and "# Elk besluit vraagt een reden." in changed
    assert "  - naam: Eerste, hernoemd\n    stappen:\n      - taak: toekennen" in changed
    removed = herschreven(text, list(oud), oud[:6], verwijderd=6)
    assert removed is not None and "# Elk besluit" not in removed and yaml.safe_load(removed)["scenarios"] == oud[:6]
    assert herschreven("scenarios: []\n", [], nieuw) is None  # a layout it does not follow: written anew


def test_removing_a_scenario_keeps_the_others(app, world, client, auth):
    auth.login("procesbeheerder")
    user = world.users["procesbeheerder"]
    open_concept("aanpak", user)
    db.session.commit()
    html = client.get(f"{URL}/2").text
    assert "Scenario 2 verwijderen uit het concept" in html

    removed = client.post(f"{URL}/2/verwijderen", data={"revisie": 1, "csrf_token": csrf_token(html)})
    stale = client.post(f"{URL}/2/verwijderen", data={"revisie": 1, "csrf_token": csrf_token(html)})

    assert removed.status_code == 302 and stale.status_code == 409
    namen = [s["naam"] for s in scenario_lijst(_concept(world))]
    assert "Toegekend en direct in behandeling" not in namen and len(namen) == 6


def test_a_hand_edited_file_with_odd_steps_still_opens(app, world, client, auth):
    user = world.users["procesbeheerder"]
    concept = open_concept("aanpak", user)
    odd = "scenarios:\n  - naam: Vreemd\n    stappen: [tekst, {taak: toekennen, invoer: [a, b], fouten: reden}]\n    open: starten\n"
    opslaan(concept, user, 1, scenarios=odd)
    db.session.commit()
    auth.login("procesbeheerder")

    shown = client.get(f"{URL}/1")
    listed = client.get(URL)

    assert shown.status_code == 200 and 'value="reden"' in shown.text
    assert listed.status_code == 200 and "Vreemd" in listed.text


def test_a_new_scenario_is_added_at_the_end_and_runs(app, world, client, auth):
    auth.login("procesbeheerder")
    page_url = f"{URL}/8"
    html = client.get(page_url).text
    form = {**_edit_form(html), "naam": "Nieuw: afgewezen", "taak-0": "toekennen", "velden-0": 2, "veld-0-0": "besluit",
            "waarde-0-0": "afgewezen", "veld-0-1": "reden", "waarde-0-1": "Past niet.", "status-0": "Afgewezen",
            "actie": "opslaan"}  # fmt: skip

    saved = client.post(page_url, data={**form, "csrf_token": csrf_token(html)})

    assert saved.status_code == 302
    nieuw = scenario_lijst(_concept(world))[-1]
    assert nieuw == {"naam": "Nieuw: afgewezen", "stappen": [{"taak": "toekennen", "invoer": {"besluit": "afgewezen", "reden": "Past niet."}, "status": "Afgewezen"}], "einde": True}  # fmt: skip
    assert "8 van de 8 scenario's geslaagd" in _post(client, f"{URL}/draaien", {}).text
