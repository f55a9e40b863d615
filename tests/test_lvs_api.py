"""Issue 7, S15, R12: the LVS API. An LVS sends an aanvraag with the example OSO dossier, re-sends
it, reads the status back; hostile or wrong requests are refused with JSON in Dutch."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import AuditEntry, Bijlage, Dossier, Hulpvraag, HumanTask, LvsAanvraag, Statuswijziging, db, utcnow
from tests import lvs_support
from tests.conftest import login
from tests.lvs_support import CODE_A, CODE_B, PDF, aanvraag, b64, bearer, koppeling, oso_xml
from workflow.engine.runtime import complete_task
from workflow.lvs_push import LVS_STATUSSEN, lvs_status
from workflow.statussen import lees

URL = "/api/v1/aanvragen"


@pytest.fixture(autouse=True)
def _xsd(app):  # type: ignore[no-untyped-def]
    """Strict validation against the published XSD, as a production install configures it."""
    pad = lvs_support.XSD
    assert pad.exists(), f"the OSO schema is missing: {pad}"
    app.config["OSO_XSD_PATH"] = str(pad)


def _count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def _hulpvraag() -> Hulpvraag:
    db.session.expire_all()
    return db.session.scalars(sa.select(Hulpvraag)).one()


def _open(hulpvraag: Hulpvraag, bpmn_id: str) -> HumanTask | None:
    query = sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, bpmn_id=bpmn_id, completed_at=None)
    return db.session.scalars(query).first()


# --- a new aanvraag ---------------------------------------------------------------------------------
def test_an_aanvraag_becomes_a_hulpvraag_in_aanmelding_with_its_oso_dossier(client, world):
    koppeling(world)
    response = client.post(URL, json=aanvraag(), headers=bearer())
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "Aanmelding" and body["lvs_status"] == "Nieuw" and body["lvs_referentie"] == "ESIS-0001"

    hulpvraag = _hulpvraag()
    assert body["aanvraagnummer"] == hulpvraag.aanvraagnummer
    assert hulpvraag.bron == "esis" and hulpvraag.titel == "TLV -Nieuw" and not hulpvraag.titel_onbekend
    assert hulpvraag.contactpersoon_email == "ib@regenboog.example" and hulpvraag.school_id == world.scholen[0].id
    assert [(w.van, w.naar) for w in hulpvraag.statuswijzigingen] == [
        (None, "Voorlopige aanmelding"), ("Voorlopige aanmelding", "Aanmelding")]
    assert _open(hulpvraag, "beoordelen") is not None, "the SCP gets 'Aanmelding beoordelen' as for a web submission"
    assert _open(hulpvraag, "indienen") is None
    dossier = hulpvraag.dossier
    assert (dossier.roepnaam, dossier.tussenvoegsel, dossier.achternaam) == ("Daan", "van de", "Berg")
    assert str(dossier.geboortedatum) == "2003-03-17"
    row = db.session.scalars(sa.select(LvsAanvraag)).one()
    assert row.hulpvraag_id == hulpvraag.id and row.oso_gegevens["brin_vestiging"] == "00YY00"


def test_the_example_dossiers_documents_become_bijlagen(client, world):
    koppeling(world)
    assert client.post(URL, json=aanvraag(), headers=bearer()).status_code == 200
    namen = set(db.session.scalars(sa.select(Bijlage.naam)))
    # Every readable bijlagedoc of the example (the same verzuimrapport twice is kept once) plus the API's own PDF.
    assert namen == {"Verslag onderzoek.pdf", "verzuimrapport.txt", "opp.docx", "drem8.jpg", "WISC3NL2005.txt",
                     "WISC-III NL Verbaal.txt", "WISC-III NL Performaal.txt", "groepsplan.txt", "diagram.png"}
    # The example's truncated ZIPs cannot be read: left out, named in the stored dossier and the history.
    row = db.session.scalars(sa.select(LvsAanvraag)).one()
    assert any("Toelichting.pdf" in melding for melding in row.oso_gegevens["niet_overgenomen"])
    entry = db.session.scalars(sa.select(AuditEntry).filter_by(actie="aanmaken", object_type="hulpvraag")).one()
    assert "niet overgenomen" in entry.detail


def test_an_opp_is_stored_under_a_name_that_says_so(client, world):
    koppeling(world)
    body = aanvraag(opp={"bestandsnaam": "ondersteuningsplan.pdf", "inhoud": b64(PDF + b"% opp\n")})
    assert client.post(URL, json=body, headers=bearer()).status_code == 200
    assert "OPP ondersteuningsplan.pdf" in set(db.session.scalars(sa.select(Bijlage.naam)))


def test_a_title_outside_the_list_is_kept_flagged_and_goes_to_the_scp(client, world):
    koppeling(world)
    response = client.post(URL, json=aanvraag(korte_omschrijving="Extra hulp bij lezen"), headers=bearer())
    assert response.status_code == 200 and response.json["titel_onbekend"] is True
    hulpvraag = _hulpvraag()
    assert hulpvraag.titel == "Extra hulp bij lezen" and hulpvraag.titel_onbekend
    assert _open(hulpvraag, "beoordelen") is not None


# --- re-sending ------------------------------------------------------------------------------------
def test_a_resend_updates_the_same_hulpvraag(client, world):
    koppeling(world)
    eerste = client.post(URL, json=aanvraag(), headers=bearer()).json
    nieuw_pdf = PDF + b"% tweede versie\n"
    body = aanvraag(beschrijving="Aangevulde zorgvraag.", bijlagen=[
        {"bestandsnaam": "Verslag onderzoek.pdf", "inhoud": b64(PDF)},
        {"bestandsnaam": "Handelingsplan.pdf", "inhoud": b64(nieuw_pdf)}])
    tweede = client.post(URL, json=body, headers=bearer())
    assert tweede.status_code == 200 and tweede.json["aanvraagnummer"] == eerste["aanvraagnummer"]
    assert _count(Hulpvraag) == 1 and _count(Dossier) == 1
    hulpvraag = _hulpvraag()
    assert hulpvraag.omschrijving == "Aangevulde zorgvraag."
    assert sorted(db.session.scalars(sa.select(Bijlage.naam).where(Bijlage.naam.like("%.pdf")))) == [
        "Handelingsplan.pdf", "Verslag onderzoek.pdf"]
    history = db.session.scalars(sa.select(AuditEntry).filter_by(actie="wijzigen", object_type="hulpvraag")).one()
    assert "beschrijving bijgewerkt" in history.detail and "1 nieuwe bijlage" in history.detail
    assert db.session.scalars(sa.select(LvsAanvraag)).one().ontvangen == 2


def test_a_resend_after_dossier_incompleet_returns_the_status_to_aanmelding(client, world):
    koppeling(world)
    client.post(URL, json=aanvraag(), headers=bearer())
    hulpvraag = _hulpvraag()
    complete_task(_open(hulpvraag, "beoordelen").id, world.users["scp"],
                  {"besluit": "dossier_incompleet", "reden": "Niet compleet.", "ontbreekt": "OPP"})
    db.session.commit()
    assert _hulpvraag().status.startswith("Dossier incompleet")
    opp = {"bestandsnaam": "OPP.pdf", "inhoud": b64(PDF + b"% opp\n")}
    response = client.post(URL, json=aanvraag(opp=opp), headers=bearer())
    assert response.status_code == 200
    assert response.json["status"] == "Aanmelding" and response.json["lvs_status"] == "Nieuw"
    hulpvraag = _hulpvraag()
    assert _open(hulpvraag, "aanvullen") is None and _open(hulpvraag, "beoordelen") is not None
    laatste = hulpvraag.statuswijzigingen[-1]
    assert laatste.naar == "Aanmelding" and laatste.van.startswith("Dossier incompleet")


def test_the_same_aanvraag_twice_at_once_is_one_hulpvraag(app, world):
    _ten_at_once(app, world, 2)


def test_r12_ten_concurrent_sends_one_hulpvraag_ten_identical_answers(app, world):
    _ten_at_once(app, world, 10)


def _ten_at_once(app, world, n: int) -> None:  # type: ignore[no-untyped-def]
    koppeling(world)
    body, barrier = aanvraag(), threading.Barrier(n)

    def send(_i: int):  # type: ignore[no-untyped-def]
        client = app.test_client()  # IsolatedClient: its own app context and database session per request
        barrier.wait()
        response = client.post(URL, json=body, headers=bearer())
        return response.status_code, response.json

    with ThreadPoolExecutor(max_workers=n) as pool:
        answers = list(pool.map(send, range(n)))
    assert [code for code, _ in answers] == [200] * n, answers
    assert all(answer == answers[0][1] for _, answer in answers)
    assert _count(Hulpvraag) == 1 and _count(LvsAanvraag) == 1 and _count(Dossier) == 1
    hulpvraag = _hulpvraag()
    assert len(hulpvraag.statuswijzigingen) == 2
    assert db.session.scalars(sa.select(LvsAanvraag)).one().ontvangen == n
    assert len(set(db.session.scalars(sa.select(Bijlage.sha256)))) == _count(Bijlage), "no bijlage twice"


# --- S15: who may -----------------------------------------------------------------------------------
def test_a_missing_or_wrong_code_is_401_and_a_session_cookie_counts_for_nothing(client, world):
    koppeling(world)
    assert client.post(URL, json=aanvraag()).status_code == 401
    wrong = client.post(URL, json=aanvraag(), headers=bearer("00YY00-dit-is-niet-de-code"))
    assert wrong.status_code == 401 and wrong.json["message"] and wrong.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/v1/aanvragen/2026-000001", headers={"Authorization": "Basic eDp5"}).status_code == 401
    login(client, "beheerder")
    assert client.get("/api/v1/koppeling").status_code == 401
    assert _count(Hulpvraag) == 0


def test_a_deactivated_or_not_yet_activated_koppeling_is_refused(client, world):
    from workflow.koppelingen import deactiveer

    koppeling(world, actief=False)
    response = client.post(URL, json=aanvraag(), headers=bearer())
    assert response.status_code == 403 and "geactiveerd" in response.json["message"]
    row = db.session.scalars(sa.select(LvsAanvraag)).first()
    assert row is None
    from models import Koppeling

    deactiveer(db.session.scalars(sa.select(Koppeling)).one(), world.users["beheerder"])
    db.session.commit()
    assert client.get("/api/v1/koppeling", headers=bearer()).status_code == 401


def test_a_code_of_school_a_with_an_oso_dossier_of_school_b_is_refused_and_nothing_stored(client, world):
    koppeling(world)
    andere = oso_xml(brincode="01AB")  # the huidige school of the document is school B
    response = client.post(URL, json=aanvraag(oso=andere), headers=bearer())
    assert response.status_code == 403 and "andere school" in response.json["message"]
    assert response.json["errors"]
    assert (_count(Hulpvraag), _count(Dossier), _count(LvsAanvraag), _count(Bijlage)) == (0, 0, 0, 0)


def test_another_koppelings_aanvraag_is_not_found(client, world):
    koppeling(world)
    koppeling(world, school=1, code=CODE_B, lvs_type="parnassys")
    nummer = client.post(URL, json=aanvraag(), headers=bearer()).json["aanvraagnummer"]
    assert client.get(f"{URL}/{nummer}", headers=bearer()).status_code == 200
    other = client.get(f"{URL}/{nummer}", headers=bearer(CODE_B))
    assert other.status_code == 404 and other.json["code"] == 404
    assert client.get(f"{URL}/2026-999999", headers=bearer()).json["code"] == 404
    sinds = (utcnow() - timedelta(hours=1)).isoformat()
    assert client.get(URL, query_string={"sinds": sinds}, headers=bearer(CODE_B)).json["aanvragen"] == []


@pytest.mark.parametrize("hostile", ["xxe", "billion_laughs"])
def test_hostile_xml_is_refused_fast(client, world, hostile):
    import time

    koppeling(world)
    xxe = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><dossier>&x;</dossier>'
    lol = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">' + b"".join(
        b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&" + bytes([97 + i]) + b";") * 10) for i in range(9)
    ) + b']><dossier>&j;</dossier>'
    started = time.monotonic()
    response = client.post(URL, json=aanvraag(oso=xxe if hostile == "xxe" else lol), headers=bearer())
    assert response.status_code in (400, 422) and "oso" in " ".join(response.json["errors"])
    assert time.monotonic() - started < 2
    assert "root:" not in response.text and _count(Hulpvraag) == 0


def test_activation_with_a_wrong_code_or_without_consent_is_refused(client, world):
    koppeling(world, actief=False)
    wrong = client.post("/api/v1/activatie", json={"verificatiecode": "00YY00-niet-geregistreerd", "naam": "X",
                                                   "toestemming": True})
    assert wrong.status_code == 401
    no = client.post("/api/v1/activatie", json={"verificatiecode": CODE_A, "naam": "X", "toestemming": False})
    assert no.status_code == 422 and no.json["errors"]["toestemming"]
    ok = client.post("/api/v1/activatie", json={"verificatiecode": CODE_A, "naam": "Ingrid", "toestemming": True})
    assert ok.status_code == 200 and ok.json["geactiveerd"] is True and ok.json["school"] == "00YY00"


# --- errors: JSON, Dutch, per field, never 500 ------------------------------------------------------
def test_invalid_input_gets_dutch_messages_per_field_and_extra_fields_are_refused(client, world):
    koppeling(world)
    body = aanvraag(status="Afgerond", school_id=2)  # S5: mass assignment
    del body["lvs_referentie"]
    body["contactpersoon"]["email"] = "geen-adres"
    body["bijlagen"] = [{"bestandsnaam": "x.pdf", "inhoud": "@@@ geen base64"}]
    response = client.post(URL, json=body, headers=bearer())
    assert response.status_code == 422
    errors = response.json["errors"]
    assert errors["lvs_referentie"] == ["Dit veld is verplicht."]
    assert errors["status"] == ["Onbekend veld."] and errors["school_id"] == ["Onbekend veld."]
    assert errors["contactpersoon.email"] == ["Geen geldig e-mailadres."]
    assert errors["bijlagen[0].inhoud"] == ["Geen geldige base64-tekst."]
    assert _count(Hulpvraag) == 0


def test_every_api_error_is_json(client, world):
    koppeling(world)
    bad_json = client.post(URL, data=b"{niet: json", headers={**bearer(), "Content-Type": "application/json"})
    assert bad_json.status_code == 400 and bad_json.json["message"]
    assert client.get("/api/v1/bestaat-niet").json["code"] == 404
    not_allowed = client.delete(URL, headers=bearer())
    assert not_allowed.status_code == 405 and not_allowed.json["code"] == 405
    assert client.get(URL, query_string={"sinds": "gisteren"}, headers=bearer()).json["errors"]["sinds"]


def test_an_oversize_bijlage_or_body_is_413_and_nothing_is_stored(app, client, world):
    koppeling(world)
    app.config["BIJLAGE_MAX_BYTES"] = 1000
    groot = aanvraag(bijlagen=[{"bestandsnaam": "groot.pdf", "inhoud": b64(PDF + b"0" * 2000)}])
    response = client.post(URL, json=groot, headers=bearer())
    assert response.status_code == 413 and response.json["errors"]["bijlagen[0]"]
    app.config["API_MAX_CONTENT_LENGTH"] = 10_000
    response = client.post(URL, json=aanvraag(), headers=bearer())
    assert response.status_code == 413 and "te groot" in response.json["message"]
    assert _count(Hulpvraag) == 0 and _count(LvsAanvraag) == 0


def test_a_refused_bijlage_is_422_with_the_reason_and_nothing_is_stored(client, world):
    koppeling(world)
    body = aanvraag(bijlagen=[{"bestandsnaam": "programma.exe", "inhoud": b64(b"MZ\x90\x00" + bytes(200))}])
    response = client.post(URL, json=body, headers=bearer())
    assert response.status_code == 422 and "programma.exe" in response.json["errors"]["bijlagen[0]"][0]
    assert (_count(Hulpvraag), _count(Dossier), _count(LvsAanvraag), _count(Bijlage)) == (0, 0, 0, 0)
    from models import Koppeling

    assert db.session.scalars(sa.select(Koppeling)).one().laatste_fout


# --- reading back ----------------------------------------------------------------------------------
def test_status_read_and_changes_since_for_polling(client, world):
    koppeling(world)
    voor = utcnow() - timedelta(seconds=1)
    nummer = client.post(URL, json=aanvraag(), headers=bearer()).json["aanvraagnummer"]
    status = client.get(f"{URL}/{nummer}", headers=bearer()).json
    assert status["status"] == "Aanmelding" and status["lvs_status"] == "Nieuw"

    eerste = client.get(URL, query_string={"sinds": voor.isoformat()}, headers=bearer()).json
    assert [a["aanvraagnummer"] for a in eerste["aanvragen"]] == [nummer]
    assert client.get(URL, query_string={"sinds": eerste["tot"]}, headers=bearer()).json["aanvragen"] == []

    hulpvraag = _hulpvraag()
    complete_task(_open(hulpvraag, "beoordelen").id, world.users["scp"], {"besluit": "afgewezen", "reden": "Past niet."})
    db.session.commit()
    tweede = client.get(URL, query_string={"sinds": eerste["tot"]}, headers=bearer()).json["aanvragen"]
    assert [(a["status"], a["lvs_status"], a["reden"]) for a in tweede] == [("Afgewezen", "Afgewezen", "Past niet.")]
    reads = db.session.scalars(sa.select(AuditEntry.detail).filter_by(actie="bekijken", object_type="hulpvraag"))
    assert {"api.status", "api.wijzigingen"} <= set(reads)


EXPECTED = {"Voorlopige aanmelding": "Nieuw", "Aanmelding": "Nieuw", "Doorzetten": "In beraad",
            "Dossier compleet": "Dossier compleet", "Dossier incompleet": "Dossier incompleet",
            "In beraad": "In beraad", "Gearrangeerd": "Gearrangeerd", "Toegekend": "Gearrangeerd",
            "Akkoord coördinator": "Gearrangeerd", "Gearrangeerd budget": "Gearrangeerd", "Wacht": "Gearrangeerd",
            "In behandeling": "In behandeling", "Behandeling loopt": "In behandeling", "TLV afgegeven": "Afgerond",
            "Afgerond": "Afgerond", "Afgewezen": "Afgewezen", "Niet ontvankelijk": "Afgewezen",
            "Niet ontvankelijk financiën": "Afgewezen", "Thuiszitter": "In behandeling"}  # fmt: skip


@pytest.mark.parametrize("status", lees().statussen, ids=lambda s: s.naam)
def test_every_status_maps_onto_the_lvs_short_list(status):
    assert lvs_status(status.naam) == EXPECTED[status.naam] and EXPECTED[status.naam] in LVS_STATUSSEN
    if status.achtervoegsel:  # with its [functie] or [aanduiding]
        assert lvs_status(f"{status.naam} orthopedagoog") == EXPECTED[status.naam]


@pytest.mark.parametrize("status", ["Voorlopige aanmelding", "Aanmelding", "Doorzetten", "Doorzetten orthopedagoog",
                                    "Dossier compleet", "Dossier incompleet", "In beraad"])  # fmt: skip
def test_no_status_before_the_decision_tells_the_lvs_a_decision_was_taken(status):
    """ESIS manual: 'In behandeling' means 'Er is een besluit genomen'; Gearrangeerd, Afgerond, Afgewezen too."""
    assert lvs_status(status) in ("Nieuw", "Dossier incompleet", "Dossier compleet", "In beraad")


def test_the_vocabulary_file_keeps_every_status_of_today():
    assert sorted(lees().namen()) == sorted(EXPECTED)


# --- privacy ---------------------------------------------------------------------------------------
BSN = "999990019"


def test_an_oso_dossier_with_a_bsn_leaves_no_bsn_anywhere_in_the_database(client, world):
    koppeling(world)
    xml = oso_xml().replace(b"<leerlingid>", f"<bsn>{BSN}</bsn>\n      <leerlingid>".encode(), 1)
    assert BSN.encode() in xml
    assert client.post(URL, json=aanvraag(oso=xml), headers=bearer()).status_code == 200
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            for row in connection.execute(sa.select(table)):
                assert BSN not in repr(tuple(row)), f"BSN found in {table.name}"
                assert "'bsn'" not in repr(tuple(row)).lower(), f"a bsn field in {table.name}"
    assert _count(Statuswijziging) == 2


def test_s14_an_lvs_journey_logs_no_pupil_data_codes_or_addresses(client, world, caplog):
    import logging
    import re

    for name in ("", "werkzeug", "flask", "web", "workflow", "models", "spiff", "SpiffWorkflow", "celery"):
        caplog.set_level(logging.DEBUG, logger=name or None)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    koppeling(world)
    client.post(URL, json=aanvraag(), headers=bearer())
    client.post(URL, json=aanvraag(), headers=bearer())
    client.post(URL, json=aanvraag(), headers=bearer("00YY00-een-verkeerde-code-x"))
    client.get(URL, query_string={"sinds": utcnow().isoformat()}, headers=bearer())
    forbidden = ["Berg", "Daan", "2003-03-17", "17-03-2003", CODE_A, "00YY00-een-verkeerde-code-x", "Juf Ingrid"]
    email = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
    texts = [t for r in caplog.records for t in (r.getMessage(), repr(r.args), r.exc_text or "")]
    assert any("api auth failed" in t for t in texts), "the failed authentication is logged"
    for text in texts:
        leaks = [w for w in forbidden if w in text] + [m.group(0) for m in email.finditer(text)]
        assert not leaks, f"logged {leaks}: {text[:200]}"
