"""Bijlage soort: picked on upload, corrected later (audited), asked for by diagrams, extended by a
beheerder; the LVS's OPP field is the soort OPP; existing bijlagen migrated by a whole-word OPP."""

from __future__ import annotations

import importlib.util
import io
import uuid

import pytest
import sqlalchemy as sa
from flask import Flask

from models import AuditEntry, Bijlage, BijlageSoort, Hulpvraag, db
from tests.conftest import ROOT, csrf_token, new_hulpvraag
from tests.lvs_support import PDF, aanvraag, b64, bearer, koppeling
from tests.test_migrations import _flask_db, fresh_app, fresh_database_url  # noqa: F401 - fixtures
from workflow.tlv import heeft_bijlage

MIGRATIE = ROOT / "migrations" / "versions" / "20261202_e12f34a56b78_bijlage_soort.py"


def _upload(client, hulpvraag: Hulpvraag, naam: str, soort: str):  # type: ignore[no-untyped-def]
    page = client.get(f"/hulpvragen/{hulpvraag.id}").text
    data = {"csrf_token": csrf_token(page), "bestand": (io.BytesIO(PDF), naam), "soort": soort}
    return client.post(f"/hulpvragen/{hulpvraag.id}/bijlagen", data=data, content_type="multipart/form-data",
                       follow_redirects=True)  # fmt: skip


def _soorten(html: str) -> list[str]:
    start = html.index('id="soort"')
    return [part.split('"', 1)[0] for part in html[start:html.index("</select>", start)].split('<option value="')[2:]]


def test_the_uploader_picks_a_soort_and_the_diagram_asks_for_it(client, world, auth):
    hulpvraag = new_hulpvraag(world)
    auth.login("aanvrager")
    page = client.get(f"/hulpvragen/{hulpvraag.id}").text
    assert _soorten(page) == ["OPP", "onderzoeksverslag", "groepsplan", "toetsoverzicht", "handelingsplan",
                              "verslag", "overig"]  # fmt: skip

    refused = _upload(client, hulpvraag, "verslag.pdf", "")
    assert "Kies bij elk bestand wat voor stuk het is" in refused.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Bijlage)) == 0
    assert "Onbekende soort" in _upload(client, hulpvraag, "verslag.pdf", "geheim").text

    _upload(client, hulpvraag, "stoppen.pdf", "overig")
    assert not heeft_bijlage(hulpvraag.id, "OPP")  # the name no longer counts
    ok = _upload(client, hulpvraag, "scan20230106.pdf", "OPP")
    assert "‘scan20230106.pdf’ is toegevoegd. Soort: OPP." in ok.text
    assert heeft_bijlage(hulpvraag.id, "OPP") and heeft_bijlage(hulpvraag.id, "opp")
    assert not heeft_bijlage(hulpvraag.id, "onderzoeksverslag") and not heeft_bijlage(hulpvraag.id, "%")


