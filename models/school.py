"""School (vestiging): BRIN + vestigingscode, bestuur, wijk and its SCP."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from models.base import db

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

    bestuur: Mapped[Bestuur] = relationship()
    wijk: Mapped[Wijk | None] = relationship()
    scp: Mapped[User | None] = relationship(foreign_keys=[scp_id])

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

    def __repr__(self) -> str:
        return f"<School {self.brin6} {self.naam}>"
