"""School (vestiging): BRIN + vestigingscode, bestuur, wijk and its SCP."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from models.base import CreatedMixin, UTCDateTime, db

if TYPE_CHECKING:
    from models.bestuur import Bestuur
    from models.user import User
    from models.wijk import Wijk

BRIN = re.compile(r"^\d{2}[A-Z]{2}$")
VESTIGINGSCODE = re.compile(r"^\d{2}$")


class School(db.Model):  # type: ignore[name-defined]
    __tablename__ = "school"
    __table_args__ = (UniqueConstraint("brin", "vestigingscode", name="brin_vestiging"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    swv_id: Mapped[int] = mapped_column(ForeignKey("samenwerkingsverband.id"), index=True)
    naam: Mapped[str] = mapped_column(String(200))
    brin: Mapped[str] = mapped_column(String(4))
    vestigingscode: Mapped[str] = mapped_column(String(2))
    bestuur_id: Mapped[int] = mapped_column(ForeignKey("bestuur.id"), index=True)
    wijk_id: Mapped[int | None] = mapped_column(ForeignKey("wijk.id"), index=True)
    scp_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # A closed school takes no new hulpvragen; everything it had stays readable. After a merge it
    # names the school it went into (its dossiers, hulpvragen and koppelingen moved there).
    gesloten_op: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opgegaan_in_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"))

    bestuur: Mapped[Bestuur] = relationship()
    wijk: Mapped[Wijk | None] = relationship()
    scp: Mapped[User | None] = relationship(foreign_keys=[scp_id])
    opgegaan_in: Mapped[School | None] = relationship(remote_side=[id], foreign_keys=[opgegaan_in_id])
    historie: Mapped[list[SchoolHistorie]] = relationship(
        foreign_keys="SchoolHistorie.school_id", order_by="SchoolHistorie.id", viewonly=True
    )

    @validates("brin")
    def _check_brin(self, _key: str, brin: str) -> str:
        if not BRIN.match(brin):
            raise ValueError(f"Ongeldig BRIN {brin!r}: verwacht 2 cijfers en 2 hoofdletters (00YY).")
        return brin

    @validates("vestigingscode")
    def _check_vestigingscode(self, _key: str, code: str) -> str:
        if not VESTIGINGSCODE.match(code):
            raise ValueError(f"Ongeldige vestigingscode {code!r}: verwacht 2 cijfers.")
        return code

    @property
    def brin6(self) -> str:
        """The 6-position BRIN + vestiging (e.g. 00YY00) schools and LVSes use."""
        return f"{self.brin}{self.vestigingscode}"

    @property
    def is_gesloten(self) -> bool:
        return self.gesloten_op is not None

    @property
    def bekende_brin6(self) -> set[str]:
        """Every BRIN + vestiging this school is known by: its own now and before, and those of
        the schools merged into it (an LVS may send an OSO dossier with any of them)."""
        codes = {self.brin6} | {h.brin6 for h in self.historie}
        return codes

    def __repr__(self) -> str:
        return f"<School {self.brin6} {self.naam}>"


HISTORIE_SOORTEN = {
    "naam": "Nieuwe naam",
    "brin": "Nieuwe BRIN of vestigingscode",
    "bestuur": "Nieuw bestuur",
    "samenvoeging": "Samengevoegd",
    "sluiting": "Gesloten",
    "heropening": "Heropend",
}


class SchoolHistorie(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """What a school was called (naam, BRIN, vestiging, bestuur) until a change at ``created_at``.

    For a merge (``soort`` "samenvoeging") the row belongs to the surviving school and holds the
    identity of the school that went into it (``van_school_id``) and which hulpvragen moved, so a
    hulpvraag keeps showing the school it was made for. Never edited.
    """

    __tablename__ = "school_historie"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    soort: Mapped[str] = mapped_column(String(20))  # HISTORIE_SOORTEN
    naam: Mapped[str] = mapped_column(String(200))
    brin: Mapped[str] = mapped_column(String(4))
    vestigingscode: Mapped[str] = mapped_column(String(2))
    bestuur_id: Mapped[int | None] = mapped_column(ForeignKey("bestuur.id"))
    van_school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"))
    hulpvraag_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # no foreign key: retention deletes
    door_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    bestuur: Mapped[Bestuur | None] = relationship()
    door: Mapped[User | None] = relationship()

    @property
    def brin6(self) -> str:
        return f"{self.brin}{self.vestigingscode}"

    @property
    def soort_label(self) -> str:
        return HISTORIE_SOORTEN.get(self.soort, self.soort)
