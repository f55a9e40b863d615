"""Issue 16 §5–§7: limits per koppeling (one school's typo does not lock out the others; Retry-After
on every 429), bounded cost (a few kB for /activatie, capped field errors, deep JSON, lone
surrogates, NUL, wrong Content-Type) and the smaller items (titles, opp {}, blank values, callback
URLs, the beheerder's koppeling actions)."""

from __future__ import annotations

import json
import time

import pytest
import sqlalchemy as sa

from models import AuditEntry, Hulpvraag, Koppeling, LvsAanvraag, db
from tests import lvs_support
from tests.conftest import csrf_token, login
from tests.lvs_support import CODE_A, CODE_B, aanvraag, bearer, koppeling
from tests.oso_dossiers import OPTIONELE_ONDERDELEN, dossier
from workflow.koppelingen import code_digest

URL = "/api/v1/aanvragen"
FOUT_A = "00YY00-esis-koppeling-test-X"  # school A's code with a typo


@pytest.fixture(autouse=True)
def _xsd(app):  # type: ignore[no-untyped-def]
    app.config["OSO_XSD_PATH"] = str(lvs_support.XSD)


def _klein() -> bytes:
    return dossier(zonder=OPTIONELE_ONDERDELEN[1:])


def _count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


# --- §5 limits per koppeling -----------------------------------------------------------------------
def test_one_schools_wrong_code_from_a_central_address_does_not_lock_out_the_others(app, client, world):
    app.config.update(API_LIMIT_AUTH_FAILURES_PER_CODE="10 per 15 minutes", API_LIMIT_AUTH_FAILURES="50 per 15 minutes")
    koppeling(world)
    koppeling(world, school=1, code=CODE_B, lvs_type="parnassys")
    codes = [client.get("/api/v1/koppeling", headers=bearer(FOUT_A)).status_code for _ in range(25)]
    assert codes[:10] == [401] * 10 and set(codes[10:]) == {429}
    te_veel = client.get("/api/v1/koppeling", headers=bearer(FOUT_A))
    assert te_veel.status_code == 429 and 0 < int(te_veel.headers["Retry-After"]) <= 15 * 60
    assert "verificatiecode" in te_veel.json["message"]
    for code in (CODE_A, CODE_B):  # the other schools, and school A once it fixed the typo, from the same address
        assert client.get("/api/v1/koppeling", headers=bearer(code)).status_code == 200


def test_many_unknown_codes_from_one_address_are_stopped_but_valid_codes_still_pass(app, client, world):
    app.config.update(API_LIMIT_AUTH_FAILURES_PER_CODE="10 per 15 minutes", API_LIMIT_AUTH_FAILURES="30 per 15 minutes")
    koppeling(world)
    codes = [client.get("/api/v1/koppeling", headers=bearer(f"00YY00-geraden-code-{i:04d}")).status_code
             for i in range(40)]  # fmt: skip
    assert codes[:30] == [401] * 30 and set(codes[30:]) == {429}
    te_veel = client.get("/api/v1/koppeling", headers=bearer("00YY00-nog-een-gok-0000"))
    assert te_veel.status_code == 429 and int(te_veel.headers["Retry-After"]) > 0
    assert client.get("/api/v1/koppeling", headers=bearer(CODE_A)).status_code == 200


def test_the_per_koppeling_rate_limit_answers_429_with_retry_after(app, client, world):
    app.config["API_LIMIT_PER_KOPPELING"] = "3 per minute"
    koppeling(world)
    codes = [client.get("/api/v1/koppeling", headers=bearer()) for _ in range(4)]
    assert [c.status_code for c in codes] == [200, 200, 200, 429]
    assert 0 < int(codes[-1].headers["Retry-After"]) <= 61 and codes[-1].json["code"] == 429


def test_activation_failures_count_per_code_too(app, client, world):
    app.config.update(API_LIMIT_AUTH_FAILURES_PER_CODE="3 per 15 minutes")
    koppeling(world, actief=False)
    body = {"verificatiecode": FOUT_A, "naam": "X", "toestemming": True}
    codes = [client.post("/api/v1/activatie", json=body).status_code for _ in range(5)]
    assert codes == [401, 401, 401, 429, 429]
    ok = client.post("/api/v1/activatie", json={**body, "verificatiecode": CODE_A})
    assert ok.status_code == 200


