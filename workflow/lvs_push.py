"""Back to the LVS: our status on its short list (``status_van``) and pushes of every status change to
a koppeling's callback URL through an outbox (``workflow/outbox.py``). The numbered changes that polling
reads and each push carries are in ``workflow/lvs_wijzigingen.py``.

A push is signed: ``X-Kansrijk-Timestamp: <unix seconds>`` and ``X-Kansrijk-Signature: sha256=<hex>``,
the HMAC-SHA256 under the koppeling's callback secret of ``<timestamp>.<exact body>``. A receiver
recomputes it, refuses a timestamp more than 5 minutes from its clock, and ignores a ``wijziging_id``
it already has (or lower than the last one of that aanvraag): a captured push cannot be replayed.

Order per hulpvraag: a push is only posted when no older push of the same hulpvraag is on its way;
older ones still waiting are dropped as ``vervangen`` (the newer one carries the current status), so
a retried older status never overtakes a newer one. Delivery claims the row with a lease, so a
duplicate task and the sweep never post the same row at once; failures retry with backoff,
``mislukt`` after ``MAX_POGINGEN``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import socket
import time
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from celery import shared_task

from models import Hulpvraag, Koppeling, LvsAanvraag, LvsPush, Statuswijziging, db, utcnow
from workflow import lvs_wijzigingen
from workflow.koppelingen import adres_fout, onveilig_toegestaan, url_fout
from workflow.lvs_wijzigingen import lvs_status
from workflow.outbox import na_commit, volgende_poging
from workflow.signals import status_gewijzigd

log = logging.getLogger(__name__)
# The LVS's short list (domain.md §4): its contract, fixed here. Which of our statuses maps onto
# which entry is the process owner's, in bpmn/statussen.yaml (workflow/statussen.py).
LVS_STATUSSEN = ("Nieuw", "Dossier incompleet", "Dossier compleet", "In beraad", "Gearrangeerd",
                 "In behandeling", "Afgerond", "Afgewezen")  # fmt: skip
MAX_POGINGEN = 8
LEASE = timedelta(minutes=2)
TIMEOUT_SECONDEN = 10
HANDTEKENING = "X-Kansrijk-Signature"
TIJDSTIP = "X-Kansrijk-Timestamp"
WACHT_OP_OUDERE = timedelta(seconds=5)  # a newer push waits while an older one of its hulpvraag is in flight


# --- what the LVS reads ------------------------------------------------------------------------
def laatste_wijziging(hulpvraag_id: int) -> Statuswijziging | None:
    query = sa.select(Statuswijziging).where(Statuswijziging.hulpvraag_id == hulpvraag_id)
    return db.session.scalars(query.order_by(Statuswijziging.id.desc()).limit(1)).first()


def status_van(row: LvsAanvraag) -> dict[str, Any]:
    """The status of one aanvraag as the API reports it: its last numbered change (as it was pushed)."""
    hulpvraag = row.hulpvraag
    assert hulpvraag is not None
    gezien = lvs_wijzigingen.laatste(hulpvraag.id)
    if gezien is not None and gezien.status == hulpvraag.status:
        return lvs_wijzigingen.als_bericht(gezien, row, hulpvraag)
    wijziging = laatste_wijziging(hulpvraag.id)  # a change not numbered yet (inside its own transaction)
    return {
        "aanvraagnummer": hulpvraag.aanvraagnummer, "lvs_referentie": row.lvs_referentie,
        "status": hulpvraag.status, "lvs_status": lvs_status(hulpvraag.status),
        "reden": wijziging.reden if wijziging else "", "titel": hulpvraag.titel,
        "titel_onbekend": hulpvraag.titel_onbekend, "wijziging_id": gezien.volgnummer if gezien else 0,
        "gewijzigd_op": (wijziging.created_at if wijziging else hulpvraag.created_at).isoformat(),
    }  # fmt: skip


# --- queueing a push -----------------------------------------------------------------------------
@status_gewijzigd.connect
def _zet_in_wachtrij(hulpvraag: Hulpvraag, change: Statuswijziging, **_: Any) -> None:
    """Number the change for polling and, with a callback URL, queue its push: both in the transaction
    of the status change (the body is written when it commits, with the change's number and time)."""
    if hulpvraag.bron == "web" or hulpvraag.id is None:
        return
    row = db.session.scalar(sa.select(LvsAanvraag).where(LvsAanvraag.hulpvraag_id == hulpvraag.id))
    if row is None:
        return  # not linked yet: the creation records its own change (workflow/lvs.py)
    wijziging = lvs_wijzigingen.noteer(row.koppeling_id, hulpvraag.id, change.naar, change.reden)
    if not row.koppeling.callback_url or not row.koppeling.actief:
        return
    db.session.flush()
    push = LvsPush(koppeling_id=row.koppeling_id, hulpvraag_id=hulpvraag.id, body="", wijziging_id=wijziging.id)
    db.session.add(push)
    db.session.flush()
    na_commit(db.session, bezorg_push, push.id)


# --- delivering -----------------------------------------------------------------------------------
def handtekening(geheim: str, tijdstip: int, body: bytes) -> str:
    """The signature of a push sent at ``tijdstip`` (unix seconds): HMAC-SHA256 of ``<tijdstip>.<body>``."""
    return "sha256=" + hmac.new(geheim.encode(), f"{tijdstip}.".encode() + body, hashlib.sha256).hexdigest()


@shared_task(ignore_result=True)
def bezorg_push(push_id: int) -> bool:
    return bezorg(push_id)


@shared_task(ignore_result=True)
def bezorg_wachtende_pushes() -> int:
    """The sweep (beat): every push that is due, also those whose task was lost."""
    query = sa.select(LvsPush.id).where(LvsPush.status == "wachtrij", LvsPush.volgende_poging_op <= utcnow())
    return sum(bezorg(push_id) for push_id in list(db.session.scalars(query.order_by(LvsPush.id).limit(200))))


def _claim(push_id: int) -> bool:
    """Take the lease (one committed UPDATE): False when the row is not due or someone else has it."""
    nu = utcnow()
    result = db.session.execute(
        sa.update(LvsPush)
        .where(LvsPush.id == push_id, LvsPush.status == "wachtrij", LvsPush.volgende_poging_op <= nu,
               sa.or_(LvsPush.lease_tot.is_(None), LvsPush.lease_tot < nu))
        .values(lease_tot=nu + LEASE)
    )  # fmt: skip
    db.session.commit()
    return bool(getattr(result, "rowcount", 0))


def bezorg(push_id: int) -> bool:
    """Post one push when no older push of its hulpvraag is on its way; True when the LVS accepted it."""
    if not _claim(push_id):
        return False
    push = db.session.get(LvsPush, push_id)
    assert push is not None
    if not _eerst_de_oudere(push):
        return False
    koppeling = push.koppeling
    code, fout = _post(koppeling, push.body.encode())
    _noteer(push, koppeling, code, fout)
    db.session.commit()
    return fout is None


def _ouder(push: LvsPush) -> sa.ColumnElement[bool]:
    return sa.and_(LvsPush.hulpvraag_id == push.hulpvraag_id, LvsPush.koppeling_id == push.koppeling_id,
                   LvsPush.id < push.id, LvsPush.status == "wachtrij")  # fmt: skip


def _eerst_de_oudere(push: LvsPush) -> bool:
    """Drop the older pushes still waiting (superseded by this one); when an older one is being posted
    right now, hand this one back to wait a moment. Committed either way."""
    nu = utcnow()
    db.session.execute(
        sa.update(LvsPush).where(_ouder(push), sa.or_(LvsPush.lease_tot.is_(None), LvsPush.lease_tot < nu))
        .values(status="vervangen", lease_tot=None, laatste_fout=None)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    onderweg = db.session.scalar(sa.select(sa.func.count()).select_from(LvsPush).where(_ouder(push)))
    nieuwer = db.session.scalar(sa.select(sa.func.count()).select_from(LvsPush).where(
        LvsPush.hulpvraag_id == push.hulpvraag_id, LvsPush.koppeling_id == push.koppeling_id,
        LvsPush.id > push.id, LvsPush.status == "verzonden"))  # fmt: skip
    if nieuwer:
        push.status, push.lease_tot = "vervangen", None
    elif onderweg:
        push.lease_tot, push.volgende_poging_op = None, nu + WACHT_OP_OUDERE
        log.info("lvs push waits for an older one: push_id=%s", push.id)
    db.session.commit()
    return not (nieuwer or onderweg)


def _bestemming_fout(url: str) -> str | None:
    """Checked again at every delivery: the URL's rules, and every address its host resolves to now
    (a public name that later points inside the network is refused too)."""
    if melding := url_fout(url):
        return melding
    parts = urlsplit(url)
    try:
        adressen = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except (OSError, UnicodeError):
        return "De host van de callback-URL is niet te vinden."
    onveilig = onveilig_toegestaan()
    for adres in adressen:
        if melding := adres_fout(ipaddress.ip_address(str(adres).split("%")[0]), onveilig):
            return melding
    return None


def _post(koppeling: Koppeling, body: bytes) -> tuple[int | None, str | None]:
    if not koppeling.callback_url or not koppeling.actief:
        return None, "De koppeling heeft geen callback-URL meer of is uitgezet."
    if melding := _bestemming_fout(koppeling.callback_url):
        return None, melding
    tijdstip = int(time.time())
    request = urllib.request.Request(koppeling.callback_url, data=body, method="POST", headers={  # noqa: S310 - http(s) only (checked at registration)
        "Content-Type": "application/json", "User-Agent": "Kansrijk-LVS-push/1",
        TIJDSTIP: str(tijdstip), HANDTEKENING: handtekening(koppeling.callback_secret or "", tijdstip, body),
    })  # fmt: skip
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDEN) as response:
            return response.status, None
    except urllib.error.HTTPError as exc:
        return exc.code, f"Het LVS antwoordde met HTTP {exc.code}."
    except (urllib.error.URLError, OSError) as exc:
        reden = getattr(exc, "reason", exc)
        return None, f"Het LVS was niet bereikbaar ({type(reden).__name__})."


class _GeenRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer, never followed with the signed body


_OPENER = urllib.request.build_opener(_GeenRedirect)


def _noteer(push: LvsPush, koppeling: Koppeling, code: int | None, fout: str | None) -> None:
    push.response_code, push.lease_tot = code, None
    push.pogingen += 1
    if fout is None and code is not None and 200 <= code < 300:
        push.status, push.verzonden_op, push.laatste_fout = "verzonden", utcnow(), None
        return
    push.laatste_fout = (fout or f"Het LVS antwoordde met HTTP {code}.")[:300]
    koppeling.laatste_fout, koppeling.laatste_fout_op = f"Statusbericht: {push.laatste_fout}"[:300], utcnow()
    if push.pogingen >= MAX_POGINGEN:
        push.status = "mislukt"
        log.warning("lvs push failed for good: push_id=%s koppeling_id=%s", push.id, koppeling.id)
    else:
        push.volgende_poging_op = volgende_poging(push.pogingen)
        log.info("lvs push retry later: push_id=%s attempt=%s code=%s", push.id, push.pogingen, code)
