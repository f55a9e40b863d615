"""Dossier: the subject of hulpvragen, a pupil (leerling) or a school."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Date, ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import CreatedMixin, db

if TYPE_CHECKING:
    from models.adres import Adres
    from models.school import School
    from models.schoolgegevens import Schoolgegevens

NIVEAUS = ("leerling", "school")
GESLACHTEN = {"m": "Jongen", "v": "Meisje", "x": "Anders / onbekend"}


class Dossier(CreatedMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "dossier"

    id: Mapped[int] = mapped_column(primary_key=True)
    swv_id: Mapped[int] = mapped_column(ForeignKey("samenwerkingsverband.id"), index=True)
    niveau: Mapped[str] = mapped_column(String(10), default="leerling")
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    roepnaam: Mapped[str | None] = mapped_column(String(100))
    tussenvoegsel: Mapped[str | None] = mapped_column(String(40))
    achternaam: Mapped[str | None] = mapped_column(String(150))
    geboortedatum: Mapped[date | None] = mapped_column(Date)
    geslacht: Mapped[str | None] = mapped_column(String(1))
    ouder_emails: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))  # for inzage

    adressen: Mapped[list[Adres]] = relationship(cascade="all, delete-orphan", order_by="Adres.id")
    schoolgegevens: Mapped[list[Schoolgegevens]] = relationship(
        cascade="all, delete-orphan", order_by="Schoolgegevens.van.desc()"
    )

    school: Mapped[School] = relationship()

    @property
    def naam(self) -> str:
        """Full display name, Dutch order: roepnaam tussenvoegsel achternaam."""
        if self.niveau == "school":
            return f"Schooldossier {self.school.naam}"
        parts = (self.roepnaam, self.tussenvoegsel, self.achternaam)
        return " ".join(p for p in parts if p)

    def __repr__(self) -> str:
        return f"<Dossier {self.id}>"
