"""Leerling zoeken (/dossiers) and the first step of a new hulpvraag; the duplicate check on the normalised name."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from models import Dossier, Hulpvraag, db
from tests.conftest import csrf_token, submit_form
from workflow.dossiers import als_datum, mogelijke_dubbelen
from workflow.hulpvragen import create_hulpvraag

NIEUW = {
    "roepnaam": "Jan", "achternaam": "van Boven", "geboortedatum": "2016-03-14", "geslacht": "m",
    "titel": "KANS", "omschrijving": "Leerling loopt vast in de groep.",
    "contactpersoon_naam": "Ilse Bakker", "contactpersoon_email": "ilse@school.example",
}  # fmt: skip


def _dossier(world, roepnaam, tussenvoegsel, achternaam, school=0, geboren=date(2016, 3, 14)) -> Dossier:
    dossier = Dossier(swv_id=world.swv.id, school_id=world.scholen[school].id, roepnaam=roepnaam,
                      tussenvoegsel=tussenvoegsel, achternaam=achternaam, geboortedatum=geboren, geslacht="m")  # fmt: skip
    db.session.add(dossier)
    db.session.commit()
    return dossier


def _zoek(client, q: str, url: str = "/dossiers") -> str:
    response = client.get(url, query_string={"q": q}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "q=" not in response.headers["HX-Replace-Url"]  # the typed text never lands in the address bar
    return response.text


@pytest.mark.parametrize("achternaam", ["van Boven", "Van  Boven", "VAN BOVEN", "Boven"])
def test_the_van_boven_twin_is_found_before_a_second_dossier_is_made(client, world, auth, achternaam):
    jan = _dossier(world, "Jan", "van", "Boven")
    auth.login("aanvrager")
    data = {**NIEUW, "achternaam": achternaam, "school_id": str(world.scholen[0].id)}
    if achternaam == "Boven":
        data["tussenvoegsel"] = "van"
    response = submit_form(client, "/hulpvragen/nieuw?stap=nieuw", data, action="/hulpvragen/nieuw")
    assert response.status_code == 409
    assert "Mogelijk bestaat dit dossier al" in response.text and f'name="dossier_id" value="{jan.id}"' in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dossier)) == 1

    used = client.post("/hulpvragen/nieuw", data={**data, "dossier_id": str(jan.id),
                                                  "csrf_token": csrf_token(response.text)})  # fmt: skip
    assert used.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dossier)) == 1
    assert db.session.scalars(sa.select(Hulpvraag)).one().dossier_id == jan.id


def test_an_old_dossier_with_the_particle_in_the_achternaam_is_found_too(world):
    oud = _dossier(world, "Jan", None, "van Boven")  # stored before names were normalised
    assert mogelijke_dubbelen(world.scholen[0].id, "jan", "Boven", date(2016, 3, 14), "Van") == [oud]
    assert mogelijke_dubbelen(world.scholen[0].id, "Jan", "Boven", date(2016, 3, 15), "van") == []
    assert mogelijke_dubbelen(world.scholen[0].id, "Jan", "Bovenkamp", date(2016, 3, 14), "van") == []


def test_school_staff_find_their_own_pupils_by_name_or_birth_date(client, world, auth):
    _dossier(world, "Jan", "van", "Boven")
    _dossier(world, "Sara", None, "Boven", school=2)  # aanvrager2's school
    _dossier(world, "Piet", None, "Klaassen", geboren=date(2015, 1, 2))
    auth.login("aanvrager")
    assert "Leerlingen" in client.get("/taken").text  # the main nav item
    text = _zoek(client, "van boven")
    assert "Jan van Boven" in text and "Sara" not in text  # another school's pupil stays hidden
    assert "Jan van Boven" in _zoek(client, "14-03-2016") and "Piet" not in _zoek(client, "14-03-2016")
    assert "Piet Klaassen" in _zoek(client, "2015-01-02")
    assert "Geen leerlingen gevonden" in _zoek(client, "Onbekend")
    assert "Typ minstens twee tekens" in _zoek(client, "j")
    page = client.get("/dossiers", query_string={"q": "klaas"})  # without JavaScript: the whole page
    assert page.status_code == 200 and "Piet Klaassen" in page.text


def test_swv_staff_see_only_pupils_with_a_hulpvraag_they_may_see(client, world, auth):
    _dossier(world, "Zoë", None, "Zonder")
    voorlopig = _dossier(world, "Vera", None, "Voorlopig")
    create_hulpvraag(voorlopig, world.users["aanvrager"], titel="KANS", omschrijving="Nog niet ingediend.")
    db.session.commit()
    auth.login("scp")
    assert "Geen leerlingen gevonden" in _zoek(client, "zonder")  # no hulpvraag at all
    assert "Geen leerlingen gevonden" in _zoek(client, "voorlopig")  # only a Voorlopige aanmelding
    auth.logout()
    auth.login("beheerder")
    assert "Zoë Zonder" in _zoek(client, "zonder") and "Vera Voorlopig" in _zoek(client, "voorlopig")
    auth.logout()
    auth.login("aanvrager2")  # school staff of another school: not even a Voorlopige aanmelding's name
    assert "Geen leerlingen gevonden" in _zoek(client, "voorlopig")


def test_nieuwe_hulpvraag_starts_with_the_search_and_offers_a_new_pupil_after_it(client, world, auth):
    jan = _dossier(world, "Jan", "van", "Boven")
    auth.login("aanvrager")
    start = client.get("/hulpvragen/nieuw").text
    assert 'id="q"' in start and 'id="roepnaam"' not in start and "Nieuwe leerling" not in start
    text = _zoek(client, "boven", "/hulpvragen/nieuw")
    assert f'href="/hulpvragen/nieuw?dossier={jan.id}"' in text and "Nieuwe leerling" in text
    picked = client.get(f"/hulpvragen/nieuw?dossier={jan.id}").text
    assert f'name="dossier_id" value="{jan.id}"' in picked and 'id="roepnaam"' not in picked
    form = client.get("/hulpvragen/nieuw?stap=nieuw").text
    assert 'id="roepnaam"' in form


def test_roles_without_pupils_cannot_search(client, world, auth):
    for username in ("procesbeheerder", "extern"):
        auth.login(username)
        assert client.get("/dossiers").status_code == 404
        assert "Leerlingen</a>" not in client.get("/taken").text
        auth.logout()


def test_typed_dates():
    assert als_datum("14-03-2016") == als_datum("14/3/2016") == als_datum("2016-03-14") == date(2016, 3, 14)
    assert als_datum("31-02-2016") is None and als_datum("boven") is None
