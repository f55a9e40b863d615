"""Files chosen on the new-hulpvraag form survive every warning: kept, shown as "al gekozen", attached
on the final submit (also through "Gebruik dit dossier"), only for this user and session, cleaned up later."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from models import Bijlage, Dossier, GekozenBestand, Hulpvraag, db, utcnow
from tests.conftest import PASSWORD, csrf_token
from tests.test_dossiers import PDF
from workflow import gekozen_bestanden
from workflow.opslag import opslag

NIEUW = {
    "niveau": "leerling", "roepnaam": "Jan", "achternaam": "van Boven", "geboortedatum": "2016-03-14",
    "geslacht": "m", "titel": "KANS", "omschrijving": "Leerling loopt vast in de groep.",
    "contactpersoon_naam": "Ilse Bakker", "contactpersoon_email": "ilse@school.example",
}  # fmt: skip
GEKOZEN = re.compile(r'name="gekozen" value="(\d+)" checked')


def _post(client, data: dict, files=None, token: str | None = None):  # type: ignore[no-untyped-def]
    token = token or csrf_token(client.get("/hulpvragen/nieuw?stap=nieuw").text)
    body = {**data, "csrf_token": token}
    if files:
        body["bijlagen"] = [(io.BytesIO(inhoud), naam) for naam, inhoud in files]
    return client.post("/hulpvragen/nieuw", data=body, content_type="multipart/form-data")


def _count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_files_survive_a_warning_and_are_attached_on_the_final_submit(client, world, auth):
    auth.login("aanvrager")
    data = {**NIEUW, "school_id": str(world.scholen[0].id), "omschrijving": "Jan loopt vast in de groep."}
    first = _post(client, {**data, "bijlagen_soort": "OPP"}, [("scan20230106.pdf", PDF)])
    assert first.status_code == 422 and "lijkt de naam van de leerling te bevatten" in first.text
    assert "al gekozen: scan20230106.pdf (OPP" in first.text
    ids = GEKOZEN.findall(first.text)
    assert len(ids) == 1 and _count(Hulpvraag) == 0 and _count(Bijlage) == 0

    second = client.post("/hulpvragen/nieuw", data={**data, "naam_gecontroleerd": "1", "gekozen": ids,
                                                    "csrf_token": csrf_token(first.text)})  # fmt: skip
    assert second.status_code == 302
    bijlage = db.session.scalars(sa.select(Bijlage)).one()
    assert (bijlage.naam, bijlage.soort) == ("scan20230106.pdf", "OPP")
    assert bijlage.hulpvraag_id == db.session.scalars(sa.select(Hulpvraag)).one().id
    assert _count(GekozenBestand) == 0
    with opslag().open(bijlage.opslag_sleutel) as stream:
        assert stream.read() == PDF  # the very file chosen on the first round


def test_gebruik_dit_dossier_keeps_the_files_too(client, world, auth):
    jan = Dossier(swv_id=world.swv.id, school_id=world.scholen[0].id, roepnaam="Jan", tussenvoegsel="van",
                  achternaam="Boven", geboortedatum=date(2016, 3, 14), geslacht="m")  # fmt: skip
    db.session.add(jan)
    db.session.commit()
    auth.login("aanvrager")
    data = {**NIEUW, "school_id": str(world.scholen[0].id)}
    twin = _post(client, {**data, "bijlagen_soort": "OPP"}, [("OPP.pdf", PDF)])
    assert twin.status_code == 409 and "Mogelijk bestaat dit dossier al" in twin.text
    assert "al gekozen: OPP.pdf (OPP" in twin.text
    used = client.post("/hulpvragen/nieuw", data={**data, "dossier_id": str(jan.id), "gekozen": GEKOZEN.findall(twin.text),
                                                  "csrf_token": csrf_token(twin.text)})  # fmt: skip
    assert used.status_code == 302
    hulpvraag = db.session.scalars(sa.select(Hulpvraag)).one()
    assert hulpvraag.dossier_id == jan.id
    assert [(b.naam, b.soort) for b in db.session.scalars(sa.select(Bijlage))] == [("OPP.pdf", "OPP")]


def test_a_refused_file_is_named_and_the_others_are_kept(client, world, auth):
    auth.login("aanvrager")
    data = {**NIEUW, "school_id": str(world.scholen[0].id), "bijlagen_soort": "onderzoeksverslag"}
    response = _post(client, data, [("verslag.pdf", PDF), ("virus.pdf", b"MZ\x90\x00 not a pdf")])
    assert response.status_code == 422
    assert "De hulpvraag is nog niet aangemaakt. De andere gekozen bestanden zijn bewaard." in response.text
    assert "al gekozen: verslag.pdf (onderzoeksverslag" in response.text and "virus.pdf (" not in response.text
    assert _count(Hulpvraag) == 0 and _count(GekozenBestand) == 1

    no_soort = _post(client, {**NIEUW, "school_id": str(world.scholen[0].id)}, [("plan.pdf", PDF)])
    assert no_soort.status_code == 422 and "kies het bestand opnieuw" in no_soort.text  # said plainly
    assert _count(GekozenBestand) == 1


def test_unticked_files_are_left_out(client, world, auth):
    auth.login("aanvrager")
    data = {**NIEUW, "school_id": str(world.scholen[0].id), "bijlagen_soort": "verslag", "omschrijving": "Jan."}
    first = _post(client, data, [("a.pdf", PDF)])
    assert first.status_code == 422 and len(GEKOZEN.findall(first.text)) == 1
    done = client.post("/hulpvragen/nieuw", data={**data, "omschrijving": "Loopt vast in de groep.",
                                                  "csrf_token": csrf_token(first.text)})  # fmt: skip
    assert done.status_code == 302 and _count(Bijlage) == 0  # the box was unticked: nothing attached


def test_another_user_or_session_cannot_use_a_kept_file(app, client, world, auth):
    auth.login("aanvrager")
    data = {**NIEUW, "school_id": str(world.scholen[0].id), "bijlagen_soort": "OPP", "omschrijving": "Jan."}
    ids = GEKOZEN.findall(_post(client, data, [("OPP.pdf", PDF)]).text)
    auth.logout()
    auth.login("aanvrager", PASSWORD)  # the same user, a new login session
    page = client.get("/hulpvragen/nieuw?stap=nieuw").text
    response = client.post("/hulpvragen/nieuw", data={**data, "omschrijving": "Loopt vast in de groep.",
                                                      "gekozen": ids, "csrf_token": csrf_token(page)})  # fmt: skip
    assert response.status_code == 302 and _count(Bijlage) == 0


def test_old_kept_files_are_cleaned_up_with_their_file(app, world):
    rij = gekozen_bestanden.bewaar(io.BytesIO(PDF), "oud.pdf", "OPP", world.users["aanvrager"], "sessie")
    db.session.commit()
    sleutel = rij.opslag_sleutel
    rij.created_at = utcnow() - gekozen_bestanden.BEWAAR_TIJD - timedelta(minutes=1)
    db.session.commit()
    assert gekozen_bestanden.ruim_op() == 1
    db.session.commit()
    assert _count(GekozenBestand) == 0
    with pytest.raises(FileNotFoundError):
        opslag().open(sleutel)


def test_the_hourly_job_removes_kept_files_nobody_submitted(app, world) -> None:  # type: ignore[no-untyped-def]
    """The beat schedule runs the clean-up even when nobody keeps a new file."""
    import io
    from datetime import timedelta

    import sqlalchemy as sa

    from models import GekozenBestand, db
    from tests.test_bijlagen import pdf
    from workflow import gekozen_bestanden
    from workflow.jobs import ruim_gekozen_bestanden_op

    schedule = app.extensions["celery"].conf.beat_schedule
    assert any(e["task"] == "workflow.jobs.ruim_gekozen_bestanden_op" for e in schedule.values())
    rij = gekozen_bestanden.bewaar(io.BytesIO(pdf()), "OPP.pdf", "OPP", world.users["aanvrager"], "sessie-1")
    db.session.commit()
    rij.created_at = rij.created_at - timedelta(hours=25)
    db.session.commit()
    assert ruim_gekozen_bestanden_op() == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GekozenBestand)) == 0
