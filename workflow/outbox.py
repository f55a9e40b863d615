"""The outbox pattern shared by mails and LVS status pushes.

A change writes its outgoing message as a row in its own transaction. Only after that
transaction commits is a Celery task published for the row (``na_commit``); publishing
never fails a request: with the broker down the row simply waits for the periodic sweep.
Delivery claims a row with a lease (``claim``), so a duplicate task, a sweep and a
redelivered message after a killed worker never deliver the same row twice at once.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from models import utcnow

log = logging.getLogger(__name__)
_PUBLISH = "outbox_publish_after_commit"


def volgende_poging(pogingen: int, *, basis: float = 30.0, maximum: float = 3600.0) -> datetime:
    """When to try again after ``pogingen`` failed attempts: exponential backoff with full jitter."""
    wacht = min(maximum, basis * 2 ** max(0, pogingen - 1))
    return utcnow() + timedelta(seconds=random.uniform(wacht / 2, wacht))


def na_commit(session: Any, task: Any, *args: Any) -> None:
    """Publish ``task.apply_async(args)`` once ``session`` has committed; dropped on rollback."""
    session.info.setdefault(_PUBLISH, []).append((task, args))


@event.listens_for(Session, "after_commit")
def _publiceer(session: Session) -> None:
    if session.in_nested_transaction():
        return
    taken = session.info.pop(_PUBLISH, [])
    if not taken:
        return
    try:
        with taken[0][0].app.producer_or_acquire() as producer:
            # One connection attempt: kombu otherwise retries for seconds (broker_connection_timeout)
            # on every task, even with retry=False, and the request would wait for a broker that is down.
            producer.connection.ensure_connection(max_retries=0)
            for task, args in taken:
                task.apply_async(args, retry=False, producer=producer)
    except Exception as exc:  # broker down: the sweep re-queues these rows later
        log.warning("outbox: could not publish %d task(s) (%s); the sweep will pick them up", len(taken),
                    type(exc).__name__)  # fmt: skip


@event.listens_for(Session, "after_rollback")
def _vergeet(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_PUBLISH, None)