# --- §6 bounded cost -------------------------------------------------------------------------------
def test_activatie_accepts_a_few_kb_and_caps_field_errors(client, world):
    koppeling(world, actief=False)
    groot = json.dumps({f"k{i}": i for i in range(400_000)}).encode()  # about 5 MB of unknown keys
    begin = time.monotonic()
    response = client.post("/api/v1/activatie", data=groot, content_type="application/json")
    assert response.status_code == 413 and "kB" in response.json["message"]
    assert time.monotonic() - begin < 2 and len(response.data) < 2000
    veel = {f"k{i}": i for i in range(300)} | {"naam": "x"}
    response = client.post("/api/v1/activatie", json=veel)
    assert response.status_code == 422 and len(response.json["errors"]) <= 21
    assert "En nog" in response.json["errors"]["verzoek"][0]


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50 + b"1" + b"}" * 50])
def test_deeply_nested_json_is_a_dutch_400(client, world, body):
    koppeling(world)
    response = client.post(URL, data=body, headers={**bearer(), "Content-Type": "application/json"})
    assert response.status_code == 400 and "te diep genest" in response.json["message"]


@pytest.mark.parametrize(("waarde", "woord"), [("\ud800", "ongeldige Unicode"), ("a\x00b", "NUL")])
def test_a_lone_surrogate_or_nul_anywhere_is_refused_with_the_field(client, world, waarde, woord):
    koppeling(world)
    body = json.dumps(aanvraag(oso=_klein(), beschrijving=waarde)).encode()  # json.dumps escapes: \\ud800, \\u0000
    response = client.post(URL, data=body, headers={**bearer(), "Content-Type": "application/json"})
    assert response.status_code == 422 and woord in response.json["message"]
    assert "beschrijving" in response.json["errors"]
    assert _count(Hulpvraag) == 0


@pytest.mark.parametrize("soort", ["application/x-www-form-urlencoded", "text/plain", None])
def test_a_wrong_content_type_is_415_not_a_list_of_required_fields(client, world, soort):
    koppeling(world)
    headers = {**bearer(), **({"Content-Type": soort} if soort else {})}
    response = client.post(URL, data=json.dumps(aanvraag(oso=_klein())), headers=headers)
    assert response.status_code == 415 and "JSON" in response.json["message"] and not response.json["errors"]


# --- §7 smaller items ------------------------------------------------------------------------------
def test_a_title_matches_the_list_ignoring_case_and_spaces_and_a_resend_updates_it_in_the_history(client, world):
    koppeling(world)
    response = client.post(URL, json=aanvraag(oso=_klein(), korte_omschrijving="  tlv   -nieuw "), headers=bearer())
    assert response.status_code == 200 and response.json["titel"] == "TLV -Nieuw"
    assert response.json["titel_onbekend"] is False
    response = client.post(URL, json=aanvraag(oso=_klein(), korte_omschrijving="Thuiszitter"), headers=bearer())
    assert response.status_code == 200 and response.json["titel"] == "Thuiszitter"
    db.session.expire_all()
    assert db.session.scalars(sa.select(Hulpvraag)).one().titel == "Thuiszitter"
    entry = db.session.scalars(sa.select(AuditEntry).filter_by(actie="wijzigen", object_type="hulpvraag")).one()
    assert "titel gewijzigd van 'TLV -Nieuw' in 'Thuiszitter'" in entry.detail


def test_an_empty_opp_object_means_no_opp(client, world):
    koppeling(world)
    response = client.post(URL, json=aanvraag(oso=_klein(), opp={}), headers=bearer())
    assert response.status_code == 200, response.json


@pytest.mark.parametrize(("veld", "waarde"), [("lvs_referentie", "   "), ("korte_omschrijving", " \t ")])
def test_blank_values_are_refused(client, world, veld, waarde):
    koppeling(world)
    response = client.post(URL, json=aanvraag(oso=_klein(), **{veld: waarde}), headers=bearer())
    assert response.status_code == 422 and "leeg" in response.json["errors"][veld][0]
    assert _count(LvsAanvraag) == 0


