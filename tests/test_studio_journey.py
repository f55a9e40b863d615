"""Issue 13's goal as one Chromium journey: open the generic aanpak in the studio, add a user task
with a required text field (form editor and properties panel), set its status, add it to the
scenarios, run them green, see the diff, publish with a note, move the running cases, and a new
case gets the new task. Prints how long the scripted journey took."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from models import HumanTask, ProcessInstance, db
from tests.browser import assert_accessible, live_server, login, page  # noqa: F401 - fixtures
from tests.conftest import new_hulpvraag
from workflow.engine.definitions import latest_definition
from workflow.engine.runtime import complete_task, start_process

pytestmark = pytest.mark.browser

# The new task goes on the flow from the status script to the end of the "afgerond" path.
INSERT = """(flowId) => {
  const m = window.kansrijkModeler, registry = m.get('elementRegistry'), modeling = m.get('modeling');
  const flow = registry.get(flowId), [a, b] = [flow.waypoints[0], flow.waypoints[flow.waypoints.length - 1]];
  const shape = m.get('elementFactory').createShape({type: 'bpmn:UserTask'});
  const created = modeling.createShape(shape, {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2}, flow);
  modeling.updateProperties(created, {id: 'evalueren', name: 'Evaluatie vastleggen'});
  m.get('selection').select(created);
  return created.id;
}"""
STAPPEN = {
    "toekennen": {"besluit": "toegekend", "reden": "Past binnen de criteria."},
    "starten": {"besluit": "in_behandeling", "reden": "De aanbieder kan direct beginnen."},
    "behandelen": {"besluit": "afgerond", "reden": "Klaar."},
}


def _open(instance: ProcessInstance) -> list[str]:
    query = sa.select(HumanTask.bpmn_id).filter_by(instance_id=instance.id, completed_at=None)
    return list(db.session.scalars(query))


def test_the_process_owner_adds_a_step_tests_publishes_and_moves_the_cases(app, world, page):  # type: ignore[no-untyped-def]  # noqa: F811
    running = start_process(new_hulpvraag(world, roepnaam="Lopend"), "aanpak", world.users["scp"])
    db.session.commit()
    v1 = latest_definition("aanpak")
    assert v1 is not None
    started = time.monotonic()

    login(page, "procesbeheerder")
    page.goto("/studio/")
    page.click("text=Nieuw concept van Generieke aanpak")
    assert_accessible(page)

    # A form with one required text field.
    page.goto("/studio/aanpak/formulieren")
    page.fill("#nieuw-bestand", "aanpak-evaluatie")
    page.fill("#nieuw-titel", "Evaluatie")
    page.click("text=Nieuw formulier >> nth=-1")
    page.wait_for_selector("h1:has-text('Formulier aanpak-evaluatie.json')")
    page.click("button:has-text('Veld toevoegen')")
    page.fill("#f0-naam", "evaluatie")
    page.fill("#f0-titel", "Hoe is de aanpak verlopen?")
    page.check("input[name='v0-verplicht']")
    page.select_option("#f0-soort", "string:textarea")
    page.wait_for_selector("#f-voorbeeld label[for='evaluatie'] abbr.req")
    page.click("button:has-text('Opslaan')")
    page.wait_for_selector("text=is opgeslagen in uw concept")

    # The task, its form and its status, through the properties panel.
    page.goto("/studio/aanpak/modeler")
    page.wait_for_selector("text=Klaar om te bewerken.")
    assert page.evaluate(INSERT, "f_naar_afgerond") == "evalueren"
    page.wait_for_function("() => document.querySelector('#bio-properties-panel-id')?.value === 'evalueren'")
    if not page.locator("#bio-properties-panel-kansrijk-status").is_visible():
        page.click("[data-group-id='group-kansrijk'] .bio-properties-panel-group-header")
    page.select_option("#bio-properties-panel-kansrijk-formulier", "aanpak-evaluatie.json")
    page.select_option("#bio-properties-panel-kansrijk-status", "Afgerond")
    page.click("#modeler-opslaan")
    page.wait_for_selector("text=Concept opgeslagen")
    page.wait_for_selector("#modeler-problemen li.geen", timeout=5000)  # the check finds nothing

    # The scenarios: insert the new step where they pass, then run them all green.
    page.goto("/studio/aanpak/scenarios")
    voorstel = page.locator("form:has(input[name=taak][value=evalueren])")
    voorstel.locator("input[name^='waarde-n-']").first.fill("Volgens plan verlopen.")
    voorstel.locator("select[name='status-n']").select_option("Afgerond")
    voorstel.locator("button[type=submit]").click()
    page.wait_for_selector("text=Alle scenario's draaien")
    page.click("text=Alle scenario's draaien")
    page.wait_for_selector("#samenvatting", timeout=20000)
    samenvatting = page.inner_text("#samenvatting")
    aantal = samenvatting.split(" van de ")[1].split(" ")[0]
    assert samenvatting == f"{aantal} van de {aantal} scenario's geslaagd", samenvatting
    assert page.locator("#scenario-1 .stap:has-text('evalueren') .status-klaar").count() == 1

    # The diff, and publishing it through the gate with a note.
    page.goto("/studio/aanpak/verschil")
    page.wait_for_selector("text=evalueren")
    assert_accessible(page)
    page.fill("#notitie", "Evaluatie na afronding")
    page.click("#publiceren-kop ~ form button.primary, button:has-text('Publiceren')")
    page.wait_for_selector("h2:has-text('Gepubliceerd als v2')")

    # One click to the migration preview; move the running case.
    page.click("#naar-migratie")
    page.check("input[name=alle]")
    page.click("main form[method=post] button.primary")
    page.wait_for_selector("text=1 van 1 zaak verplaatst")
    elapsed = time.monotonic() - started
    print(f"\n  studio journey (scripted): {elapsed:.1f} s")

    db.session.expire_all()
    v2 = latest_definition("aanpak")
    assert v2 is not None and v2.versie == "v2" and v2.notitie == "Evaluatie na afronding"
    assert db.session.get(ProcessInstance, running.id).definition_id == v2.id
    # A new case reaches the new task after the path the scenarios take.
    fresh = start_process(new_hulpvraag(world, roepnaam="Nieuw"), "aanpak", world.users["scp"])
    db.session.commit()
    for stap, invoer in STAPPEN.items():
        task = db.session.scalars(sa.select(HumanTask).filter_by(instance_id=fresh.id, bpmn_id=stap, completed_at=None)).one()
        complete_task(task.id, world.users["scp"], invoer)
        db.session.commit()
    assert _open(fresh) == ["evalueren"]
