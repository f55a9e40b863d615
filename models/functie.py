"""Functie: what a functionaris does in the SWV (orthopedagoog, financiën, …); diagrams name them.

The list is data the beheerder edits (workflow/functies.py); a task's functie (HumanTask.functie)
is the name as the diagram writes it, so a user may do it when one of their active functies
carries that name.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Boolean, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import db

# The functies a new installation starts with (the migration inserts them; the demo seeds them).
STANDAARD_FUNCTIES: tuple[str, ...] = (
    "orthopedagoog",
    "psycholoog",
    "leescoördinator",
    "financiën",
    "regiomanager",
    "TLV-administratie",
    # The second TLV deskundige's disciplines (bpmn/tlv-deskundigen.json):
    "kinder- en jeugdpsychiater",
    "jeugdarts",
    "maatschappelijk werker",
    "ambulant begeleider",
)

user_functie = Table(
    "user_functie",
    db.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("functie_id", ForeignKey("functie.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Functie(db.Model):  # type: ignore[name-defined]
    __tablename__ = "functie"

    id: Mapped[int] = mapped_column(primary_key=True)
    swv_id: Mapped[int | None] = mapped_column(ForeignKey("samenwerkingsverband.id"), index=True)
    naam: Mapped[str] = mapped_column(String(80), unique=True)  # as diagrams write it
    omschrijving: Mapped[str] = mapped_column(Text, default="")
    actief: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa.true())

    def __repr__(self) -> str:
        return f"<Functie {self.naam}>"