def test_the_soort_can_be_corrected_and_the_change_is_audited(client, world, auth):
    hulpvraag = new_hulpvraag(world)
    auth.login("aanvrager")
    _upload(client, hulpvraag, "scan20230106.pdf", "overig")
    bijlage = db.session.scalars(sa.select(Bijlage)).one()
    assert not heeft_bijlage(hulpvraag.id, "OPP")
    page = client.get(f"/hulpvragen/{hulpvraag.id}").text
    assert f'action="/bijlagen/{bijlage.id}/soort"' in page
    response = client.post(f"/bijlagen/{bijlage.id}/soort", data={"soort": "OPP", "csrf_token": csrf_token(page)},
                           follow_redirects=True)  # fmt: skip
    assert "heeft nu de soort OPP" in response.text
    assert heeft_bijlage(hulpvraag.id, "OPP")
    entry = db.session.scalars(sa.select(AuditEntry).filter_by(object_type="bijlage", actie="wijzigen")).one()
    assert entry.detail == "soort overig → OPP" and entry.user_id == world.users["aanvrager"].id

    bad = client.post(f"/bijlagen/{bijlage.id}/soort", data={"soort": "x", "csrf_token": csrf_token(page)},
                      follow_redirects=True)  # fmt: skip
    assert "Onbekende soort" in bad.text
    db.session.expire_all()
    assert db.session.get(Bijlage, bijlage.id).soort == "OPP"
    auth.logout()
    auth.login("aanvrager2")  # another school: cannot see it, cannot change it
    token = csrf_token(client.get("/taken").text)
    assert client.post(f"/bijlagen/{bijlage.id}/soort", data={"soort": "overig", "csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Bijlage, bijlage.id).soort == "OPP"


def test_a_beheerder_extends_the_list(client, world, auth):
    hulpvraag = new_hulpvraag(world)
    auth.login("beheerder")
    page = client.get("/beheer/bijlagesoorten")
    assert page.status_code == 200 and "onderzoeksverslag" in page.text
    token = csrf_token(page.text)
    added = client.post("/beheer/bijlagesoorten", data={"naam": "Logopedieverslag", "csrf_token": token},
                        follow_redirects=True)  # fmt: skip
    assert "‘Logopedieverslag’ is toegevoegd" in added.text
    assert "Logopedieverslag" in _soorten(client.get(f"/hulpvragen/{hulpvraag.id}").text)
    twice = client.post("/beheer/bijlagesoorten", data={"naam": "logopedieverslag ", "csrf_token": token})
    assert twice.status_code == 422 and "bestaat al" in twice.text
    assert client.post("/beheer/bijlagesoorten", data={"naam": "x", "csrf_token": token}).status_code == 422

    nieuw = db.session.scalar(sa.select(BijlageSoort).filter_by(naam="Logopedieverslag"))
    client.post(f"/beheer/bijlagesoorten/{nieuw.id}/actief", data={"actief": "0", "csrf_token": token})
    assert "Logopedieverslag" not in _soorten(client.get(f"/hulpvragen/{hulpvraag.id}").text)
    opp = db.session.scalar(sa.select(BijlageSoort).filter_by(naam="OPP"))
    kept = client.post(f"/beheer/bijlagesoorten/{opp.id}/actief", data={"actief": "0", "csrf_token": token},
                       follow_redirects=True)  # fmt: skip
    assert "kan niet worden uitgezet" in kept.text
    details = set(db.session.scalars(sa.select(AuditEntry.detail).filter_by(object_type="bijlagesoort")))
    assert details == {"Logopedieverslag", "Logopedieverslag: uit"}
    auth.logout()
    auth.login("aanvrager")
    assert client.get("/beheer/bijlagesoorten").status_code == 404


def test_the_lvs_opp_field_is_the_soort_opp(client, world):
    koppeling(world)
    body = aanvraag(opp={"bestandsnaam": "ondersteuningsplan.pdf", "inhoud": b64(PDF + b"% opp\n")})
    assert client.post("/api/v1/aanvragen", json=body, headers=bearer()).status_code == 200
    soorten = dict(db.session.execute(sa.select(Bijlage.naam, Bijlage.soort)).all())
    assert soorten["OPP ondersteuningsplan.pdf"] == "OPP"
    assert soorten["opp.docx"] == "overig"  # a document inside the OSO dossier is not the API's OPP field
    assert heeft_bijlage(db.session.scalars(sa.select(Hulpvraag)).one().id, "OPP")


def _migratie():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bijlage_soort_migratie", MIGRATIE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NAMEN = {
    "OPP 2026.pdf": "OPP", "opp-evaluatie.pdf": "OPP", "OPPondertekening.pdf": "OPP",
    "Ondertekend oPp 2026.pdf": "OPP", "handtekeningOPP.pdf": "OPP", "OPP_jan.pdf": "OPP",
    "stoppen.pdf": "overig", "STOPPEN.PDF": "overig", "KOPPELING.pdf": "overig", "oppas.pdf": "overig",
    "OPPERVLAKTE.pdf": "overig", "scan20230106.pdf": "overig", "verslag.pdf": "overig",
}  # fmt: skip


@pytest.mark.parametrize(("naam", "soort"), NAMEN.items())
def test_the_migration_rule_takes_opp_as_a_whole_word(naam, soort):
    assert _migratie().soort_uit_naam(naam) == soort


def test_the_migration_gives_existing_bijlagen_their_soort(fresh_app: Flask) -> None:  # noqa: F811
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the migration chain is tested on its own SQLite file (tests/test_migrations.py)")
    _flask_db(fresh_app, "upgrade", "d01e23f45a67")
    insert = sa.text("INSERT INTO bijlage (naam, content_type, grootte, sha256, opslag_sleutel, created_at) "
                     "VALUES (:naam, 'application/pdf', 1, :sha, :sleutel, CURRENT_TIMESTAMP)")  # fmt: skip
    with db.engine.begin() as connection:
        for naam in NAMEN:
            connection.execute(insert, {"naam": naam, "sha": "0" * 64, "sleutel": uuid.uuid4().hex})
    _flask_db(fresh_app, "upgrade")
    with db.engine.connect() as connection:
        migrated = dict(connection.execute(sa.text("SELECT naam, soort FROM bijlage")).all())
        lijst = list(connection.execute(sa.text("SELECT naam FROM bijlagesoort ORDER BY volgorde")).scalars())
    assert migrated == NAMEN
    assert lijst[0] == "OPP" and lijst[-1] == "overig" and len(lijst) == 7
    _flask_db(fresh_app, "downgrade", "d01e23f45a67")
    with db.engine.connect() as connection:
        assert set(connection.execute(sa.text("SELECT naam FROM bijlage")).scalars()) == set(NAMEN)
