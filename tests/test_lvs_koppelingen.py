"""The beheerder's side of the LVS link, the pushes back to the LVS, and the OSO view on a hulpvraag."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import sqlalchemy as sa

from models import Hulpvraag, HumanTask, Koppeling, LvsPush, User, db, utcnow
from tests import lvs_support
from tests.conftest import login, submit_form
from tests.lvs_support import CODE_A, aanvraag, bearer, koppeling
from workflow.engine.runtime import complete_task
from workflow.lvs_push import HANDTEKENING, TIJDSTIP, bezorg_wachtende_pushes


@pytest.fixture(autouse=True)
def _xsd(app):  # type: ignore[no-untyped-def]
    pad = lvs_support.XSD
    assert pad.exists(), f"the OSO schema is missing: {pad}"
    app.config["OSO_XSD_PATH"] = str(pad)


# --- beheer --------------------------------------------------------------------------------------
def _registreer(client, world, code: str, **extra: str):  # type: ignore[no-untyped-def]
    data = {"school_id": str(world.scholen[0].id), "lvs_type": "esis", "omgeving": "productie",
            "verificatiecode": code, **extra}  # fmt: skip
    return submit_form(client, "/beheer/koppelingen", data)


def test_a_code_that_does_not_fit_the_school_is_refused_in_dutch_and_nothing_saved(client, world):
    login(client, "beheerder")
    te_kort = _registreer(client, world, "00YY00-kort")
    assert te_kort.status_code == 422 and "20 tot 50 tekens" in te_kort.text
    andere_school = _registreer(client, world, "01AB00-esis-koppeling-test")
    assert andere_school.status_code == 422 and "moet beginnen met BRIN en vestigingscode" in andere_school.text
    assert "01AB00-esis-koppeling-test" not in andere_school.text, "a typed code is never sent back"
    slechte_url = _registreer(client, world, CODE_A, callback_url="ftp://lvs.example/x")
    assert slechte_url.status_code == 422 and "https-URL" in slechte_url.text
    assert db.session.scalar(sa.select(sa.func.count(Koppeling.id))) == 0


def test_a_registered_code_is_never_shown_again_and_activation_becomes_visible(client, world):
    login(client, "beheerder")
    page = _registreer(client, world, CODE_A, callback_url="https://lvs.example/status")
    assert page.status_code == 200 and "Koppeling geregistreerd" in page.text and "Callbackgeheim" in page.text
    row = db.session.scalars(sa.select(Koppeling)).one()
    assert row.callback_secret and row.callback_secret in page.text  # shown this once
    assert CODE_A not in page.text and CODE_A not in repr([tuple(r) for r in db.session.execute(sa.select(Koppeling.__table__))])
    lijst = client.get("/beheer/koppelingen")
    assert "Nog niet geactiveerd" in lijst.text and CODE_A not in lijst.text and row.callback_secret not in lijst.text
    again = _registreer(client, world, CODE_A)
    assert again.status_code == 422 and "al in gebruik" in again.text

    activated = client.post("/api/v1/activatie", json={"verificatiecode": CODE_A, "naam": "Ingrid de Vries",
                                                       "toestemming": True})  # fmt: skip
    assert activated.status_code == 200
    lijst = client.get("/beheer/koppelingen")
    assert "Ingrid de Vries" in lijst.text and "Nog niet geactiveerd" not in lijst.text


def test_refused_calls_are_visible_to_the_beheerder_and_deactivation_stops_the_lvs(client, world):
    koppeling(world)
    client.post("/api/v1/aanvragen", json=aanvraag(swv_code="PO9999"), headers=bearer())
    login(client, "beheerder")
    lijst = client.get("/beheer/koppelingen")
    assert "niet voor dit samenwerkingsverband" in lijst.text
    row = db.session.scalars(sa.select(Koppeling)).one()
    token_page = client.get("/beheer/koppelingen")
    from tests.conftest import csrf_token

    client.post(f"/beheer/koppelingen/{row.id}/deactiveren", data={"csrf_token": csrf_token(token_page.text)})
    assert client.get("/api/v1/koppeling", headers=bearer()).status_code == 401
    assert "uitgezet" in client.get("/beheer/koppelingen").text


@pytest.mark.parametrize("username", ["scp", "aanvrager", "procesbeheerder"])
def test_only_a_beheerder_sees_the_koppelingen(client, world, username):
    login(client, username)
    assert client.get("/beheer/koppelingen").status_code == 404


def test_the_system_account_of_a_koppeling_cannot_log_in(client, world):
    row, _ = koppeling(world)
    user = db.session.get(User, row.systeemgebruiker_id)
    assert user is not None and user.password_hash is None and not user.check_password("")
    page = client.get("/login")
    from tests.conftest import csrf_token

    response = client.post("/login", data={"username": user.username, "password": "x" * 12,
                                           "csrf_token": csrf_token(page.text)})  # fmt: skip
    assert response.status_code in (200, 401) and "/login/code" not in response.headers.get("Location", "")


# --- the hulpvraag page and the OSO view -----------------------------------------------------------
def test_the_hulpvraag_shows_its_source_and_the_oso_dossier_with_the_inzage_fields(client, world):
    koppeling(world)
    client.post("/api/v1/aanvragen", json=aanvraag(), headers=bearer())
    hulpvraag = db.session.scalars(sa.select(Hulpvraag)).one()
    login(client, "aanvrager")
    page = client.get(f"/hulpvragen/{hulpvraag.id}")
    assert "ESIS (leerlingvolgsysteem)" in page.text and f"/hulpvragen/{hulpvraag.id}/oso" in page.text
    oso = client.get(f"/hulpvragen/{hulpvraag.id}/oso")
    assert oso.status_code == 200
    for text in ("Teveel zorggegevens in het dossier", "Testschool", "Berg", "Toelichting.pdf"):
        assert text in oso.text, text


@pytest.mark.parametrize(("username", "expected"), [("aanvrager2", 404), ("scp2", 404), ("scp", 200), ("beheerder", 200)])
def test_the_oso_view_follows_the_hulpvraags_visibility(client, world, username, expected):
    koppeling(world)
    client.post("/api/v1/aanvragen", json=aanvraag(), headers=bearer())
    hulpvraag = db.session.scalars(sa.select(Hulpvraag)).one()
    login(client, username)
    assert client.get(f"/hulpvragen/{hulpvraag.id}/oso").status_code == expected
    assert client.get(f"/hulpvragen/{hulpvraag.id + 100}/oso").status_code == 404


# --- pushes --------------------------------------------------------------------------------------
class _Lvs(BaseHTTPRequestHandler):
    """A tiny LVS: answers the queued codes in turn, records what it received."""

    answers: list[int] = []
    received: list[tuple[bytes, str]] = []
    tijdstippen: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((body, self.headers.get(HANDTEKENING, "")))
        type(self).tijdstippen.append(self.headers.get(TIJDSTIP, ""))
        self.send_response(type(self).answers.pop(0) if type(self).answers else 200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def lvs_server(app):  # type: ignore[no-untyped-def]
    app.config["LVS_CALLBACK_ONVEILIG"] = True  # a test LVS on 127.0.0.1 over http (development setting)
    _Lvs.answers, _Lvs.received, _Lvs.tijdstippen = [], [], []
    server = HTTPServer(("127.0.0.1", 0), _Lvs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_status_change_is_pushed_signed_retried_after_a_500_and_then_delivered(client, world, lvs_server):
    url = f"http://127.0.0.1:{lvs_server.server_port}/status"
    row, geheim = koppeling(world, callback_url=url)
    assert geheim
    client.post("/api/v1/aanvragen", json=aanvraag(), headers=bearer())
    assert db.session.scalar(sa.select(sa.func.count(LvsPush.id))) == 0, "the creation is in the answer, not pushed"

    _Lvs.answers = [500]
    hulpvraag = db.session.scalars(sa.select(Hulpvraag)).one()
    task = db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, bpmn_id="beoordelen")).one()
    complete_task(task.id, world.users["scp"], {"besluit": "dossier_incompleet", "reden": "Niet compleet.",
                                                 "ontbreekt": "OPP"})  # fmt: skip
    db.session.commit()  # the push task runs after this commit (eager in tests)
    db.session.expire_all()
    push = db.session.scalars(sa.select(LvsPush)).one()
    assert (push.status, push.pogingen, push.response_code) == ("wachtrij", 1, 500)
    assert push.volgende_poging_op > utcnow() and "HTTP 500" in (push.laatste_fout or "")

    assert bezorg_wachtende_pushes() == 0, "not due yet: the backoff holds"
    push.volgende_poging_op = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert bezorg_wachtende_pushes() == 1
    db.session.expire_all()
    push = db.session.get(LvsPush, push.id)
    assert push.status == "verzonden" and push.pogingen == 2 and push.verzonden_op is not None

    assert len(_Lvs.received) == 2
    body, signature = _Lvs.received[-1]
    tijdstip = _Lvs.tijdstippen[-1]
    assert abs(int(tijdstip) - time.time()) < 60, "the signed timestamp lets the LVS refuse a replay"
    signed = f"{tijdstip}.".encode() + body
    assert signature == "sha256=" + hmac.new(geheim.encode(), signed, hashlib.sha256).hexdigest()
    assert signature != "sha256=" + hmac.new(geheim.encode(), body, hashlib.sha256).hexdigest()
    sent = json.loads(body)
    assert sent["aanvraagnummer"] == hulpvraag.aanvraagnummer and sent["lvs_status"] == "Dossier incompleet"
    assert sent["lvs_referentie"] == "ESIS-0001"

    login(client, "beheerder")
    assert "Afgeleverd na 2 poging(en)" in client.get("/beheer/koppelingen").text


def test_a_push_that_keeps_failing_ends_as_mislukt(client, world, lvs_server):
    from workflow import lvs_push

    row, _ = koppeling(world, callback_url=f"http://127.0.0.1:{lvs_server.server_port}/status")
    client.post("/api/v1/aanvragen", json=aanvraag(), headers=bearer())
    _Lvs.answers = [503] * lvs_push.MAX_POGINGEN
    hulpvraag = db.session.scalars(sa.select(Hulpvraag)).one()
    task = db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, bpmn_id="beoordelen")).one()
    complete_task(task.id, world.users["scp"], {"besluit": "afgewezen", "reden": "Past niet."})
    db.session.commit()
    for _ in range(lvs_push.MAX_POGINGEN):
        db.session.execute(sa.update(LvsPush).values(volgende_poging_op=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        bezorg_wachtende_pushes()
    db.session.expire_all()
    push = db.session.scalars(sa.select(LvsPush)).one()
    assert push.status == "mislukt" and push.pogingen == lvs_push.MAX_POGINGEN
    assert "HTTP 503" in (db.session.get(Koppeling, row.id).laatste_fout or "")


def test_two_deliveries_of_one_push_at_once_post_it_once(app, client, world, lvs_server):
    from concurrent.futures import ThreadPoolExecutor

    from workflow.lvs_push import bezorg

    row, _ = koppeling(world, callback_url=f"http://127.0.0.1:{lvs_server.server_port}/status")
    client.post("/api/v1/aanvragen", json=aanvraag(), headers=bearer())
    app.config["CELERY_ALWAYS_EAGER"] = True
    hulpvraag = db.session.scalars(sa.select(Hulpvraag)).one()
    push = LvsPush(koppeling_id=row.id, hulpvraag_id=hulpvraag.id, body="{}")
    db.session.add(push)
    db.session.commit()

    def deliver(_i: int) -> bool:
        with app.app_context():
            try:
                return bezorg(push.id)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=5) as pool:
        results = list(pool.map(deliver, range(5)))
    assert results.count(True) == 1 and len(_Lvs.received) == 1
