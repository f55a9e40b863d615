"""The intake journey through the real pages: aanvrager → SCP → aanvrager → SCP."""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa

from models import Hulpvraag, HumanTask, ProcessInstance, db
from tests.conftest import csrf_token, submit_form
from workflow.engine.run import Run

NIEUW = {
    "roepnaam": "Jan", "tussenvoegsel": "van", "achternaam": "Boven", "geboortedatum": "2016-03-14",
    "geslacht": "m", "titel": "TLV -Nieuw", "omschrijving": "Leerling loopt vast in de groep.",
    "contactpersoon_naam": "Ilse Bakker", "contactpersoon_email": "ilse@school.example",
}  # fmt: skip


def _new_hulpvraag(client, world, **extra) -> Hulpvraag:
    data = {**NIEUW, "school_id": str(world.scholen[0].id), **extra}
    response = submit_form(client, "/hulpvragen/nieuw", data, follow_redirects=True)
    assert response.status_code == 200, response.text
    return db.session.scalars(sa.select(Hulpvraag).order_by(Hulpvraag.id.desc())).first()


def _open_task(hulpvraag: Hulpvraag, bpmn_id: str) -> HumanTask:
    return db.session.scalars(
        sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, bpmn_id=bpmn_id, completed_at=None)
    ).one()


def _complete(client, task: HumanTask, data: dict[str, str], **kw):
    return submit_form(client, f"/taken/{task.id}", data, **kw)


def test_login_refuses_wrong_password_in_dutch(client, world, auth):
    response = auth.login("aanvrager", "fout-wachtwoord")
    assert response.status_code == 401
    assert "Onjuiste gebruikersnaam of wachtwoord." in response.text
    assert client.get("/taken").status_code == 302  # still anonymous


def test_full_intake_with_incomplete_loop(client, world, auth):
    auth.login("aanvrager")
    hulpvraag = _new_hulpvraag(client, world)
    assert hulpvraag.status == "Voorlopige aanmelding"
    page = client.get(f"/hulpvragen/{hulpvraag.id}").text
    assert "Hulpvraag indienen" in page and "Voorlopige aanmelding" in page

    indienen = client.get(f"/taken/{_open_task(hulpvraag, 'indienen').id}").text
    assert 'name="ouders_geinformeerd" value="ja"' in indienen and 'value="nee"' in indienen  # Ja/Nee drawn
    response = _complete(
        client, _open_task(hulpvraag, "indienen"), {"ouders_geinformeerd": "ja"}, follow_redirects=True
    )
    assert response.status_code == 200
    db.session.refresh(hulpvraag)
    assert hulpvraag.status == "Aanmelding"
    auth.logout()

    auth.login("scp")
    inbox = client.get("/taken").text
    assert "Aanmelding beoordelen" in inbox and hulpvraag.aanvraagnummer in inbox
    beoordelen = _open_task(hulpvraag, "beoordelen")
    refused = _complete(client, beoordelen, {"besluit": "dossier_incompleet", "reden": "Nog niet compleet"})
    assert refused.status_code == 422
    assert "Dit veld is verplicht." in refused.text and "Het formulier is niet opgeslagen" in refused.text
    db.session.refresh(hulpvraag)
    assert hulpvraag.status == "Aanmelding"  # nothing saved

    ok = _complete(client, beoordelen, {"besluit": "dossier_incompleet", "ontbreekt": "OPP", "reden": "OPP mist"})
    assert ok.status_code == 302
    db.session.refresh(hulpvraag)
    assert hulpvraag.status == "Dossier incompleet"
    auth.logout()

    auth.login("aanvrager")
    assert "Dossier aanvullen" in client.get("/taken").text
    aanvullen = _open_task(hulpvraag, "aanvullen")
    assert "wat ontbreekt (OPP)" in client.get(f"/taken/{aanvullen.id}").text  # instructions name what is missing
    _complete(client, aanvullen, {"aangevuld": "OPP toegevoegd als bijlage"})
    db.session.refresh(hulpvraag)
    assert hulpvraag.status == "Aanmelding"
    auth.logout()

    auth.login("scp")
    _complete(client, _open_task(hulpvraag, "beoordelen"), {"besluit": "dossier_compleet", "reden": "Alles aanwezig"})
    db.session.refresh(hulpvraag)
    assert hulpvraag.status == "Dossier compleet"
    page = client.get(f"/hulpvragen/{hulpvraag.id}").text
    history = [s.naar for s in hulpvraag.statuswijzigingen]
    assert history == ["Voorlopige aanmelding", "Aanmelding", "Dossier incompleet", "Aanmelding", "Dossier compleet"]
    for reden in ("Ingediend door de school", "OPP mist Ontbreekt: OPP", "Alles aanwezig"):
        assert reden in page
    assert "Sanne Jansen" in page and "Ilse Bakker (IB)" in page  # who did what
    assert 'id="aanpakken"' in page and "TLV" in page and 'data-actief="' in page  # the TLV aanpak started


