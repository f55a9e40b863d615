"""Failed login attempts per account (or per reset identifier): the state behind the increasing delay."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import UTCDateTime, db


class InlogVertraging(db.Model):  # type: ignore[name-defined]
    """One row per key that failed recently; in the database so every web process sees the same count.

    ``sleutel`` is a SHA-256 of what was typed ("account:<gebruikersnaam>", "user:<id>",
    "herstel:<identifier>"): people sometimes type their password in the username field.
    """

    __tablename__ = "inlog_vertraging"

    sleutel: Mapped[str] = mapped_column(String(64), primary_key=True)
    mislukt: Mapped[int] = mapped_column(Integer, default=0)
    laatste_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)  # the last failure
    wacht_tot: Mapped[datetime | None] = mapped_column(UTCDateTime())  # no attempt is checked before this

    def __repr__(self) -> str:
        return f"<InlogVertraging {self.mislukt} tot {self.wacht_tot}>"
