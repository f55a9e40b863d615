"""What an operator watches, read from the database at scrape time (``/metrics``).

Counts only, never pupil data: the mail outbox backlog, LVS pushes waiting, open incidents,
and how late the most overdue BPMN timer is. Each query is served by an index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

import sqlalchemy as sa

from models import Incident, LvsPush, OutgoingMail, ProcessInstance, db, utcnow


@dataclass(frozen=True)
class Werkvoorraad:
    mail_wachtrij: int
    mail_mislukt: int
    lvs_pushes_wachtrij: int
    incidenten_open: int
    timer_achterstand_s: float  # 0 when no timer is due


def werkvoorraad() -> Werkvoorraad:
    def count(model: type, *where: sa.ColumnElement[bool]) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0

    oudste = db.session.scalar(
        sa.select(sa.func.min(ProcessInstance.next_timer_at)).where(
            ProcessInstance.completed.is_(False), ProcessInstance.next_timer_at <= utcnow()
        )
    )
    if oudste is not None and oudste.tzinfo is None:  # SQLite hands back naive UTC
        oudste = oudste.replace(tzinfo=UTC)
    return Werkvoorraad(
        mail_wachtrij=count(OutgoingMail, OutgoingMail.status == "wachtrij"),
        mail_mislukt=count(OutgoingMail, OutgoingMail.status == "mislukt"),
        lvs_pushes_wachtrij=count(LvsPush, LvsPush.status == "wachtrij"),
        incidenten_open=count(Incident, Incident.status == "open"),
        timer_achterstand_s=max(0.0, (utcnow() - oudste).total_seconds()) if oudste else 0.0,
    )
