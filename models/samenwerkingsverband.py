"""Samenwerkingsverband: the cooperation one installation serves."""

from __future__ import annotations

import re

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, validates

from models.base import db

SWV_CODE = re.compile(r"^(PO|VO)\d{4}$")


class Samenwerkingsverband(db.Model):  # type: ignore[name-defined]
    __tablename__ = "samenwerkingsverband"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(6), unique=True)
    naam: Mapped[str] = mapped_column(String(200))

    @validates("code")
    def _check_code(self, _key: str, code: str) -> str:
        if not SWV_CODE.match(code):
            raise ValueError(f"Ongeldige SWV-code {code!r}: verwacht PO of VO gevolgd door 4 cijfers.")
        return code

    def __repr__(self) -> str:
        return f"<Samenwerkingsverband {self.code}>"