def test_doorzetten_reaches_only_that_functie(client, world, auth, app):
    auth.login("aanvrager")
    hulpvraag = _new_hulpvraag(client, world)
    _complete(client, _open_task(hulpvraag, "indienen"), {"ouders_geinformeerd": "nee"})
    auth.logout()
    auth.login("scp")
    _complete(client, _open_task(hulpvraag, "beoordelen"),
              {"besluit": "doorzetten", "functie": "orthopedagoog", "reden": "Graag advies"})  # fmt: skip
    db.session.refresh(hulpvraag)
    assert hulpvraag.status == "Doorzetten orthopedagoog"
    auth.logout()

    auth.login("psycholoog")
    assert "Doorgezette aanmelding beoordelen" not in client.get("/taken").text
    assert client.get(f"/hulpvragen/{hulpvraag.id}").status_code == 404
    auth.logout()
    auth.login("orthopedagoog")
    assert "Doorgezette aanmelding beoordelen" in client.get("/taken").text
    _complete(client, _open_task(hulpvraag, "beoordelen_functie"), {"besluit": "afgewezen", "reden": "Geen TLV nodig"})
    db.session.refresh(hulpvraag)
    assert hulpvraag.status == "Afgewezen"


def test_second_completion_gets_409_in_dutch(client, world, auth):
    auth.login("aanvrager")
    hulpvraag = _new_hulpvraag(client, world)
    task = _open_task(hulpvraag, "indienen")
    page = client.get(f"/taken/{task.id}")
    token = csrf_token(page.text)
    first = client.post(f"/taken/{task.id}", data={"ouders_geinformeerd": "ja", "csrf_token": token})
    second = client.post(f"/taken/{task.id}", data={"ouders_geinformeerd": "ja", "csrf_token": token})
    assert first.status_code == 302
    assert second.status_code == 409
    assert "Deze taak is al afgehandeld." in second.text
    assert [s.naar for s in hulpvraag.statuswijzigingen].count("Aanmelding") == 1


def test_extra_fields_are_not_stored(client, world, auth):
    auth.login("aanvrager")
    hulpvraag = _new_hulpvraag(client, world, status="Dossier compleet", coordinator_id="999")
    assert hulpvraag.status == "Voorlopige aanmelding" and hulpvraag.coordinator_id == world.users["scp"].id
    task = _open_task(hulpvraag, "indienen")
    _complete(
        client, task, {"ouders_geinformeerd": "ja", "status": "Afgerond", "__builtins__": "x", "hulpvraag_id": "1"}
    )
    instance = db.session.scalars(sa.select(ProcessInstance).filter_by(hulpvraag_id=hulpvraag.id)).one()
    run = Run.load(instance.state, instance.definition.spec, instance.serializer_version)
    data = run.wf.get_task_from_id(uuid.UUID(task.task_id)).data
    assert "status" not in data and "__builtins__" not in data
    assert data["ouders_geinformeerd"] is True and data["toelichting"] is None
    assert data["hulpvraag_id"] == hulpvraag.id  # the posted "1" did not overwrite it
    db.session.refresh(hulpvraag)
    assert hulpvraag.status == "Aanmelding"


