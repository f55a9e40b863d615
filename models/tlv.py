"""TLV (toelaatbaarheidsverklaring): the besluit of a TLV aanpak on a hulpvraag (domain.md §2)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import CreatedMixin, db

if TYPE_CHECKING:
    from models.hulpvraag import Hulpvraag

SOORTEN = ("SO", "SBO", "VSO")
CATEGORIEEN = ("laag", "midden", "hoog", "nvt")
BESLUITEN = ("toekennen", "afwijzen")


def tlv_nummer(afgiftedatum: date, tlv_id: int) -> str:
    """TLV-2026-000123: the year of issue and the row id, so unique without a counter to race on."""
    return f"TLV-{afgiftedatum.year}-{tlv_id:06d}"


class TLV(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """One besluit on a TLV request. A toegekende TLV has a nummer, soort, categorie and period;
    an afwijzing keeps only the besluit, motivering and adviezen (nummer stays empty)."""

    __tablename__ = "tlv"

    id: Mapped[int] = mapped_column(primary_key=True)
    hulpvraag_id: Mapped[int] = mapped_column(ForeignKey("hulpvraag.id"), index=True)
    nummer: Mapped[str | None] = mapped_column(String(30), unique=True)  # set right after the insert
    besluit: Mapped[str] = mapped_column(String(20))  # BESLUITEN
    soort: Mapped[str | None] = mapped_column(String(10))  # SOORTEN
    categorie: Mapped[str | None] = mapped_column(String(10))  # CATEGORIEEN
    ingangsdatum: Mapped[date | None] = mapped_column(Date)
    einddatum: Mapped[date | None] = mapped_column(Date)
    afgiftedatum: Mapped[date] = mapped_column(Date)  # the day of the besluit (also for an afwijzing)
    motivering: Mapped[str] = mapped_column(Text, default="")
    # The two deskundigenadviezen: [{deskundige_id, naam, functie, advies, bijlage, gegeven_op}]
    adviezen: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    hulpvraag: Mapped[Hulpvraag] = relationship()

    @property
    def toegekend(self) -> bool:
        return self.besluit == "toekennen"

    @property
    def adviezen_getoond(self) -> list[dict[str, Any]]:
        """The adviezen with ``gegeven_op`` as a datetime again (it is stored as ISO text)."""
        return [{**a, "gegeven_op": _tijdstip(a.get("gegeven_op"))} for a in self.adviezen or []]

    def __repr__(self) -> str:
        return f"<TLV {self.id} {self.nummer or self.besluit}>"


def _tijdstip(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
