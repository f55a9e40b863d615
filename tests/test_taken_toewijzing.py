"""Tasks nobody can do (issue 14 item 3): the person who created one is told, the beheerder is
mailed once and sees it on /beheer/taken with the overdue tasks, and reassigns any open task."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import AuditEntry, Dossier, HumanTask, OutgoingMail, User, db, utcnow
from tests.browser import assert_accessible, live_server, login, page  # noqa: F401 - fixtures
from tests.conftest import new_hulpvraag, submit_form
from workflow.engine.runtime import complete_task

MELDING = "Er is nog niemand met de functie leescoördinator; de beheerder is gewaarschuwd."


def _open(hulpvraag_id: int, bpmn_id: str) -> HumanTask:
    query = sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag_id, bpmn_id=bpmn_id, completed_at=None)
    return db.session.scalars(query).one()


def _mails(soort: str) -> list[OutgoingMail]:
    return list(db.session.scalars(sa.select(OutgoingMail).filter_by(soort=soort).order_by(OutgoingMail.id)))


def _doorgezet_naar_leescoordinator(client, world, auth):  # type: ignore[no-untyped-def]
    """A KANS hulpvraag the SCP passes on to the leescoördinator through the task page."""
    world.users["leescoordinator"].actief = False  # the demo's only leescoördinator has left
    db.session.commit()
    hulpvraag = new_hulpvraag(world, roepnaam="Mirthe")
    complete_task(_open(hulpvraag.id, "indienen").id, world.users["aanvrager"], {"ouders_geinformeerd": "ja"})
    db.session.commit()
    auth.login("scp")
    task = _open(hulpvraag.id, "beoordelen")
    data = {"besluit": "doorzetten", "functie": "leescoördinator", "reden": "Leesproblemen."}
    response = submit_form(client, f"/taken/{task.id}", data, follow_redirects=True)
    assert response.status_code == 200
    return hulpvraag, response


def test_doorzetten_to_a_functie_nobody_has_tells_the_scp_and_mails_the_beheerder(client, world, auth):
    hulpvraag, response = _doorgezet_naar_leescoordinator(client, world, auth)
    assert MELDING in response.text  # on the very next page
    assert MELDING not in client.get("/taken").text  # once
    task = _open(hulpvraag.id, "beoordelen_functie")
    assert task.functie == "leescoördinator"

    mails = _mails("taak_zonder_eigenaar")
    assert [m.to for m in mails] == [world.users["beheerder"].email]
    body = mails[0].body
    assert hulpvraag.aanvraagnummer in body and task.titel in body and "leescoördinator" in body
    assert f"/beheer/taken/{task.id}" in body
    dossier = db.session.get(Dossier, hulpvraag.dossier_id)
    assert dossier.roepnaam not in body and dossier.achternaam not in body and dossier.roepnaam not in mails[0].html

    # The beheerder sees it on /beheer/taken, with who is missing.
    auth.logout()
    auth.login("beheerder")
    lijst = client.get("/beheer/taken").text
    assert f'id="zonder-eigenaar-{task.id}"' in lijst and "niemand met de functie leescoördinator" in lijst
    assert hulpvraag.aanvraagnummer in lijst


def test_nobody_is_warned_when_someone_can_do_the_task(client, world, auth):
    hulpvraag = new_hulpvraag(world, roepnaam="Tim")
    complete_task(_open(hulpvraag.id, "indienen").id, world.users["aanvrager"], {"ouders_geinformeerd": "ja"})
    db.session.commit()
    auth.login("scp")
    data = {"besluit": "doorzetten", "functie": "leescoördinator", "reden": "Leesproblemen."}
    response = submit_form(client, f"/taken/{_open(hulpvraag.id, 'beoordelen').id}", data, follow_redirects=True)
    assert "de beheerder is gewaarschuwd" not in response.text
    assert _mails("taak_zonder_eigenaar") == []


def test_an_overdue_task_is_listed(client, world, auth):
    hulpvraag = new_hulpvraag(world, roepnaam="Bo")
    task = _open(hulpvraag.id, "indienen")
    task.due_at = utcnow() - timedelta(days=3)
    db.session.commit()
    auth.login("beheerder")
    lijst = client.get("/beheer/taken").text
    assert f'id="te-laat-{task.id}"' in lijst and "(verlopen)" in lijst
    assert f'id="zonder-eigenaar-{task.id}"' not in lijst  # the aanvrager can do it


def test_the_beheerder_reassigns_the_stranded_task_and_the_new_person_completes_it(client, world, auth):
    hulpvraag, _page = _doorgezet_naar_leescoordinator(client, world, auth)
    task = _open(hulpvraag.id, "beoordelen_functie")
    auth.logout()
    # Someone who may not do it is refused in Dutch; nothing changes.
    auth.login("beheerder")
    url = f"/beheer/taken/{task.id}"
    response = client.get(url)
    assert "Er is nog niemand die deze taak mag doen." in response.text
    psycholoog = world.users["psycholoog"]
    refused = submit_form(client, url, {"user_id": str(psycholoog.id)})
    assert refused.status_code == 422
    assert "Paul de Boer mag deze taak niet doen: de taak vraagt de functie leescoördinator." in refused.text
    leeg = submit_form(client, url, {"user_id": ""})
    assert leeg.status_code == 422 and "Kies de persoon aan wie u de taak toewijst." in leeg.text
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).assigned_user_id is None

    # A new leescoördinator (here: the psycholoog gets the functie too) can be chosen.
    from workflow.functies import functie_met_naam

    psycholoog = db.session.get(User, psycholoog.id)
    psycholoog.functies = [*psycholoog.functies, functie_met_naam("leescoördinator")]
    db.session.commit()
    response = client.get(url)
    assert f'<option value="{psycholoog.id}"' in response.text
    assert f'<option value="{world.users["orthopedagoog"].id}"' not in response.text
    done = submit_form(client, url, {"user_id": str(psycholoog.id)})
    assert done.status_code == 302
    db.session.expire_all()
    task = db.session.get(HumanTask, task.id)
    assert task.assigned_user_id == psycholoog.id and task.claimed_by_id is None
    entry = db.session.scalars(
        sa.select(AuditEntry).filter_by(object_type="taak", object_id=task.id, actie="wijzigen")
    ).one()
    assert entry.user_id == world.users["beheerder"].id and "toegewezen aan Paul de Boer" in entry.detail
    mails = [m for m in _mails("taak_toegewezen") if m.to == psycholoog.email]
    assert len(mails) == 1 and f"/taken/{task.id}" in mails[0].body and "Bert Hendriks" in mails[0].body
    assert f'id="zonder-eigenaar-{task.id}"' not in client.get("/beheer/taken").text
    auth.logout()

    auth.login("psycholoog")
    assert "Doorgezette aanmelding beoordelen" in client.get("/taken").text
    afgerond = submit_form(client, f"/taken/{task.id}", {"besluit": "afgewezen", "reden": "Geen leesprobleem."})
    assert afgerond.status_code == 302
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).completed_by_id == psycholoog.id


def test_reassigning_a_task_someone_claimed_clears_the_claim(client, world, auth):
    hulpvraag = new_hulpvraag(world, roepnaam="Sem")
    complete_task(_open(hulpvraag.id, "indienen").id, world.users["aanvrager"], {"ouders_geinformeerd": "ja"})
    task = _open(hulpvraag.id, "beoordelen")
    task.claimed_by_id = world.users["scp"].id
    db.session.commit()
    auth.login("beheerder")
    url = f"/beheer/taken/{task.id}"
    assert submit_form(client, url, {"user_id": str(world.users["scp2"].id)}).status_code == 422  # not their school
    assert submit_form(client, url, {"user_id": str(world.users["scp"].id)}).status_code == 302
    db.session.expire_all()
    task = db.session.get(HumanTask, task.id)
    assert task.assigned_user_id == world.users["scp"].id and task.claimed_by_id is None


# --- in Chromium ----------------------------------------------------------------------------
@pytest.mark.browser
def test_beheer_functies_and_taken_in_the_browser(page, world):  # type: ignore[no-untyped-def]  # noqa: F811
    world.users["leescoordinator"].actief = False
    db.session.commit()
    hulpvraag = new_hulpvraag(world, roepnaam="Lot")
    complete_task(_open(hulpvraag.id, "indienen").id, world.users["aanvrager"], {"ouders_geinformeerd": "ja"})
    complete_task(_open(hulpvraag.id, "beoordelen").id, world.users["scp"],
                  {"besluit": "doorzetten", "functie": "leescoördinator", "reden": "Lezen."})  # fmt: skip
    db.session.commit()
    task = _open(hulpvraag.id, "beoordelen_functie")

    login(page, "beheerder")
    page.goto("/beheer")
    page.click("main a:text-is('Functies')")
    page.wait_for_selector("h1:has-text('Functies')")
    assert_accessible(page)
    page.fill("#naam", "dyslexiespecialist")
    page.click("text=Toevoegen")
    page.wait_for_selector("text=De functie ‘dyslexiespecialist’ is toegevoegd")
    page.fill("#naam", "x")
    page.click("text=Toevoegen")
    page.wait_for_selector("#fout-naam")
    assert_accessible(page)  # the page with its error
    page.click("#functies >> text=financiën")
    page.wait_for_selector("#in-gebruik")
    assert_accessible(page)

    page.goto("/beheer")
    page.click("main a:text-is('Taken zonder eigenaar')")
    page.wait_for_selector(f"#zonder-eigenaar-{task.id}")
    assert_accessible(page)
    page.click(f"#zonder-eigenaar-{task.id} >> text=Toewijzen")
    page.wait_for_selector("#niemand")
    assert_accessible(page)

    from workflow.functies import functie_met_naam

    olga = db.session.get(User, world.users["orthopedagoog"].id)
    olga.functies = [*olga.functies, functie_met_naam("leescoördinator")]
    db.session.commit()
    page.reload()
    page.select_option("#user_id", str(olga.id))
    page.click("main button.primary")
    page.wait_for_selector("text=is toegewezen aan Olga Visser")
    assert page.locator(f"#zonder-eigenaar-{task.id}").count() == 0
    page.fill("#aanvraagnummer", hulpvraag.aanvraagnummer)
    page.click("text=Zoeken")
    page.wait_for_selector(f"#gevonden-{task.id}")
    assert_accessible(page)
