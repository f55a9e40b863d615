"""Issue 16 §3 and §4: polling never loses a change (numbers in commit order, a cursor, ``meer`` at
the cap) and pushes arrive in order per hulpvraag, with the same change id and time as the API."""

from __future__ import annotations

import json
import random
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import sqlalchemy as sa

from models import Hulpvraag, LvsPush, User, db, utcnow
from models.lvs import LvsWijziging
from tests import lvs_support
from tests.lvs_support import aanvraag, bearer, koppeling
from tests.oso_dossiers import OPTIONELE_ONDERDELEN, Leerling, dossier
from tests.race import race
from workflow.engine.runtime import set_status
from workflow.lvs_push import bezorg, bezorg_wachtende_pushes

URL = "/api/v1/aanvragen"


@pytest.fixture(autouse=True)
def _xsd(app):  # type: ignore[no-untyped-def]
    app.config["OSO_XSD_PATH"] = str(lvs_support.XSD)
    app.config["LVS_CALLBACK_ONVEILIG"] = True  # the test LVS listens on 127.0.0.1 over http


def _aanvragen(client, n: int) -> list[int]:  # type: ignore[no-untyped-def]
    """n aanvragen of n different pupils; their hulpvraag ids."""
    for i in range(n):
        leerling = Leerling(roepnaam=f"Kind{i}", voornamen=(f"Kind{i}",), leerlingid=f"LN{i:06d}")
        xml = dossier(leerling=leerling, zonder=OPTIONELE_ONDERDELEN[1:])
        response = client.post(URL, json=aanvraag(f"REF-{i}", oso=xml, bijlagen=[]), headers=bearer())
        assert response.status_code == 200, response.json
    return list(db.session.scalars(sa.select(Hulpvraag.id).order_by(Hulpvraag.id)))


def _poll(client, na: int):  # type: ignore[no-untyped-def]
    response = client.get(URL, query_string={"na": na}, headers=bearer())
    assert response.status_code == 200, response.json
    return response.json


def test_more_changes_than_the_cap_come_in_pages_with_meer_and_the_cursor_at_the_last_row(app, client, world):
    app.config["LVS_POLL_MAX"] = 5
    koppeling(world)
    ids = _aanvragen(client, 3)
    scp = db.session.scalar(sa.select(User).filter_by(username="scp"))
    for ronde in range(3):
        for hulpvraag_id in ids:
            set_status(db.session.get(Hulpvraag, hulpvraag_id), "In beraad" if ronde % 2 else "Dossier compleet",
                       f"ronde {ronde}", scp)  # fmt: skip
        db.session.commit()
    totaal = db.session.scalar(sa.select(sa.func.count()).select_from(LvsWijziging))
    assert totaal == 12
    gezien, na, pagina = [], 0, {"meer": True}
    while pagina["meer"]:
        pagina = _poll(client, na)
        assert len(pagina["aanvragen"]) <= 5
        if pagina["aanvragen"]:
            assert pagina["volgende"] == pagina["aanvragen"][-1]["wijziging_id"]
            assert pagina["tot"] == pagina["aanvragen"][-1]["gewijzigd_op"]
        gezien += [a["wijziging_id"] for a in pagina["aanvragen"]]
        na = pagina["volgende"]
    assert gezien == list(range(1, 13))
    assert _poll(client, na) == {"aanvragen": [], "volgende": 12, "tot": None, "meer": False}

    # by time as well: 'tot' is the last row returned, never "now"
    eerste = client.get(URL, query_string={"sinds": "2000-01-01T00:00:00+00:00"}, headers=bearer()).json
    assert eerste["meer"] is True and len(eerste["aanvragen"]) == 5
    rest = client.get(URL, query_string={"sinds": eerste["tot"]}, headers=bearer()).json
    assert [a["wijziging_id"] for a in rest["aanvragen"]] == [6, 7, 8, 9, 10]


def test_concurrent_writers_and_a_tight_poller_miss_no_change(app, client, world):
    koppeling(world)
    ids = _aanvragen(client, 4)
    klaar = threading.Event()
    gezien: list[int] = []

    def poller() -> None:
        poll_client = app.test_client()
        na = 0
        while True:
            einde = klaar.is_set()
            pagina = poll_client.get(URL, query_string={"na": na}, headers=bearer()).json
            gezien.extend(a["wijziging_id"] for a in pagina["aanvragen"])
            na = pagina["volgende"]
            if einde and not pagina["meer"]:
                return

    def writer(i: int) -> None:
        scp = db.session.scalar(sa.select(User).filter_by(username="scp"))
        for ronde in range(6):
            hulpvraag = db.session.get(Hulpvraag, ids[i])
            set_status(hulpvraag, "In beraad" if ronde % 2 else "Dossier compleet", f"w{i} r{ronde}", scp)
            db.session.flush()
            time.sleep(random.uniform(0, 0.02))  # a slow transaction: committed after a later one started
            db.session.commit()

    thread = threading.Thread(target=poller)
    thread.start()
    race(app, len(ids), writer)
    klaar.set()
    thread.join(timeout=120)
    db.session.expire_all()
    alle = sorted(db.session.scalars(sa.select(LvsWijziging.volgnummer)))
    assert len(alle) == 4 + 4 * 6
    assert gezien == alle, "every change seen once, in order"


