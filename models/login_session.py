"""LoginSession: a server-side record of one login, so a session can be ended for good."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import UTCDateTime, db, utcnow


class LoginSession(db.Model):  # type: ignore[name-defined]
    """The cookie holds only this random id; logout, a password change or a disabled account
    end the row, after which an old cookie is worthless."""

    __tablename__ = "login_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    second_factor_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    ended_reason: Mapped[str | None] = mapped_column(String(40))
    ip: Mapped[str | None] = mapped_column(String(45))
    totp_pending: Mapped[str | None] = mapped_column(String(64))  # secret shown during enrolment

    def __repr__(self) -> str:
        return f"<LoginSession user={self.user_id} ended={self.ended_at is not None}>"
