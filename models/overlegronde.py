"""Overlegronde (domain.md §5): a school shares one voorlopige aanmelding with third parties
until a deadline; the deelnemers see the dossier and its bijlagen and add reacties."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import CreatedMixin, UTCDateTime, db

if TYPE_CHECKING:
    from models.hulpvraag import Hulpvraag
    from models.user import User

# The only hulpvraag title an overlegronde may be started for (domain.md §5).
OVERLEGRONDE_TITEL = "Informatieuitwisseling overig"


class Overlegronde(CreatedMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "overlegronde"

    id: Mapped[int] = mapped_column(primary_key=True)
    hulpvraag_id: Mapped[int] = mapped_column(ForeignKey("hulpvraag.id", ondelete="CASCADE"), index=True)
    onderwerp: Mapped[str] = mapped_column(String(200))
    omschrijving: Mapped[str] = mapped_column(Text, default="")
    # Access ends at this moment: every check compares with it (workflow/access.py).
    deadline: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    gesloten_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # set by the diagram's timer
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    hulpvraag: Mapped[Hulpvraag] = relationship()
    started_by: Mapped[User | None] = relationship()
    deelnemers: Mapped[list[Deelnemer]] = relationship(
        back_populates="overlegronde", cascade="all, delete-orphan", order_by="Deelnemer.created_at"
    )
    reacties: Mapped[list[Reactie]] = relationship(
        back_populates="overlegronde", cascade="all, delete-orphan", order_by="Reactie.id"
    )


class Deelnemer(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """An account invited to one overlegronde."""

    __tablename__ = "overlegronde_deelnemer"

    overlegronde_id: Mapped[int] = mapped_column(ForeignKey("overlegronde.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True)

    overlegronde: Mapped[Overlegronde] = relationship(back_populates="deelnemers")
    user: Mapped[User] = relationship()


class Reactie(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """A reaction in an overlegronde; never edited."""

    __tablename__ = "overlegronde_reactie"

    id: Mapped[int] = mapped_column(primary_key=True)
    overlegronde_id: Mapped[int] = mapped_column(ForeignKey("overlegronde.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    tekst: Mapped[str] = mapped_column(Text)

    overlegronde: Mapped[Overlegronde] = relationship(back_populates="reacties")
    auteur: Mapped[User | None] = relationship()
