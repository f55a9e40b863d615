"""Budget: an amount per bestuur, school or wijk and school year; toekenningen draw on it."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import CreatedMixin, UTCDateTime, db

if TYPE_CHECKING:
    from models.bestuur import Bestuur
    from models.hulpvraag import Hulpvraag
    from models.school import School
    from models.wijk import Wijk

# Which aanpak draws on the budget (the diagram names it), and its label in the beheer pages.
REGELINGEN = {"schoolbudget": "Schoolbudget", "budget_inclusief": "Budget inclusief onderwijs"}
SOORTEN = {"bestuur": "Bestuur", "school": "School", "wijk": "Wijk"}
SCHOOLJAAR = re.compile(r"^(\d{4})-(\d{4})$")


def is_schooljaar(text: str) -> bool:
    """A school year as "2026-2027": two consecutive years."""
    match = SCHOOLJAAR.match(text or "")
    return match is not None and int(match.group(2)) == int(match.group(1)) + 1


class Budget(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """The amount one bestuur, school or wijk has for one school year under one regeling.

    Exactly one of ``bestuur_id``, ``school_id`` and ``wijk_id`` is set (the one ``soort``
    names). Unique per regeling, owner and year: NULLs never collide in a unique constraint,
    so each constraint only bites for its own soort.
    """

    __tablename__ = "budget"
    __table_args__ = (
        UniqueConstraint("regeling", "bestuur_id", "schooljaar", name="budget_bestuur_jaar"),
        UniqueConstraint("regeling", "school_id", "schooljaar", name="budget_school_jaar"),
        UniqueConstraint("regeling", "wijk_id", "schooljaar", name="budget_wijk_jaar"),
        CheckConstraint(
            "(soort = 'bestuur' AND bestuur_id IS NOT NULL AND school_id IS NULL AND wijk_id IS NULL)"
            " OR (soort = 'school' AND school_id IS NOT NULL AND bestuur_id IS NULL AND wijk_id IS NULL)"
            " OR (soort = 'wijk' AND wijk_id IS NOT NULL AND bestuur_id IS NULL AND school_id IS NULL)",
            name="een_eigenaar",
        ),
        CheckConstraint("bedrag >= 0", name="bedrag_niet_negatief"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    swv_id: Mapped[int] = mapped_column(ForeignKey("samenwerkingsverband.id"), index=True)
    regeling: Mapped[str] = mapped_column(String(20))
    soort: Mapped[str] = mapped_column(String(10))
    bestuur_id: Mapped[int | None] = mapped_column(ForeignKey("bestuur.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"), index=True)
    wijk_id: Mapped[int | None] = mapped_column(ForeignKey("wijk.id"), index=True)
    schooljaar: Mapped[str] = mapped_column(String(9))
    bedrag: Mapped[Decimal] = mapped_column(Numeric(12, 2))

    bestuur: Mapped[Bestuur | None] = relationship()
    school: Mapped[School | None] = relationship()
    wijk: Mapped[Wijk | None] = relationship()
    toekenningen: Mapped[list[Toekenning]] = relationship(back_populates="budget", order_by="Toekenning.id")

    @property
    def eigenaar_naam(self) -> str:
        owner = self.bestuur or self.school or self.wijk
        return owner.naam if owner is not None else ""

    @property
    def gebruikt(self) -> Decimal:
        """The sum of the toekenningen that still count (withdrawn ones do not)."""
        return sum((t.bedrag for t in self.toekenningen if t.ingetrokken_at is None), Decimal("0.00"))

    @property
    def resterend(self) -> Decimal:
        return self.bedrag - self.gebruikt

    def __repr__(self) -> str:
        return f"<Budget {self.regeling} {self.soort} {self.schooljaar}>"


class Toekenning(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """An amount awarded from a budget by a budget decision on a hulpvraag.

    ``ingetrokken_at`` is set when the financial check finds the decision not conform the
    mandate (Niet ontvankelijk financiën): the row stays for the history, the money is free again.
    The hulpvraag may go at the end of its retention period; the award stays for the accounts.
    """

    __tablename__ = "toekenning"

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    hulpvraag_id: Mapped[int | None] = mapped_column(ForeignKey("hulpvraag.id", ondelete="SET NULL"), index=True)
    aanvraagnummer: Mapped[str] = mapped_column(String(40))
    bedrag: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    besluitdatum: Mapped[date] = mapped_column(Date)
    ingetrokken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    budget: Mapped[Budget] = relationship(back_populates="toekenningen")
    hulpvraag: Mapped[Hulpvraag | None] = relationship()

    def __repr__(self) -> str:
        return f"<Toekenning {self.id} {self.bedrag}>"
