"""Vergadering (issue 19): an SWV meeting (commissie, ondersteuningsteam) with its members and
agenda; each Agendapunt puts one hulpvraag on the agenda (In beraad) and gets an outcome."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import CreatedMixin, UTCDateTime, db

if TYPE_CHECKING:
    from models.hulpvraag import Hulpvraag
    from models.user import User

# The kinds of meeting an SWV holds; the key is stored, the label shown.
SOORTEN = {"commissie": "Commissie van toewijzing", "ondersteuningsteam": "Ondersteuningsteam"}


class Vergadering(CreatedMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "vergadering"

    id: Mapped[int] = mapped_column(primary_key=True)
    datum: Mapped[date] = mapped_column(Date, index=True)
    soort: Mapped[str] = mapped_column(String(40))
    voorzitter_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    aangemaakt_door_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    voorzitter: Mapped[User | None] = relationship(foreign_keys=[voorzitter_id])
    aangemaakt_door: Mapped[User | None] = relationship(foreign_keys=[aangemaakt_door_id])
    leden: Mapped[list[VergaderingLid]] = relationship(
        back_populates="vergadering", cascade="all, delete-orphan", order_by="VergaderingLid.created_at"
    )
    agendapunten: Mapped[list[Agendapunt]] = relationship(
        back_populates="vergadering", cascade="all, delete-orphan", order_by="Agendapunt.id"
    )

    @property
    def soort_label(self) -> str:
        return SOORTEN.get(self.soort, self.soort)


class VergaderingLid(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """An account that takes part in one meeting."""

    __tablename__ = "vergadering_lid"

    vergadering_id: Mapped[int] = mapped_column(ForeignKey("vergadering.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True)

    vergadering: Mapped[Vergadering] = relationship(back_populates="leden")
    user: Mapped[User] = relationship()


class Agendapunt(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """One hulpvraag on a meeting's agenda; ``uitkomst`` is the status the chair recorded."""

    __tablename__ = "agendapunt"
    __table_args__ = (UniqueConstraint("vergadering_id", "hulpvraag_id", name="uq_agendapunt_hulpvraag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vergadering_id: Mapped[int] = mapped_column(ForeignKey("vergadering.id", ondelete="CASCADE"), index=True)
    hulpvraag_id: Mapped[int] = mapped_column(ForeignKey("hulpvraag.id", ondelete="CASCADE"), index=True)
    reden: Mapped[str] = mapped_column(Text)
    geplaatst_door_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    uitkomst: Mapped[str | None] = mapped_column(String(60))
    arrangement: Mapped[str] = mapped_column(Text, default="")
    vastgelegd_door_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    vastgelegd_op: Mapped[datetime | None] = mapped_column(UTCDateTime())

    vergadering: Mapped[Vergadering] = relationship(back_populates="agendapunten")
    hulpvraag: Mapped[Hulpvraag] = relationship()
    geplaatst_door: Mapped[User | None] = relationship(foreign_keys=[geplaatst_door_id])
    vastgelegd_door: Mapped[User | None] = relationship(foreign_keys=[vastgelegd_door_id])
