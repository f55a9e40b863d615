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

VOORLOPIGE_AANMELDING = "Voorlopige aanmelding"
AANMELDING = "Aanmelding"

# domain.md §4. Statuses marked True take a suffix: "Doorzetten leescoördinator".
STATUSSEN: dict[str, bool] = {
    VOORLOPIGE_AANMELDING: False,
    AANMELDING: False,
    "Doorzetten": True,
    "Dossier compleet": True,
    "Dossier incompleet": True,
    "In beraad": False,
    "Gearrangeerd": False,
    "Toegekend": False,
    "Akkoord coördinator": True,
    "Gearrangeerd budget": True,
    "Wacht": True,
    "In behandeling": False,
    "Behandeling loopt": False,
    "TLV afgegeven": False,
    "Afgerond": True,
    "Afgewezen": True,
    "Niet ontvankelijk": False,
    "Niet ontvankelijk financiën": False,
    "Thuiszitter": False,
}
EINDSTATUSSEN = ("TLV afgegeven", "Afgerond", "Afgewezen", "Niet ontvankelijk")
BRONNEN = ("web", "esis", "parnassys")


def is_bekende_status(status: str) -> bool:
    """True for a status from domain.md §4, with its optional [functie]/[aanduiding]."""
    if status in STATUSSEN:
        return True
    return any(
        takes_suffix and status.startswith(base + " ") and status[len(base) + 1 :].strip()
        for base, takes_suffix in STATUSSEN.items()
    )


def is_eindstatus(status: str) -> bool:
    return any(status == s or status.startswith(s + " ") for s in EINDSTATUSSEN)


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
