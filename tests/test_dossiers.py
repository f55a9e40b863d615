"""Dossiers: Dutch name rules, the duplicate check, school dossiers, adressen, schoolgegevens,
contactpersoon edits and the personeelswissel — with scope on every route."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import AuditEntry, Dossier, Hulpvraag, HumanTask, User, UserRol, db
from tests.conftest import PASSWORD, csrf_token, submit_form
from workflow.dossiers import Naam, normaliseer, split_naam
from workflow.engine.runtime import complete_task

NIEUW = {"niveau": "leerling", "roepnaam": "Jan", "achternaam": "van Boven", "geboortedatum": "2016-03-14",
         "geslacht": "m", "titel": "TLV -Nieuw", "omschrijving": "Loopt vast in de groep bij rekenen.",
         "contactpersoon_naam": "Ilse Bakker", "contactpersoon_email": "ilse@school.example"}  # fmt: skip


@pytest.mark.parametrize(
    ("volledig", "verwacht"),
    [("Jan van Boven", Naam("Jan", "van", "Boven")), ("Sara van der Berg", Naam("Sara", "van der", "Berg")),
     ("Fatima El-Makrini", Naam("Fatima", "", "El-Makrini")), ("Lucas Fortes Monteiro", Naam("Lucas", "", "Fortes Monteiro")),
     ("Ana da Silva", Naam("Ana", "", "da Silva")), ("Ad in 't Veld", Naam("Ad", "in 't", "Veld"))],
)  # fmt: skip
def test_dutch_name_rules(volledig, verwacht):
    assert split_naam(volledig) == verwacht


def test_particle_typed_in_achternaam_moves_to_tussenvoegsel():
    assert normaliseer("Jan", "", "Van Boven") == Naam("Jan", "van", "Boven")
    assert normaliseer("Karim", "", "El Amrani") == Naam("Karim", "", "El Amrani")


def _post_new(client, world, **extra):  # type: ignore[no-untyped-def]
    data = {**NIEUW, "school_id": str(world.scholen[0].id), **extra}
    return submit_form(client, "/hulpvragen/nieuw", data, action="/hulpvragen/nieuw")


def _count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_new_hulpvraag_normalises_the_name(client, world, auth):
    auth.login("aanvrager")
    assert _post_new(client, world).status_code == 302
    dossier = db.session.scalars(sa.select(Dossier)).one()
    assert (dossier.roepnaam, dossier.tussenvoegsel, dossier.achternaam) == ("Jan", "van", "Boven")


def test_a_likely_duplicate_is_shown_not_created_twice(client, world, auth):
    auth.login("aanvrager")
    _post_new(client, world)
    again = _post_new(client, world, roepnaam="jan", achternaam="Boven", tussenvoegsel="van")
    assert again.status_code == 409
    assert "Mogelijk bestaat dit dossier al" in again.text and "Gebruik dit dossier" in again.text
    assert _count(Dossier) == 1 and _count(Hulpvraag) == 1
    existing = db.session.scalars(sa.select(Dossier)).one()
    reuse = _post_new(client, world, dossier_id=str(existing.id))
    assert reuse.status_code == 302
    assert _count(Dossier) == 1 and _count(Hulpvraag) == 2
    forced = _post_new(client, world, bevestig_nieuw="1")
    assert forced.status_code == 302 and _count(Dossier) == 2


def test_pupil_name_in_omschrijving_is_warned_once(client, world, auth):
    auth.login("aanvrager")
    warned = _post_new(client, world, omschrijving="Jan heeft moeite met lezen en rekenen.")
    assert warned.status_code == 422 and "lijkt de naam van de leerling te bevatten" in warned.text
    assert _count(Hulpvraag) == 0
    assert 'name="naam_gecontroleerd" value="1"' in warned.text
    confirmed = _post_new(client, world, omschrijving="Jan heeft moeite met lezen en rekenen.", naam_gecontroleerd="1")
    assert confirmed.status_code == 302 and _count(Hulpvraag) == 1


def test_school_level_dossier_needs_no_pupil(client, world, auth):
    auth.login("aanvrager")
    response = _post_new(client, world, niveau="school", roepnaam="", achternaam="", geboortedatum="", geslacht="",
                         titel="Schoolbudget individueel/groep/wijk")  # fmt: skip
    assert response.status_code == 302
    dossier = db.session.scalars(sa.select(Dossier)).one()
    assert dossier.niveau == "school" and dossier.roepnaam is None


def test_coordinator_preselected_or_chosen(client, world, auth):
    auth.login("aanvrager")
    _post_new(client, world)
    _post_new(client, world, bevestig_nieuw="1", coordinator_id=str(world.users["scp2"].id))
    first, second = db.session.scalars(sa.select(Hulpvraag).order_by(Hulpvraag.id)).all()
    assert first.coordinator_id == world.users["scp"].id and second.coordinator_id == world.users["scp2"].id


def _dossier_with_hulpvraag(client, world, auth):  # type: ignore[no-untyped-def]
    auth.login("aanvrager")
    _post_new(client, world)
    return db.session.scalars(sa.select(Dossier)).one(), db.session.scalars(sa.select(Hulpvraag)).one()


def test_dossier_page_edits_addresses_and_school_history(client, world, auth):
    dossier, _ = _dossier_with_hulpvraag(client, world, auth)
    url = f"/dossiers/{dossier.id}"
    bad = submit_form(client, url, {"soort": "woonadres", "straat": "Dorpsstraat", "huisnummer": "1",
                                    "postcode": "12345", "plaats": "Rotterdam"}, action=f"{url}/adressen")  # fmt: skip
    assert bad.status_code == 422 and "Vul een postcode in als 1234 AB." in bad.text
    ok = submit_form(client, url, {"soort": "postadres", "straat": "Dorpsstraat", "huisnummer": "1", "postcode": "3011 ab",
                                   "plaats": "Rotterdam", "opmerkingen": "adres van de voogd"}, action=f"{url}/adressen")  # fmt: skip
    assert ok.status_code == 302
    page = client.get(url).text
    assert "Dorpsstraat 1, 3011AB Rotterdam" in page and "adres van de voogd" in page
    school = world.scholen[1]
    unknown = submit_form(client, url, {"school": "Bestaat niet", "groep": "5", "van": "2024-08-01"}, action=f"{url}/schoolgegevens")
    assert unknown.status_code == 422 and "Kies een school uit de lijst" in unknown.text
    by_brin = submit_form(client, url, {"school": school.brin6, "groep": "groep 5", "van": "2024-08-01", "tot": "2025-07-31"},
                          action=f"{url}/schoolgegevens")  # fmt: skip
    assert by_brin.status_code == 302 and school.naam in client.get(url).text
    reversed_dates = submit_form(client, url, {"school": school.naam, "groep": "6", "van": "2025-08-01", "tot": "2025-01-01"},
                                 action=f"{url}/schoolgegevens")  # fmt: skip
    assert reversed_dates.status_code == 422 and "einddatum ligt vóór de begindatum" in reversed_dates.text
    basis = submit_form(client, url, {"roepnaam": "Jan", "achternaam": "van Boven", "geboortedatum": "2016-03-14",
                                      "geslacht": "m", "ouder_emails": "ouder@example.nl, tweede@example.nl"})  # fmt: skip
    assert basis.status_code == 302
    db.session.refresh(dossier)
    assert dossier.ouder_emails == ["ouder@example.nl", "tweede@example.nl"]
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.actie == "wijzigen", AuditEntry.dossier_id == dossier.id)) >= 3


def test_dossier_scope(client, world, auth):
    dossier, hulpvraag = _dossier_with_hulpvraag(client, world, auth)
    auth.logout()
    for username in ("aanvrager2", "scp", "scp2"):
        auth.login(username)
        assert client.get(f"/dossiers/{dossier.id}").status_code == 404  # voorlopig: invisible to SWV staff
        auth.logout()
    complete_task(db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id)).one().id,
                  world.users["aanvrager"], {"ouders_geinformeerd": "ja"})  # fmt: skip
    db.session.commit()
    auth.login("scp")
    assert client.get(f"/dossiers/{dossier.id}").status_code == 200
    token = csrf_token(client.get(f"/dossiers/{dossier.id}").text)
    edit = client.post(f"/dossiers/{dossier.id}/adressen", data={"csrf_token": token, "soort": "woonadres"})
    assert edit.status_code == 403  # the SCP reads, the school edits
    auth.logout()
    auth.login("aanvrager2")
    assert client.get(f"/dossiers/{dossier.id}").status_code == 404


def test_contactpersoon_can_be_edited_later(client, world, auth):
    _, hulpvraag = _dossier_with_hulpvraag(client, world, auth)
    url = f"/hulpvragen/{hulpvraag.id}/contact"
    bad = submit_form(client, url, {"contactpersoon_naam": "Ilse", "contactpersoon_email": "geen-mail"})
    assert bad.status_code == 422 and "Vul een geldig e-mailadres in." in bad.text
    ok = submit_form(client, url, {"contactpersoon_naam": "Ilse Bakker", "contactpersoon_email": "ilse@school.example",
                                   "contactpersoon_telefoon": "010-1234567"})  # fmt: skip
    assert ok.status_code == 302
    db.session.refresh(hulpvraag)
    assert hulpvraag.contactpersoon_telefoon == "010-1234567"
    auth.logout()
    auth.login("aanvrager2")
    assert client.get(url).status_code == 404


def _staff_member(world, username: str) -> User:  # type: ignore[no-untyped-def]
    user = User(swv_id=world.swv.id, username=username, email=f"{username}@school.example", naam=username.title())
    user.set_rollen({"aanvrager"})
    user.set_password(PASSWORD)
    user.scholen = [world.scholen[0]]
    db.session.add(user)
    db.session.commit()
    return user


def test_personeelswissel_previews_and_moves_open_hulpvragen(client, world, auth):
    auth.login("aanvrager")
    _post_new(client, world)
    _post_new(client, world, bevestig_nieuw="1", contactpersoon_email="aanvrager@demo.kansrijk.nl")
    done = db.session.scalars(sa.select(Hulpvraag).order_by(Hulpvraag.id)).first()
    done.status = "Afgerond"  # a finished one stays as it is
    db.session.commit()
    auth.logout()
    nieuw = _staff_member(world, "opvolger")
    van = world.users["aanvrager"]
    auth.login("beheerder")
    url = f"/beheer/personeelswissel?school={world.scholen[0].id}&van={van.id}&naar={nieuw.id}"
    preview = client.get(url)
    assert "Voorbeeld: 1 open hulpvraag" in preview.text and "Opvolger" in preview.text
    assert db.session.scalars(sa.select(Hulpvraag).filter_by(aanvrager_id=nieuw.id)).all() == []  # preview changes nothing
    response = submit_form(client, url, {"school": str(world.scholen[0].id), "van": str(van.id), "naar": str(nieuw.id)},
                           action="/beheer/personeelswissel")  # fmt: skip
    assert response.status_code == 302
    moved = db.session.scalars(sa.select(Hulpvraag).filter_by(aanvrager_id=nieuw.id)).one()
    assert moved.contactpersoon_email == "opvolger@school.example"
    assert db.session.scalars(sa.select(Hulpvraag).filter_by(id=done.id)).one().aanvrager_id == van.id
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.detail.like("personeelswissel%"))).one()
    assert entry.object_id == moved.id and "Opvolger" in entry.detail


def test_personeelswissel_scope(client, world, auth):
    auth.login("aanvrager2")
    assert client.get("/beheer/personeelswissel").status_code == 404
    auth.logout()
    auth.login("scp2")
    page = client.get("/beheer/personeelswissel").text
    assert world.scholen[2].naam in page and world.scholen[0].naam not in page
    assert db.session.scalars(sa.select(UserRol).filter_by(rol="scp")).first() is not None


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_bijlagen_while_creating(client, world, auth):
    import io

    from models import Bijlage

    auth.login("aanvrager")
    page = client.get("/hulpvragen/nieuw").text
    data = {**NIEUW, "school_id": str(world.scholen[0].id), "csrf_token": csrf_token(page),
            "bijlagen": [(io.BytesIO(PDF), "OPPondertekening.pdf")], "bijlagen_soort": "OPP"}  # fmt: skip
    response = client.post("/hulpvragen/nieuw", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    bijlage = db.session.scalars(sa.select(Bijlage)).one()
    assert bijlage.naam == "OPPondertekening.pdf" and bijlage.soort == "OPP" and bijlage.hulpvraag_id == db.session.scalars(sa.select(Hulpvraag)).one().id
    bad = {**data, "bevestig_nieuw": "1", "bijlagen": [(io.BytesIO(b"MZ\x90\x00 not a pdf"), "rapport.pdf")]}
    refused = client.post("/hulpvragen/nieuw", data=bad, content_type="multipart/form-data")
    assert refused.status_code == 422 and "De hulpvraag is nog niet aangemaakt" in refused.text
    assert _count(Hulpvraag) == 1 and _count(Bijlage) == 1  # the refused file took the whole hulpvraag back
