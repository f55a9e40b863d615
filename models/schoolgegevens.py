"""Schoolgegevens: which school a pupil attends, in which groep/leerjaar, from when to when."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import CreatedMixin, db

if TYPE_CHECKING:
    from models.school import School


class Schoolgegevens(CreatedMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "schoolgegevens"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    groep: Mapped[str] = mapped_column(String(20), default="")  # groep 1-8 or leerjaar 1-6
    van: Mapped[date | None] = mapped_column(Date)
    tot: Mapped[date | None] = mapped_column(Date)

    school: Mapped[School] = relationship()
