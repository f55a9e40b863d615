"""Server-side login sessions: idle and absolute timeouts, second factor, ending sessions."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, request, session

from models import LoginSession, User, db, utcnow

log = logging.getLogger(__name__)
TOUCH_EVERY = timedelta(seconds=60)  # write last_seen at most once a minute


def start(user: User) -> LoginSession:
    """A new session (new id) for a user who gave the right password; flushed."""
    session.clear()
    row = LoginSession(id=secrets.token_urlsafe(32), user_id=user.id, ip=request.remote_addr)
    db.session.add(row)
    db.session.flush()
    session["sid"] = row.id
    session.permanent = True
    return row


def current() -> LoginSession | None:
    sid = session.get("sid")
    return db.session.get(LoginSession, sid) if isinstance(sid, str) else None


def valid_for(user: User) -> bool:
    """Whether the cookie's session is alive for this user; touches last_seen."""
    row = current()
    if row is None or row.user_id != user.id or row.ended_at is not None:
        return False
    now = utcnow()
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    absolute = timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])
    if now - row.last_seen_at > idle or now - row.created_at > absolute:
        end(row, "verlopen")
        db.session.commit()
        return False
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()
    return True


def second_factor_done() -> bool:
    row = current()
    if row is None:
        return False
    if row.second_factor_at is not None:
        return True
    user = db.session.get(User, row.user_id)
    return bool(user and user.demo and current_app.config["DEMO_MODE"])


def mark_second_factor() -> None:
    row = current()
    if row is not None:
        row.second_factor_at = utcnow()


def end(row: LoginSession, reason: str) -> None:
    if row.ended_at is None:
        row.ended_at, row.ended_reason = utcnow(), reason


def end_all(user: User, reason: str, keep: LoginSession | None = None) -> int:
    """End every open session of ``user`` (except ``keep``); returns how many."""
    query = sa.select(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
    rows = [r for r in db.session.scalars(query) if keep is None or r.id != keep.id]
    for row in rows:
        end(row, reason)
    return len(rows)
