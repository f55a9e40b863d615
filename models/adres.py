"""Adres: one of several addresses of a dossier (woonadres, postadres or both)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import CreatedMixin, db

ADRES_SOORTEN = {"woonadres": "Woonadres", "postadres": "Postadres", "woon- en postadres": "Woon- en postadres"}


class Adres(CreatedMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "adres"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    soort: Mapped[str] = mapped_column(String(20), default="woon- en postadres")
    straat: Mapped[str] = mapped_column(String(200), default="")
    huisnummer: Mapped[str] = mapped_column(String(20), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    plaats: Mapped[str] = mapped_column(String(100), default="")
    opmerkingen: Mapped[str] = mapped_column(Text, default="")  # e.g. "adres van de voogd"

    @property
    def regel(self) -> str:
        return f"{self.straat} {self.huisnummer}, {self.postcode} {self.plaats}".strip(" ,")
