"""The change sequence of the LVS link: every status change of an LVS aanvraag is one ``LvsWijziging``,
numbered per koppeling when its transaction commits (polling and pushes carry the same number and time).

Why at commit: a number (or a timestamp) taken when the change is made can become visible after a
higher one, when its transaction commits later; a poller that already moved past it never sees it.
Here the committing transaction raises ``Koppeling.wijziging_teller`` as its last statement, and that
row lock is held until COMMIT: the next transaction gets the next number only after this one is
visible. So "every change with a number above the last one I saw" misses nothing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from models import Hulpvraag, Koppeling, LvsAanvraag, LvsPush, db, utcnow
from models.lvs import LvsWijziging
from workflow import statussen

_OPEN = "lvs_wijzigingen_open"
_STAP = timedelta(microseconds=1)
MAX_PER_KEER = 500  # rows per polling answer (the API documents it; LVS_POLL_MAX overrides it in tests)


def lvs_status(status: str) -> str:
    """Our status on the LVS's short list, as statussen.yaml maps it; anything unforeseen is 'In behandeling'."""
    return statussen.lvs_status(status) or "In behandeling"


def noteer(koppeling_id: int, hulpvraag_id: int, status: str, reden: str) -> LvsWijziging:
    """Record one change in the current transaction; it gets its number when the transaction commits."""
    wijziging = LvsWijziging(koppeling_id=koppeling_id, hulpvraag_id=hulpvraag_id, status=status[:200],
                             reden=reden or "")  # fmt: skip
    db.session.add(wijziging)
    db.session.info.setdefault(_OPEN, []).append(wijziging)
    return wijziging


@event.listens_for(Session, "before_commit")
def _nummer(session: Session) -> None:
    open_ = [w for w in session.info.pop(_OPEN, []) if w.volgnummer is None and w in session]
    if not open_:
        return
    session.flush()
    per_koppeling: dict[int, list[LvsWijziging]] = defaultdict(list)
    for wijziging in sorted(open_, key=lambda w: w.id):
        per_koppeling[wijziging.koppeling_id].append(wijziging)
    for koppeling_id in sorted(per_koppeling):  # one lock order: no deadlock between two committers
        rijen = per_koppeling[koppeling_id]
        session.execute(sa.update(Koppeling).where(Koppeling.id == koppeling_id)
                        .values(wijziging_teller=Koppeling.wijziging_teller + len(rijen))
                        .execution_options(synchronize_session=False))  # fmt: skip
        hoogste = session.scalar(sa.select(Koppeling.wijziging_teller).where(Koppeling.id == koppeling_id)) or 0
        eerste = hoogste - len(rijen) + 1
        vorige = session.scalar(sa.select(LvsWijziging.gewijzigd_op).where(
            LvsWijziging.koppeling_id == koppeling_id, LvsWijziging.volgnummer == eerste - 1))  # fmt: skip
        # Taken under the lock, and strictly increasing per koppeling (one microsecond apart at least), so
        # 'sinds' with the time of the last change seen is exact too.
        nu = max(utcnow(), vorige + _STAP) if vorige is not None else utcnow()
        for i, wijziging in enumerate(rijen):
            wijziging.volgnummer, wijziging.gewijzigd_op = eerste + i, nu + i * _STAP
    pushes = session.scalars(sa.select(LvsPush).where(LvsPush.wijziging_id.in_([w.id for w in open_]))).all()
    for push in pushes:
        push.body = json.dumps(_bericht(session, push.wijziging_id), sort_keys=True)
    session.flush()


@event.listens_for(Session, "after_rollback")
def _vergeet(session: Session) -> None:
    session.info.pop(_OPEN, None)


def _bericht(session: Session, wijziging_id: int | None) -> dict[str, Any]:
    query = _query().where(LvsWijziging.id == wijziging_id)
    row = session.execute(query).one()
    return als_bericht(*row)


def _query() -> sa.Select[tuple[LvsWijziging, LvsAanvraag, Hulpvraag]]:
    return (
        sa.select(LvsWijziging, LvsAanvraag, Hulpvraag)
        .join(LvsAanvraag, sa.and_(LvsAanvraag.hulpvraag_id == LvsWijziging.hulpvraag_id,
                                   LvsAanvraag.koppeling_id == LvsWijziging.koppeling_id))
        .join(Hulpvraag, Hulpvraag.id == LvsWijziging.hulpvraag_id)
    )  # fmt: skip


def als_bericht(wijziging: LvsWijziging, row: LvsAanvraag, hulpvraag: Hulpvraag) -> dict[str, Any]:
    """One change as the API and a push report it."""
    assert wijziging.gewijzigd_op is not None
    return {
        "aanvraagnummer": hulpvraag.aanvraagnummer, "lvs_referentie": row.lvs_referentie,
        "status": wijziging.status, "lvs_status": lvs_status(wijziging.status), "reden": wijziging.reden,
        "titel": hulpvraag.titel, "titel_onbekend": hulpvraag.titel_onbekend,
        "wijziging_id": wijziging.volgnummer, "gewijzigd_op": wijziging.gewijzigd_op.isoformat(),
    }  # fmt: skip


def laatste(hulpvraag_id: int) -> LvsWijziging | None:
    query = sa.select(LvsWijziging).where(LvsWijziging.hulpvraag_id == hulpvraag_id,
                                          LvsWijziging.volgnummer.is_not(None))  # fmt: skip
    return db.session.scalars(query.order_by(LvsWijziging.id.desc()).limit(1)).first()


@dataclass(frozen=True)
class Pagina:
    aanvragen: list[dict[str, Any]]
    volgende: int  # pass as ``na`` next time
    tot: datetime | None  # the time of the last change returned (pass as ``sinds``), None when nothing new
    meer: bool  # the answer was cut at the cap: ask again right away


def na(koppeling_id: int, vanaf: int, limiet: int = MAX_PER_KEER) -> Pagina:
    """This koppeling's changes numbered after ``vanaf``, in order, at most ``limiet``."""
    query = _query().where(LvsWijziging.koppeling_id == koppeling_id, LvsWijziging.volgnummer > vanaf)
    return _pagina(query.order_by(LvsWijziging.volgnummer).limit(limiet + 1), vanaf, limiet)


def sinds(koppeling_id: int, moment: datetime, limiet: int = MAX_PER_KEER) -> Pagina:
    """The same by time: changes with ``gewijzigd_op`` after ``moment`` (times too are given in commit order)."""
    query = _query().where(LvsWijziging.koppeling_id == koppeling_id, LvsWijziging.volgnummer.is_not(None),
                           LvsWijziging.gewijzigd_op > moment)  # fmt: skip
    return _pagina(query.order_by(LvsWijziging.volgnummer).limit(limiet + 1), 0, limiet)


def _pagina(query: sa.Select[tuple[LvsWijziging, LvsAanvraag, Hulpvraag]], vanaf: int, limiet: int) -> Pagina:
    rows = db.session.execute(query).all()
    meer, rows = len(rows) > limiet, rows[:limiet]
    berichten = [als_bericht(*row) for row in rows]
    if not rows:
        return Pagina([], vanaf, None, False)
    laatste_rij = rows[-1][0]
    return Pagina(berichten, laatste_rij.volgnummer or vanaf, laatste_rij.gewijzigd_op, meer)