def test_a_change_not_committed_yet_does_not_hold_a_number(app, client, world):
    koppeling(world)
    [hulpvraag_id] = _aanvragen(client, 1)
    scp = db.session.scalar(sa.select(User).filter_by(username="scp"))
    set_status(db.session.get(Hulpvraag, hulpvraag_id), "In beraad", "bezig", scp)
    db.session.flush()
    assert db.session.scalars(sa.select(LvsWijziging.volgnummer).order_by(LvsWijziging.id)).all() == [1, None]
    db.session.rollback()
    assert _poll(client, 0)["volgende"] == 1
    set_status(db.session.get(Hulpvraag, hulpvraag_id), "In beraad", "nu wel", scp)
    db.session.commit()
    assert [a["reden"] for a in _poll(client, 1)["aanvragen"]] == ["nu wel"]


# --- pushes --------------------------------------------------------------------------------------
class _Lvs(BaseHTTPRequestHandler):
    answers: list[int] = []
    received: list[dict] = []  # type: ignore[type-arg]

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        self.send_response(type(self).answers.pop(0) if type(self).answers else 200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def lvs_url():  # type: ignore[no-untyped-def]
    _Lvs.answers, _Lvs.received = [], []
    server = HTTPServer(("127.0.0.1", 0), _Lvs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/status"
    server.shutdown()
    server.server_close()


def _zet(hulpvraag_id: int, status: str, reden: str) -> None:
    scp = db.session.scalar(sa.select(User).filter_by(username="scp"))
    set_status(db.session.get(Hulpvraag, hulpvraag_id), status, reden, scp)
    db.session.commit()


def test_a_failed_older_push_never_overtakes_a_newer_one(client, world, lvs_url):
    koppeling(world, callback_url=lvs_url)
    [hulpvraag_id] = _aanvragen(client, 1)
    _Lvs.answers = [500]
    _zet(hulpvraag_id, "Dossier compleet", "eerste")  # its push fails and waits for a retry
    _zet(hulpvraag_id, "In beraad", "tweede")  # delivered at once: the older one is superseded
    db.session.expire_all()
    oud, nieuw = db.session.scalars(sa.select(LvsPush).order_by(LvsPush.id)).all()
    assert (oud.status, nieuw.status) == ("vervangen", "verzonden")
    db.session.execute(sa.update(LvsPush).values(volgende_poging_op=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert bezorg_wachtende_pushes() == 0
    assert [r["reden"] for r in _Lvs.received] == ["eerste", "tweede"], "the retry of 'eerste' is never sent"
    assert _Lvs.received[-1]["lvs_status"] == "In beraad"


def test_a_newer_push_waits_while_an_older_one_is_being_posted(app, client, world, lvs_url):
    koppeling(world, callback_url=lvs_url)
    [hulpvraag_id] = _aanvragen(client, 1)
    _Lvs.answers = [500]
    _zet(hulpvraag_id, "Dossier compleet", "eerste")
    oud = db.session.scalars(sa.select(LvsPush)).one()
    oud.lease_tot, oud.volgende_poging_op = utcnow() + timedelta(minutes=1), utcnow()  # a worker is posting it now
    db.session.commit()
    app.config["CELERY_ALWAYS_EAGER"] = False
    scp = db.session.scalar(sa.select(User).filter_by(username="scp"))
    set_status(db.session.get(Hulpvraag, hulpvraag_id), "In beraad", "tweede", scp)
    db.session.commit()
    nieuw = db.session.scalars(sa.select(LvsPush).order_by(LvsPush.id.desc())).first()
    assert bezorg(nieuw.id) is False and len(_Lvs.received) == 1
    db.session.expire_all()
    nieuw = db.session.get(LvsPush, nieuw.id)
    assert nieuw.status == "wachtrij" and nieuw.volgende_poging_op > utcnow() and nieuw.lease_tot is None


def test_push_poll_and_status_carry_the_same_change_id_and_time(client, world, lvs_url):
    koppeling(world, callback_url=lvs_url)
    [hulpvraag_id] = _aanvragen(client, 1)
    _zet(hulpvraag_id, "Dossier compleet", "compleet")
    push = _Lvs.received[-1]
    poll = _poll(client, 1)["aanvragen"][-1]
    status = client.get(f"{URL}/{push['aanvraagnummer']}", headers=bearer()).json
    for antwoord in (poll, status):
        assert (antwoord["wijziging_id"], antwoord["gewijzigd_op"]) == (push["wijziging_id"], push["gewijzigd_op"])
    assert push["wijziging_id"] == 2
