"""The audit trail (domain.md §9): every read and change of a dossier, with who, what, when and where.

How a view records:

    html = render_template(...)
    audit.record(current_user, "bekijken", "hulpvraag", hulpvraag.id, dossier_id=hulpvraag.dossier_id)
    db.session.commit()
    return html

``record`` only adds and flushes, like every use case here; the view commits once. Views that
change something already commit, so the entry goes into the same transaction as the change (a
rolled-back change leaves no entry). A view that only reads (a GET) commits explicitly after
rendering: if the entry cannot be written the user gets an error page instead of the data.

``detail`` is for the reader of the trail: a task title or a short note, never a pupil's name or
other content of the dossier. Failed attempts are not entries; the views log them as denials.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.orm import joinedload

from models import AuditEntry, Hulpvraag, User, db
from models.audit import ACTIES, OBJECT_TYPES

AMSTERDAM = ZoneInfo("Europe/Amsterdam")  # the period a beheerder types is local time
USER_AGENT_LENGTH = 200
DETAIL_LENGTH = 200


def record(
    user: User | None,
    actie: str,
    object_type: str,
    object_id: int | None,
    dossier_id: int | None = None,
    detail: str = "",
) -> AuditEntry:
    """Add one entry to the current transaction (flushed, never committed)."""
    if actie not in ACTIES or object_type not in OBJECT_TYPES:
        raise ValueError(f"Onbekende auditactie of objectsoort: {actie} {object_type}")
    ip, user_agent = _client()
    entry = AuditEntry(
        user_id=user.id if user is not None and user.is_authenticated else None,
        actie=actie, object_type=object_type, object_id=object_id, dossier_id=dossier_id,
        ip=ip, user_agent=user_agent, detail=detail[:DETAIL_LENGTH],
    )  # fmt: skip
    db.session.add(entry)
    db.session.flush()
    return entry


def _client() -> tuple[str | None, str]:
    """The caller's address and browser; none outside a request (a job, the CLI)."""
    if not has_request_context():
        return None, ""
    return request.remote_addr, (request.user_agent.string or "")[:USER_AGENT_LENGTH]


# --- the beheer search ------------------------------------------------------------------
@dataclass(frozen=True)
class AuditFilter:
    """Search terms; an empty term does not narrow the result."""

    gebruiker: str = ""  # part of a name or username
    dossier_id: int | None = None
    van: date | None = None
    tot: date | None = None  # inclusive


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=AMSTERDAM).astimezone(UTC)


def search(terms: AuditFilter) -> sa.Select[tuple[AuditEntry]]:
    """The entries matching ``terms``, newest first."""
    query = sa.select(AuditEntry)
    if terms.gebruiker:
        pattern = f"%{terms.gebruiker.lower()}%"
        users = sa.select(User.id).where(
            sa.or_(sa.func.lower(User.naam).like(pattern), sa.func.lower(User.username).like(pattern))
        )
        query = query.where(AuditEntry.user_id.in_(users))
    if terms.dossier_id is not None:
        query = query.where(AuditEntry.dossier_id == terms.dossier_id)
    if terms.van is not None:
        query = query.where(AuditEntry.created_at >= _start_of(terms.van))
    if terms.tot is not None:
        query = query.where(AuditEntry.created_at < _start_of(terms.tot + timedelta(days=1)))
    return query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())


def page(query: sa.Select[tuple[AuditEntry]], number: int, size: int) -> tuple[list[AuditEntry], int]:
    """One page of ``query`` (1-based) and the total number of entries."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = db.session.scalars(query.options(joinedload(AuditEntry.user)).limit(size).offset((number - 1) * size)).all()
    return list(rows), total


def dossier_id_for(term: str) -> int | None:
    """A dossier number as typed, or the dossier of an aanvraagnummer; None when neither exists."""
    term = term.strip()
    if term.isdigit():
        return int(term)
    return db.session.scalar(sa.select(Hulpvraag.dossier_id).where(Hulpvraag.aanvraagnummer == term))


def inzage(dossier_id: int) -> list[AuditEntry]:
    """Every logged access to one dossier, newest first: the list a school gives to parents."""
    query = search(AuditFilter(dossier_id=dossier_id)).where(AuditEntry.user_id.is_not(None))
    return list(db.session.scalars(query.options(joinedload(AuditEntry.user))).unique())
