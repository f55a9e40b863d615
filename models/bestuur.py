"""Bestuur: a school board within the SWV."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column

from models.base import db


class Bestuur(db.Model):  # type: ignore[name-defined]
    __tablename__ = "bestuur"

    id: Mapped[int] = mapped_column(primary_key=True)
    swv_id: Mapped[int] = mapped_column(ForeignKey("samenwerkingsverband.id"), index=True)
    naam: Mapped[str] = mapped_column(String(200))
    actief: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())  # off: no new schools

    def __repr__(self) -> str:
        return f"<Bestuur {self.naam}>"
