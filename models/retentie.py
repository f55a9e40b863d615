"""Retention (domain.md §9): deletion candidates a beheerder approves, and the record that a deletion happened."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import CreatedMixin, UTCDateTime, db

if TYPE_CHECKING:
    from models.hulpvraag import Hulpvraag
    from models.user import User

ONDERLIGGEND = "onderliggend"  # the data underlying a decision: dossier details, task data, bijlagen
BESLUIT = "besluit"  # the decision itself: the hulpvraag and its status history
SOORTEN = (ONDERLIGGEND, BESLUIT)
SOORT_LABELS = {ONDERLIGGEND: "Onderliggende gegevens", BESLUIT: "Besluit"}

VOORGESTELD, GOEDGEKEURD, UITGEVOERD, AFGEWEZEN = "voorgesteld", "goedgekeurd", "uitgevoerd", "afgewezen"
STATUSSEN = (VOORGESTELD, GOEDGEKEURD, UITGEVOERD, AFGEWEZEN)


class Retentievoorstel(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """A hulpvraag whose retention period has passed, listed for a beheerder to approve or reject.

    One proposal per hulpvraag and soort, whatever its status: a rejected proposal is not made again.
    ``hulpvraag_id`` becomes NULL once the hulpvraag itself is deleted; ``aanvraagnummer`` stays.
    """

    __tablename__ = "retentievoorstel"
    __table_args__ = (UniqueConstraint("hulpvraag_id", "soort", name="hulpvraag_soort"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    swv_id: Mapped[int] = mapped_column(ForeignKey("samenwerkingsverband.id"), index=True)
    hulpvraag_id: Mapped[int | None] = mapped_column(ForeignKey("hulpvraag.id", ondelete="SET NULL"), index=True)
    aanvraagnummer: Mapped[str] = mapped_column(String(20), default="")
    soort: Mapped[str] = mapped_column(String(20))
    vervalt_op: Mapped[datetime] = mapped_column(UTCDateTime())  # end of the retention period
    status: Mapped[str] = mapped_column(String(20), default=VOORGESTELD, index=True)
    reden: Mapped[str] = mapped_column(Text, default="")  # why a beheerder rejected it
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    hulpvraag: Mapped[Hulpvraag | None] = relationship()
    approved_by: Mapped[User | None] = relationship()

    @property
    def soort_label(self) -> str:
        return SOORT_LABELS.get(self.soort, self.soort)

    def __repr__(self) -> str:
        return f"<Retentievoorstel {self.soort} {self.aanvraagnummer} {self.status}>"


class Verwijderverslag(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """That a deletion happened, what kind, how much and on whose approval. Holds no pupil data."""

    __tablename__ = "verwijderverslag"

    id: Mapped[int] = mapped_column(primary_key=True)
    swv_id: Mapped[int] = mapped_column(ForeignKey("samenwerkingsverband.id"), index=True)
    voorstel_id: Mapped[int | None] = mapped_column(ForeignKey("retentievoorstel.id", ondelete="SET NULL"))
    soort: Mapped[str] = mapped_column(String(20))
    aanvraagnummer: Mapped[str] = mapped_column(String(20), default="")
    rijen: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # what -> number removed
    bestanden: Mapped[int] = mapped_column(Integer, default=0)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    approved_by_naam: Mapped[str] = mapped_column(String(200), default="")  # kept if the account goes

    @property
    def soort_label(self) -> str:
        return SOORT_LABELS.get(self.soort, self.soort)

    def __repr__(self) -> str:
        return f"<Verwijderverslag {self.soort} {self.aanvraagnummer}>"