def test_an_empty_achternaam_is_refused(app, client, world):
    app.config["OSO_XSD_PATH"] = None  # also without the schema (it refuses an empty element by itself)
    koppeling(world)
    xml = _klein().replace(b"<achternaam>Berg</achternaam>", b"<achternaam> </achternaam>")
    response = client.post(URL, json=aanvraag(oso=xml), headers=bearer())
    assert response.status_code == 422 and "achternaam" in response.json["message"]
    assert _count(Hulpvraag) == 0


@pytest.mark.parametrize("url", [
    "http://lvs.example/status", "https://127.0.0.1/x", "https://[::1]/x", "https://169.254.169.254/latest",
    "https://10.0.0.5/x", "https://192.168.1.2/x", "https://localhost/x", "https://lvs.internal/x",
    "https://intranet/x", "https://[fe80::1]/x",
])  # fmt: skip
def test_a_callback_url_must_be_https_to_a_public_host(client, world, url):
    login(client, "beheerder")
    page = client.get("/beheer/koppelingen")
    response = client.post("/beheer/koppelingen", data={
        "csrf_token": csrf_token(page.text), "school_id": world.scholen[0].id, "lvs_type": "esis",
        "omgeving": "", "verificatiecode": CODE_A, "callback_url": url})  # fmt: skip
    assert response.status_code == 422
    assert _count(Koppeling) == 0


def test_loopback_is_allowed_only_with_the_development_setting(app):
    from workflow.koppelingen import url_fout

    assert url_fout("http://127.0.0.1:8080/x") is not None
    app.config["LVS_CALLBACK_ONVEILIG"] = True
    assert url_fout("http://127.0.0.1:8080/x") is None and url_fout("http://localhost/x") is None
    assert url_fout("https://10.0.0.5/x") is not None, "private addresses stay refused"


def _post(client, url: str, **data):  # type: ignore[no-untyped-def]
    page = client.get("/beheer/koppelingen")
    return client.post(url, data={"csrf_token": csrf_token(page.text), **data})


def test_a_beheerder_reactivates_a_koppeling_changes_its_callback_url_and_rotates_its_secrets(client, world):
    row, geheim = koppeling(world, callback_url="https://lvs.example/status")
    login(client, "beheerder")
    assert _post(client, f"/beheer/koppelingen/{row.id}/deactiveren").status_code == 302
    assert client.get("/api/v1/koppeling", headers=bearer()).status_code == 401
    assert _post(client, f"/beheer/koppelingen/{row.id}/heractiveren").status_code == 302
    assert client.get("/api/v1/koppeling", headers=bearer()).status_code == 200

    assert _post(client, f"/beheer/koppelingen/{row.id}/callback", callback_url="https://10.1.2.3/x").status_code == 422
    assert _post(client, f"/beheer/koppelingen/{row.id}/callback",
                 callback_url="https://lvs2.example/push").status_code == 302  # fmt: skip
    rotated = _post(client, f"/beheer/koppelingen/{row.id}/geheim")
    db.session.expire_all()
    nieuw = db.session.get(Koppeling, row.id)
    assert nieuw.callback_url == "https://lvs2.example/push" and nieuw.callback_secret != geheim
    assert nieuw.callback_secret in rotated.text, "the new secret is shown once"

    nieuwe_code = "00YY00-een-heel-nieuwe-code-1"
    assert _post(client, f"/beheer/koppelingen/{row.id}/code", verificatiecode="kort").status_code == 422
    assert _post(client, f"/beheer/koppelingen/{row.id}/code", verificatiecode=nieuwe_code).status_code == 302
    db.session.expire_all()
    assert db.session.get(Koppeling, row.id).code_digest == code_digest(nieuwe_code)
    assert client.get("/api/v1/koppeling", headers=bearer(CODE_A)).status_code == 401
    assert client.get("/api/v1/koppeling", headers=bearer(nieuwe_code)).status_code == 200
    details = set(db.session.scalars(sa.select(AuditEntry.detail).filter_by(object_type="koppeling")))
    assert {"weer aangezet", "callback-URL gewijzigd", "callbackgeheim vervangen", "verificatiecode vervangen"} <= details
    assert nieuwe_code not in client.get("/beheer/koppelingen").text
