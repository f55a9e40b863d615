"""Bijlage: a file on a hulpvraag (later also on an aanpak or formulier); the bytes live in storage."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import CreatedMixin, UTCDateTime, db

if TYPE_CHECKING:
    from models.hulpvraag import Hulpvraag
    from models.user import User

# Types a browser shows itself (domain.md §7); the rest is downloaded.
INLINE_TYPES = ("application/pdf", "image/png", "image/jpeg", "text/plain")


class Bijlage(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """One uploaded file. ``naam`` is the cleaned display name; the file itself is stored under
    ``opslag_sleutel``, a random key that says nothing about the content.

    ``hulpvraag_id`` decides who may see it. A bijlage of an aanpak or formulier will keep its
    hulpvraag and also name that owner in ``eigenaar_type``/``eigenaar_id`` (both or neither).
    Removing is soft (``verwijderd_at``); the retention job deletes rows and files for good.
    """

    __tablename__ = "bijlage"
    __table_args__ = (CheckConstraint("(eigenaar_type IS NULL) = (eigenaar_id IS NULL)", name="eigenaar_compleet"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hulpvraag_id: Mapped[int | None] = mapped_column(ForeignKey("hulpvraag.id"), index=True)
    eigenaar_type: Mapped[str | None] = mapped_column(String(20))  # "aanpak", "formulier"
    eigenaar_id: Mapped[int | None] = mapped_column(Integer)
    naam: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))  # detected from the content, never from the name
    grootte: Mapped[int] = mapped_column(Integer)  # bytes
    sha256: Mapped[str] = mapped_column(String(64))
    opslag_sleutel: Mapped[str] = mapped_column(String(100), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)  # None: from an LVS
    verwijderd_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verwijderd_door_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    hulpvraag: Mapped[Hulpvraag | None] = relationship()
    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
    verwijderd_door: Mapped[User | None] = relationship(foreign_keys=[verwijderd_door_id])

    @property
    def is_verwijderd(self) -> bool:
        return self.verwijderd_at is not None

    @property
    def inline(self) -> bool:
        """Opened in the browser (PDF, text, images) rather than downloaded (Word, Excel, ODT)."""
        return self.content_type.split(";")[0].strip() in INLINE_TYPES

    def __repr__(self) -> str:
        return f"<Bijlage {self.id} {self.content_type} {self.grootte}>"
