"""Voorkeur: how one user wants one list shown (which columns), remembered between visits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import UTCDateTime, db, utcnow


class Voorkeur(db.Model):  # type: ignore[name-defined]
    """One row per user and list (``lijst`` = e.g. "hulpvragen"); ``instellingen`` = {"kolommen": [...]}.

    The list itself decides what a stored value means and ignores what it no longer knows
    (a column that was removed), so old rows never break a page.
    """

    __tablename__ = "voorkeur"
    __table_args__ = (UniqueConstraint("user_id", "lijst", name="user_lijst"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    lijst: Mapped[str] = mapped_column(String(40))
    instellingen: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Voorkeur {self.user_id} {self.lijst}>"
