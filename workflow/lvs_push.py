"""Back to the LVS: our status on its short list, changes since a moment (polling), and pushes of
every status change to a koppeling's callback URL through an outbox (``workflow/outbox.py``).

A push is signed: ``X-Kansrijk-Signature: sha256=<hex>``, the HMAC-SHA256 of the exact body under
the koppeling's callback secret. Delivery claims the row with a lease, so a duplicate task and
the sweep never post the same row at once; failures retry with backoff, ``mislukt`` after
``MAX_POGINGEN``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from celery import shared_task

from models import Hulpvraag, Koppeling, LvsAanvraag, LvsPush, Statuswijziging, db, utcnow
from workflow import statussen
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


def lvs_status(status: str) -> str:
    """Our status on the LVS's short list, as statussen.yaml maps it; anything unforeseen is 'In behandeling'."""
    return statussen.lvs_status(status) or "In behandeling"


# --- what the LVS reads ------------------------------------------------------------------------
def laatste_wijziging(hulpvraag_id: int) -> Statuswijziging | None:
    query = sa.select(Statuswijziging).where(Statuswijziging.hulpvraag_id == hulpvraag_id)
    return db.session.scalars(query.order_by(Statuswijziging.id.desc()).limit(1)).first()


def status_van(row: LvsAanvraag) -> dict[str, Any]:
    """The status of one aanvraag as the API and a push report it."""
    hulpvraag = row.hulpvraag
    assert hulpvraag is not None
    wijziging = laatste_wijziging(hulpvraag.id)
    return {
        "aanvraagnummer": hulpvraag.aanvraagnummer, "lvs_referentie": row.lvs_referentie,
        "status": hulpvraag.status, "lvs_status": lvs_status(hulpvraag.status),
        "reden": wijziging.reden if wijziging else "", "titel": hulpvraag.titel,
        "titel_onbekend": hulpvraag.titel_onbekend,
        "gewijzigd_op": (wijziging.created_at if wijziging else hulpvraag.created_at).isoformat(),
    }  # fmt: skip


@dataclass(frozen=True)
class Wijzigingen:
    aanvragen: list[dict[str, Any]]
    tot: datetime  # pass as ``sinds`` next time


def wijzigingen_sinds(koppeling_id: int, sinds: datetime, limiet: int = 500) -> Wijzigingen:
    """This koppeling's aanvragen whose status changed after ``sinds``, oldest change first."""
    tot = utcnow()
    laatste = (
        sa.select(Statuswijziging.hulpvraag_id, sa.func.max(Statuswijziging.created_at).label("op"))
        .where(Statuswijziging.created_at > sinds, Statuswijziging.created_at <= tot)
        .group_by(Statuswijziging.hulpvraag_id)
        .subquery()
    )
    query = (
        sa.select(LvsAanvraag)
        .join(laatste, laatste.c.hulpvraag_id == LvsAanvraag.hulpvraag_id)
        .where(LvsAanvraag.koppeling_id == koppeling_id)
        .order_by(laatste.c.op, LvsAanvraag.id)
        .limit(limiet)
    )
    return Wijzigingen([status_van(row) for row in db.session.scalars(query)], tot)


# --- queueing a push -----------------------------------------------------------------------------
@status_gewijzigd.connect
def _zet_in_wachtrij(hulpvraag: Hulpvraag, change: Statuswijziging, **_: Any) -> None:
    """Queue a push in the transaction of the status change, for LVS aanvragen with a callback URL."""
    if hulpvraag.bron == "web" or hulpvraag.id is None:
        return
    row = db.session.scalar(sa.select(LvsAanvraag).where(LvsAanvraag.hulpvraag_id == hulpvraag.id))
    if row is None or not row.koppeling.callback_url or not row.koppeling.actief:
        return  # not linked yet: the creation's statuses are in the API's answer
    body = {**status_van(row), "status": change.naar, "lvs_status": lvs_status(change.naar), "reden": change.reden}
    body["gewijzigd_op"] = utcnow().isoformat()
    push = LvsPush(koppeling_id=row.koppeling_id, hulpvraag_id=hulpvraag.id, body=json.dumps(body, sort_keys=True))
    db.session.add(push)
    db.session.flush()
    na_commit(db.session, bezorg_push, push.id)


# --- delivering -----------------------------------------------------------------------------------
def handtekening(geheim: str, body: bytes) -> str:
    return "sha256=" + hmac.new(geheim.encode(), body, hashlib.sha256).hexdigest()


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
    """Post one push; True when the LVS accepted it (2xx)."""
    if not _claim(push_id):
        return False
    push = db.session.get(LvsPush, push_id)
    assert push is not None
    koppeling = push.koppeling
    code, fout = _post(koppeling, push.body.encode())
    _noteer(push, koppeling, code, fout)
    db.session.commit()
    return fout is None


def _post(koppeling: Koppeling, body: bytes) -> tuple[int | None, str | None]:
    if not koppeling.callback_url or not koppeling.actief:
        return None, "De koppeling heeft geen callback-URL meer of is uitgezet."
    request = urllib.request.Request(koppeling.callback_url, data=body, method="POST", headers={  # noqa: S310 - http(s) only (checked at registration)
        "Content-Type": "application/json", "User-Agent": "Kansrijk-LVS-push/1",
        HANDTEKENING: handtekening(koppeling.callback_secret or "", body),
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
