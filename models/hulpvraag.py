"""Hulpvraag: a school's request for support about a dossier."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import CreatedMixin, UTCDateTime, db, utcnow

if TYPE_CHECKING:
    from models.dossier import Dossier
    from models.school import School
    from models.statuswijziging import Statuswijziging
    from models.user import User

# domain.md §3: the fixed list; an LVS sends one of these as "korte omschrijving".
TITELS: tuple[str, ...] = (
    "Ambulante Begeleiding",
    "Budget inclusief onderwijs",
    "Dyslexie -Vergoede zorg",
    "GAAF -Leerling met ontwikkelingsvoorsprong/(hoog)begaafdheid",
    "Herstart junior",
    "Jonge kind (3,2 - 4 jr) advisering",
    "KANS",
    "Ouderfunctionaris inzet",
    "Perspectief in Praktijk",
    "Preventie SCP",
    "Psychodiagnostisch onderzoek",
    "Schoolbudget individueel/groep/wijk",
    "STAPcoach VO",
    "Terugplaatsing",
    "Thuiszitter",
    "TLV -Nieuw",
    "TLV -Verlaging/ophoging",
    "TLV -Verlenging",
    "Aanvangsklas -aanvraag",
    "Aanvangsklas -plaatsing",
    "Informatieuitwisseling overig",
    "CAR met bestaande TLV",
)

# The two statuses the app sets itself; every status is in bpmn/statussen.yaml (workflow/statussen.py).
VOORLOPIGE_AANMELDING = "Voorlopige aanmelding"
AANMELDING = "Aanmelding"

BRONNEN = ("web", "esis", "parnassys")


class Hulpvraag(CreatedMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "hulpvraag"
    # The lists (web/hulpvragen/lijst.py): newest first, within a status, within a period; the id
    # is every sort order's tiebreaker, so it is part of the index.
    __table_args__ = (
        Index("ix_hulpvraag_updated_at_id", "updated_at", "id"),
        Index("ix_hulpvraag_status_updated_at_id", "status", "updated_at", "id"),
        Index("ix_hulpvraag_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    aanvraagnummer: Mapped[str | None] = mapped_column(String(20), unique=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    titel: Mapped[str] = mapped_column(String(120), index=True)
    titel_onbekend: Mapped[bool] = mapped_column(Boolean, default=False)
    omschrijving: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(80), default=VOORLOPIGE_AANMELDING)  # indexed with updated_at
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    aanvrager_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    contactpersoon_naam: Mapped[str] = mapped_column(String(200), default="")
    contactpersoon_email: Mapped[str] = mapped_column(String(254), default="")
    contactpersoon_telefoon: Mapped[str] = mapped_column(String(40), default="")
    bron: Mapped[str] = mapped_column(String(20), default="web")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    dossier: Mapped[Dossier] = relationship()
    school: Mapped[School] = relationship()
    coordinator: Mapped[User | None] = relationship(foreign_keys=[coordinator_id])
    aanvrager: Mapped[User | None] = relationship(foreign_keys=[aanvrager_id])
    statuswijzigingen: Mapped[list[Statuswijziging]] = relationship(
        back_populates="hulpvraag", order_by="Statuswijziging.id", viewonly=True
    )

    @property
    def is_voorlopig(self) -> bool:
        return self.status == VOORLOPIGE_AANMELDING

    def __repr__(self) -> str:
        return f"<Hulpvraag {self.aanvraagnummer or self.id} {self.status}>"
