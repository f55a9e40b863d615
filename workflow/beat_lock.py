"""Celery beat runs exactly once: a beat that starts while another holds the lock waits as a
standby and takes over when the first one stops (its lock goes with its process).

The lock lives where every worker already connects, so no extra service is needed:
- PostgreSQL: a session-level advisory lock on a connection of its own, held while beat runs;
- SQLite (one machine, development): an exclusive ``flock`` on ``<instance>/celerybeat.lock``.

Two beats by mistake would fire every periodic task twice; the timer sweep and the mail sweep
are safe against that anyway (row locks, leases), but the daily digest would go out twice.
"""

from __future__ import annotations

import fcntl
import logging
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from celery.signals import beat_init

log = logging.getLogger(__name__)
LOCK_KEY = 0x4B616E73  # "Kans": the advisory lock id of beat
RETRY_S = 5.0

_held: list[Any] = []  # the connection or file that holds the lock, for the life of the process


def acquire(database_url: str, instance_path: str, wait: bool = True) -> bool:
    """Take the beat lock; with ``wait`` block (as a standby) until it is free."""
    url = sa.engine.make_url(database_url)
    first = True
    while True:
        if _try(url, instance_path):
            log.info("beat: lock acquired, this beat schedules the periodic tasks")
            return True
        if not wait:
            return False
        if first:
            log.warning("beat: another beat holds the lock; this one waits as a standby")
            first = False
        time.sleep(RETRY_S)


def _try(url: sa.engine.URL, instance_path: str) -> bool:
    if url.get_backend_name() == "postgresql":
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        connection = engine.connect()
        if connection.scalar(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}):
            connection.commit()
            _held.append(connection)  # the session (and so the lock) lives as long as this process
            return True
        connection.close()
        engine.dispose()
        return False
    path = Path(instance_path) / "celerybeat.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return False
    _held.append(handle)
    return True


@beat_init.connect
def _on_beat_init(sender: Any = None, **_: Any) -> None:
    app = sender.app if sender is not None else None
    conf = app.conf if app is not None else {}
    database_url = conf.get("kansrijk_database_url")
    if database_url:
        acquire(database_url, conf.get("kansrijk_instance_path", "instance"))