def test_voorlopige_aanmelding_is_invisible_to_swv_staff(client, world, auth):
    auth.login("aanvrager")
    hulpvraag = _new_hulpvraag(client, world)
    auth.logout()
    for username in ("scp", "orthopedagoog", "aanvrager2"):
        auth.login(username)
        assert client.get(f"/hulpvragen/{hulpvraag.id}").status_code == 404
        assert client.get("/hulpvragen/999999").status_code == 404  # same answer as nonexistent
        assert hulpvraag.aanvraagnummer not in client.get("/hulpvragen?q=Boven").text
        assert client.get(f"/taken/{_open_task(hulpvraag, 'indienen').id}").status_code == 404
        auth.logout()
    auth.login("beheerder")
    assert client.get(f"/hulpvragen/{hulpvraag.id}").status_code == 200


def test_other_school_cannot_complete_task(client, world, auth):
    auth.login("aanvrager")
    hulpvraag = _new_hulpvraag(client, world)
    task = _open_task(hulpvraag, "indienen")
    auth.logout()
    auth.login("aanvrager2")
    token = csrf_token(client.get("/taken").text)
    response = client.post(f"/taken/{task.id}", data={"ouders_geinformeerd": "ja", "csrf_token": token})
    assert response.status_code == 404
    db.session.refresh(hulpvraag)
    assert hulpvraag.status == "Voorlopige aanmelding"


def test_new_hulpvraag_form_errors_are_dutch_and_save_nothing(client, world, auth):
    auth.login("aanvrager")
    before = db.session.scalar(sa.select(sa.func.count(Hulpvraag.id)))
    data = {**NIEUW, "school_id": str(world.scholen[2].id), "geboortedatum": "2999-01-01", "titel": "Iets anders",
            "contactpersoon_email": "geen-mail"}  # fmt: skip
    response = submit_form(client, "/hulpvragen/nieuw", data)
    assert response.status_code == 422
    for message in (
        "De geboortedatum ligt in de toekomst.",
        "Kies een titel uit de lijst.",
        "Vul een geldig e-mailadres in.",
    ):
        assert message in response.text
    assert db.session.scalar(sa.select(sa.func.count(Hulpvraag.id))) == before
    other_school = submit_form(client, "/hulpvragen/nieuw", {**NIEUW, "school_id": str(world.scholen[2].id)})
    assert other_school.status_code == 422 and "Kies een van uw eigen scholen." in other_school.text


def test_list_searches_and_filters_several_statuses(client, world, auth):
    from web.seed import create_demo_hulpvragen

    create_demo_hulpvragen(world)
    db.session.commit()
    auth.login("scp")
    page = client.get("/hulpvragen").text
    assert "Fortes Monteiro" in page and "van Boven" not in page  # voorlopig stays hidden
    partial = client.get("/hulpvragen?q=fontein", headers={"HX-Request": "true"}).text
    assert "<html" not in partial and "Fortes Monteiro" in partial and "El-Makrini" not in partial
    both = client.get("/hulpvragen?status=Aanmelding&status=Dossier+incompleet").text
    assert "El-Makrini" in both and "Fortes Monteiro" in both and "de Jong" not in both
    nummer = world.hulpvragen[3].aanvraagnummer
    assert re.search(r"1 hulpvraag gevonden", client.get(f"/hulpvragen?q={nummer}").text)


def test_task_page_shows_who_can_do_it_and_claiming(client, world, auth):
    auth.login("aanvrager")
    hulpvraag = _new_hulpvraag(client, world)
    _complete(client, _open_task(hulpvraag, "indienen"), {"ouders_geinformeerd": "ja"})
    page = client.get(f"/hulpvragen/{hulpvraag.id}").text
    assert "Aanmelding beoordelen" in page and "Sanne Jansen" in page
    assert "Hulpvraag intake v1" in page and not re.search(r"[0-9a-f]{10}", page)  # a number, never a hash
    auth.logout()
    auth.login("scp")
    task = _open_task(hulpvraag, "beoordelen")
    submit_form(client, f"/taken/{task.id}", {}, action=f"/taken/{task.id}/claim")
    db.session.refresh(task)
    assert task.claimed_by_id == world.users["scp"].id
    assert "Door mij geclaimd" in client.get("/taken?filter=geclaimd").text
    assert "Aanmelding beoordelen" in client.get("/taken?filter=geclaimd").text
