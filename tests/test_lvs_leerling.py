"""Issue 16 §2: the right pupil. An aanvraag finds its dossier by the LVS's leerling id, roepnaam and
school, not by achternaam and birth date alone; an uncertain match makes a new dossier flagged for the
SCP, who merges it after a preview (audited); a re-send with the same reference for another pupil is
refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import AuditEntry, Dossier, Hulpvraag, LvsAanvraag, db
from models.lvs import MogelijkDubbel
from tests import lvs_support
from tests.conftest import csrf_token, login
from tests.lvs_support import aanvraag, bearer, koppeling
from tests.oso_dossiers import Leerling, dossier

URL = "/api/v1/aanvragen"
DAAN = Leerling()
NOOR = Leerling(roepnaam="Noor", voornamen=("Noor", "Maria"), geslacht="1", leerlingid="LN094838")


@pytest.fixture(autouse=True)
def _xsd(app):  # type: ignore[no-untyped-def]
    app.config["OSO_XSD_PATH"] = str(lvs_support.XSD)


def _send(client, referentie: str, leerling: Leerling, **extra):  # type: ignore[no-untyped-def]
    return client.post(URL, json=aanvraag(referentie, oso=dossier(leerling=leerling), **extra), headers=bearer())


def _post(client, url: str):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": csrf_token(client.get("/taken").text)})


def _dossier_van(referentie: str) -> Dossier:
    db.session.expire_all()
    row = db.session.scalars(sa.select(LvsAanvraag).filter_by(lvs_referentie=referentie)).one()
    return row.hulpvraag.dossier


def test_twins_get_a_dossier_each_and_neither_is_renamed(client, world):
    koppeling(world)
    assert _send(client, "A-1", DAAN).status_code == 200
    assert _send(client, "A-2", NOOR).status_code == 200
    daan, noor = _dossier_van("A-1"), _dossier_van("A-2")
    assert daan.id != noor.id
    assert (daan.roepnaam, noor.roepnaam) == ("Daan", "Noor")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MogelijkDubbel)) == 0, "another roepnaam: sure"


def test_a_new_aanvraag_for_the_same_pupil_finds_the_dossier_by_the_lvs_id_even_after_a_name_change(client, world):
    koppeling(world)
    assert _send(client, "A-1", DAAN).status_code == 200
    hernoemd = Leerling(achternaam="Bergen", roepnaam="Danny")  # same LN094837: the LVS says it is the same child
    assert _send(client, "A-2", hernoemd).status_code == 200
    assert _dossier_van("A-1").id == _dossier_van("A-2").id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dossier)) == 1


def test_a_same_name_twin_with_another_lvs_id_is_not_merged(client, world):
    koppeling(world)
    assert _send(client, "A-1", DAAN).status_code == 200
    assert _send(client, "A-2", Leerling(leerlingid="LN999999")).status_code == 200
    assert _dossier_van("A-1").id != _dossier_van("A-2").id


def test_an_uncertain_match_makes_a_new_dossier_flagged_for_the_scp_who_merges_it_after_a_preview(client, world):
    koppeling(world)
    assert _send(client, "A-1", DAAN).status_code == 200
    zonder = Leerling(roepnaam=None, voornamen=(), leerlingid=None)  # nothing to tell the two apart
    assert _send(client, "A-2", zonder).status_code == 200
    eerste, tweede = _dossier_van("A-1"), _dossier_van("A-2")
    assert eerste.id != tweede.id and eerste.roepnaam == "Daan", "the first pupil's dossier is untouched"
    dubbel = db.session.scalars(sa.select(MogelijkDubbel)).one()
    assert {dubbel.dossier_id, dubbel.ander_dossier_id} == {eerste.id, tweede.id}

    login(client, "scp")
    pagina = client.get(f"/dossiers/{tweede.id}")
    assert "Mogelijk dezelfde leerling" in pagina.text and f"/dossiers/dubbel/{dubbel.id}" in pagina.text
    voorbeeld = client.get(f"/dossiers/dubbel/{dubbel.id}")
    assert voorbeeld.status_code == 200
    assert "1 hulpvraag/-vragen gaan naar dossier" in voorbeeld.text and f"Dossier {tweede.id} wordt daarna" in voorbeeld.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dossier)) == 2, "a preview changes nothing"

    response = _post(client, f"/dossiers/dubbel/{dubbel.id}/samenvoegen")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/dossiers/{eerste.id}")
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dossier)) == 1
    assert {h.dossier_id for h in db.session.scalars(sa.select(Hulpvraag))} == {eerste.id}
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.detail.like("%samengevoegd in dossier%"))).first()
    assert entry is not None and entry.user_id == world.users["scp"].id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MogelijkDubbel)) == 0


def test_the_scp_can_record_two_pupils_and_others_may_not_merge(client, world):
    koppeling(world)
    _send(client, "A-1", DAAN)
    _send(client, "A-2", Leerling(roepnaam=None, voornamen=(), leerlingid=None))
    dubbel = db.session.scalars(sa.select(MogelijkDubbel)).one()
    login(client, "scp2")  # SCP of another school
    assert client.get(f"/dossiers/dubbel/{dubbel.id}").status_code in (403, 404)
    assert _post(client, f"/dossiers/dubbel/{dubbel.id}/samenvoegen").status_code in (403, 404)
    _post(client, "/logout")
    login(client, "scp")
    assert _post(client, f"/dossiers/dubbel/{dubbel.id}/verschillend").status_code == 302
    db.session.expire_all()
    assert db.session.get(MogelijkDubbel, dubbel.id).uitkomst == "verschillend"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dossier)) == 2
    assert _post(client, f"/dossiers/dubbel/{dubbel.id}/samenvoegen").status_code == 409, "already handled"


def test_a_resend_with_the_same_reference_for_another_pupil_is_refused_and_changes_nothing(client, world):
    koppeling(world)
    assert _send(client, "A-1", DAAN).status_code == 200
    for ander in (NOOR, Leerling(leerlingid=None, geboortedatum="2004-05-06"), Leerling(leerlingid="LN1")):
        response = _send(client, "A-1", ander, beschrijving="Andere tekst.")
        assert response.status_code == 422, response.json
        assert "andere leerling dan bij de eerste verzending" in response.json["message"]
    daan = _dossier_van("A-1")
    assert (daan.roepnaam, str(daan.geboortedatum)) == ("Daan", "2003-03-17")
    hulpvraag = db.session.scalars(sa.select(Hulpvraag)).one()
    assert hulpvraag.omschrijving != "Andere tekst."
    assert _send(client, "A-1", DAAN, beschrijving="Andere tekst.").status_code == 200, "the same pupil still may"
