"""An increasing delay per account after failed logins: it stops guessing, never locks the owner out.

After ``LOGIN_DELAY_AFTER_FAILURES`` failures in a row, no password or code for that account is
checked for ``LOGIN_DELAY_SECONDS``; each further failure doubles the wait, up to
``LOGIN_DELAY_MAX_SECONDS``. A successful login clears the count; so does a quiet
``LOGIN_FAILURE_WINDOW_HOURS``. The state is a row in ``inlog_vertraging`` (shared by every web
process); attempts refused during a wait are not checked and do not count.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from models import InlogVertraging, db, utcnow


def _hash(sleutel: str) -> str:
    return hashlib.sha256(sleutel.encode()).hexdigest()


def _row(sleutel: str) -> InlogVertraging | None:
    return db.session.get(InlogVertraging, _hash(sleutel), populate_existing=True)


def wachttijd(sleutel: str, now: datetime | None = None) -> int:
    """Seconds before the next attempt for ``sleutel`` is checked; 0 when it may go ahead."""
    row = _row(sleutel)
    now = now or utcnow()
    if row is None or row.wacht_tot is None or row.wacht_tot <= now:
        return 0
    return max(1, math.ceil((row.wacht_tot - now).total_seconds()))


def mislukt(sleutel: str) -> int:
    """Count one failure (flushed); returns the seconds to wait from now (0: no wait yet)."""
    config, now, table = current_app.config, utcnow(), InlogVertraging
    if _row(sleutel) is None:
        _new_row(sleutel, now)
    stale = now - timedelta(hours=config["LOGIN_FAILURE_WINDOW_HOURS"])
    count = sa.case((table.laatste_at < stale, 1), else_=table.mislukt + 1)  # atomic across processes
    db.session.execute(sa.update(table).where(table.sleutel == _hash(sleutel)).values(mislukt=count, laatste_at=now))
    row = _row(sleutel)
    assert row is not None
    extra = row.mislukt - config["LOGIN_DELAY_AFTER_FAILURES"]
    if extra >= 0:
        seconds = min(config["LOGIN_DELAY_SECONDS"] * 2 ** min(extra, 30), config["LOGIN_DELAY_MAX_SECONDS"])
        row.wacht_tot = now + timedelta(seconds=seconds)
    db.session.flush()
    return wachttijd(sleutel, now)


def _new_row(sleutel: str, now: datetime) -> InlogVertraging:
    """Insert in a savepoint: another process may insert the same key at the same moment."""
    row = InlogVertraging(sleutel=_hash(sleutel), mislukt=0, laatste_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        existing = _row(sleutel)
        assert existing is not None
        return existing
    return row


def gelukt(sleutel: str) -> None:
    """The right password or code: the count starts again."""
    db.session.execute(sa.delete(InlogVertraging).where(InlogVertraging.sleutel == _hash(sleutel)))


def tekst(seconds: int) -> str:
    """'Probeer het over 4 minuten opnieuw.' (rounded up: never sooner than it works)."""
    if seconds < 60:
        return f"Probeer het over {seconds} {'seconde' if seconds == 1 else 'seconden'} opnieuw."
    minutes = math.ceil(seconds / 60)
    return f"Probeer het over {minutes} {'minuut' if minutes == 1 else 'minuten'} opnieuw."
