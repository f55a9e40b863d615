"""Issue 16 §1: every SWV-dossier the OSO 2019 standard allows is accepted or refused with a Dutch
4xx, never a 5xx: with and without parental inzage and consent, PO and VO, and overstapdossiers
refused with what they are. The dossiers come from ``tests/oso_dossiers.py`` (built from the public
example, each checked against the XSD here as production does)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from models import Dossier, Hulpvraag, HumanTask, LvsAanvraag, Schoolgegevens, Statuswijziging, db
from models.samenwerkingsverband import Samenwerkingsverband
from tests import lvs_support, oso_dossiers
from tests.conftest import login
from tests.lvs_support import aanvraag, bearer, koppeling
from workflow.engine.runtime import complete_task

URL = "/api/v1/aanvragen"


@pytest.fixture(autouse=True)
def _xsd(app):  # type: ignore[no-untyped-def]
    app.config["OSO_XSD_PATH"] = str(lvs_support.XSD)


def _count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def _nothing_stored() -> None:
    assert (_count(Hulpvraag), _count(Dossier), _count(LvsAanvraag)) == (0, 0, 0)


@pytest.mark.parametrize("naam", list(oso_dossiers.varianten()))
def test_every_variant_of_a_po_swv_dossier_is_accepted(client, world, naam):
    koppeling(world)
    response = client.post(URL, json=aanvraag(f"REF-{naam}", oso=oso_dossiers.varianten()[naam]), headers=bearer())
    assert response.status_code == 200, response.json
    assert response.json["status"] == "Aanmelding"
    assert _count(Hulpvraag) == 1


@pytest.mark.parametrize("variant", [
    {"inzage": False, "toestemming": "Nee"}, {"inzage": False, "toestemming": "Ja"},
    {"inzage": None, "toestemming": "Onbekend"}, {"inzage": True, "toestemming": "Nee", "akkoord": "Nee"},
])  # fmt: skip
def test_without_inzage_or_consent_the_aanvraag_is_stored_as_given_and_the_hulpvraag_marked(client, world, variant):
    koppeling(world)
    response = client.post(URL, json=aanvraag(oso=oso_dossiers.dossier(**variant)), headers=bearer())
    assert response.status_code == 200, response.json
    row = db.session.scalars(sa.select(LvsAanvraag)).one()
    inzage = row.oso_gegevens["inzage"]
    assert (inzage["inzage"], inzage["toestemming"]) == (variant["inzage"], variant["toestemming"])
    hulpvraag = row.hulpvraag
    indienen = db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, bpmn_id="indienen")).one()
    assert indienen.completed_at is not None
    login(client, "beheerder")
    page = client.get(f"/hulpvragen/{hulpvraag.id}").get_data(as_text=True)
    oso_page = client.get(f"/hulpvragen/{hulpvraag.id}/oso").get_data(as_text=True)
    for text in (page, oso_page):
        if variant["inzage"] is False:
            assert "De ouders hebben het dossier niet ingezien." in text
        if variant["toestemming"] == "Nee":
            assert "De ouders gaven geen toestemming voor overdracht van het dossier." in text
        if variant["toestemming"] == "Onbekend":
            assert "niet bekend of de ouders toestemming gaven" in text


def test_a_full_dossier_with_inzage_and_consent_is_not_marked(client, world):
    koppeling(world)
    assert client.post(URL, json=aanvraag(oso=oso_dossiers.dossier(akkoord="Ja")), headers=bearer()).status_code == 200
    hulpvraag = db.session.scalars(sa.select(Hulpvraag)).one()
    login(client, "beheerder")
    assert "<dt>Ouders</dt>" not in client.get(f"/hulpvragen/{hulpvraag.id}").get_data(as_text=True)


def test_ten_concurrent_resends_of_an_opt_out_dossier_are_one_hulpvraag_with_ten_equal_answers(app, world):
    koppeling(world)
    body, n = aanvraag(oso=oso_dossiers.opt_out()), 10
    barrier = threading.Barrier(n)

    def send(_i: int):  # type: ignore[no-untyped-def]
        client = app.test_client()
        barrier.wait()
        response = client.post(URL, json=body, headers=bearer())
        return response.status_code, response.json

    with ThreadPoolExecutor(max_workers=n) as pool:
        answers = list(pool.map(send, range(n)))
    assert [code for code, _ in answers] == [200] * n, answers
    assert all(answer == answers[0][1] for _, answer in answers)
    assert (_count(Hulpvraag), _count(LvsAanvraag), _count(Dossier)) == (1, 1, 1)
    assert _count(Statuswijziging) == 2
    assert db.session.scalars(sa.select(LvsAanvraag)).one().ontvangen == n


def test_an_opt_out_resend_after_dossier_incompleet_answers_the_school_task(client, world):
    koppeling(world)
    assert client.post(URL, json=aanvraag(oso=oso_dossiers.opt_out()), headers=bearer()).status_code == 200
    hulpvraag = db.session.scalars(sa.select(Hulpvraag)).one()
    taak = db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, bpmn_id="beoordelen")).one()
    complete_task(taak.id, world.users["scp"], {"besluit": "dossier_incompleet", "reden": "Toestemming ontbreekt.",
                                                "ontbreekt": "Toestemming ouders"})  # fmt: skip
    db.session.commit()
    response = client.post(URL, json=aanvraag(oso=oso_dossiers.dossier()), headers=bearer())
    assert response.status_code == 200 and response.json["status"] == "Aanmelding"
    assert db.session.scalars(sa.select(LvsAanvraag)).one().oso_gegevens["inzage"]["toestemming"] == "Ja"


# --- sector and overstapdossiers -------------------------------------------------------------------
@pytest.mark.parametrize(("overstap", "overdrachtsoort", "woorden"), [
    ("POPO", "overstapdossier", ["overstapdossier", "POPO", "van primair naar primair onderwijs"]),
    ("POVO", "overstapdossier", ["overstapdossier", "POVO", "van primair naar voortgezet onderwijs"]),
    ("VOVO", "overstapdossier", ["overstapdossier", "VOVO", "van voortgezet naar voortgezet onderwijs"]),
    ("POVO", "swv-dossier", ["overstapdossier", "POVO", "geen SWV-dossier"]),
    (None, "overdrachtbinnenbrin", ["overdracht binnen de school", "geen SWV-dossier"]),
    ("VOSWV", "swv-dossier", ["voortgezet onderwijs", "VOSWV", "PO2806", "primair onderwijs"]),
])  # fmt: skip
def test_an_overstapdossier_or_a_dossier_of_the_other_sector_is_refused_naming_what_it_is(
    client, world, overstap, overdrachtsoort, woorden
):
    koppeling(world)
    sector = "VO" if overstap == "VOSWV" else "PO"
    xml = oso_dossiers.dossier(overstap=overstap, overdrachtsoort=overdrachtsoort, sector=sector)
    response = client.post(URL, json=aanvraag(oso=xml), headers=bearer())
    assert response.status_code == 422, response.json
    for woord in woorden:
        assert woord in response.json["message"]
    assert response.json["errors"]
    _nothing_stored()


def test_a_vo_swv_accepts_a_vo_dossier_and_refuses_a_po_one(client, world):
    swv = db.session.get(Samenwerkingsverband, world.scholen[0].swv_id)
    swv.code = "VO2801"
    db.session.commit()
    koppeling(world)
    po = client.post(URL, json=aanvraag(swv_code="VO2801", oso=oso_dossiers.dossier()), headers=bearer())
    assert po.status_code == 422 and "primair onderwijs" in po.json["message"] and "VO2801" in po.json["message"]
    _nothing_stored()
    xml = oso_dossiers.dossier(overstap="VOSWV", sector="VO")
    vo = client.post(URL, json=aanvraag(swv_code="VO2801", oso=xml), headers=bearer())
    assert vo.status_code == 200, vo.json
    groepen = set(db.session.scalars(sa.select(Schoolgegevens.groep)))
    assert groepen and all(g in {"1", "2", "3", "4"} for g in groepen)


@pytest.mark.parametrize("weg", ["huidigeschool/leerling/achternaam", "metadata", "huidigeschool",
                                 "huidigeschool/leerling"])  # fmt: skip
def test_a_dossier_missing_a_required_part_is_a_dutch_422(client, world, weg):
    koppeling(world)
    xml = oso_dossiers.stuk(oso_dossiers.dossier(), weg)
    response = client.post(URL, json=aanvraag(oso=xml), headers=bearer())
    assert response.status_code == 422 and response.json["message"].startswith("Het OSO-dossier")
    _nothing_stored()


# --- §8 the OSO page in Dutch ---------------------------------------------------------------------
RAUW = ("cat_ouderinzage", "codevoorschoolsprogramma", "vanpeuterspeelzaal", "gbavoornaam", "overstapadvies",
        "wensouders", "leerlinggewicht", "categorie_uitlevering", "swv-dossier<", "POSWV<")  # fmt: skip


@pytest.mark.parametrize("sector", ["PO", "VO"])
def test_the_oso_page_shows_every_section_with_dutch_labels_and_code_meanings(client, world, sector):
    if sector == "VO":
        swv = db.session.get(Samenwerkingsverband, world.scholen[0].swv_id)
        swv.code = "VO2801"
        db.session.commit()
    koppeling(world)
    xml = oso_dossiers.dossier(overstap=f"{sector}SWV", sector=sector)
    body = aanvraag(oso=xml, swv_code="VO2801" if sector == "VO" else "PO2806")
    assert client.post(URL, json=body, headers=bearer()).status_code == 200
    hulpvraag = db.session.scalars(sa.select(Hulpvraag)).one()
    login(client, "beheerder")
    page = client.get(f"/hulpvragen/{hulpvraag.id}/oso").get_data(as_text=True)
    for kop in ("Over dit dossier", "Uitgeleverde onderdelen", "Inzage door ouders", "Leerling", "Ouders/verzorgers",
                "Huidige school", "Schoolloopbaan", "Onderwijsondersteuning", "OPP", "Verzuim", "Toetsresultaten",
                "Bijlagen", "Overstapadvies", "Vroegschoolse educatie", "Huisarts"):  # fmt: skip
        assert kop in page, kop
    verwacht = ("SWV-dossier primair onderwijs (POSWV)" if sector == "PO" else "SWV-dossier voortgezet onderwijs (VOSWV)")
    for tekst in (verwacht, "SWV-dossier (swv-dossier)", "niet uitgeleverd (VERBODEN)", "VO-advies van de school",
                  "code 40 uit OSO-codelijst 2 (Advies VO)", "leerlingadministratie en leerlingvolgsysteem (LASLVS)",
                  "Kwam van een peuterspeelzaal"):  # fmt: skip
        assert tekst in page, tekst
    for rauw in RAUW:
        assert rauw not in page, f"raw OSO name on the page: {rauw}"
    if sector == "VO":
        assert "VO VMBO" in page, "the VO school years with their school kind"
