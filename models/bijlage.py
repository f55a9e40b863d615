"""Bijlage: a file on a hulpvraag (later also on an aanpak or formulier); the bytes live in storage."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import CreatedMixin, UTCDateTime, db

if TYPE_CHECKING:
    from models.hulpvraag import Hulpvraag
    from models.user import User

# Types a browser shows itself (domain.md §7); the rest is downloaded.
INLINE_TYPES = ("application/pdf", "image/png", "image/jpeg", "text/plain")
# What a bijlage is (the uploader picks it; a diagram asks for it: heeft_bijlage(hulpvraag_id, "OPP")).
# These always exist; a beheerder adds more as rows of BijlageSoort.
OPP = "OPP"
OVERIG = "overig"
STANDAARD_SOORTEN = (OPP, "onderzoeksverslag", "groepsplan", "toetsoverzicht", "handelingsplan", "verslag", OVERIG)
MAX_SOORT = 60


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
    # The name of a BijlageSoort, kept as text: a soort is never renamed, only switched off for new uploads.
    soort: Mapped[str] = mapped_column(String(MAX_SOORT), default=OVERIG, server_default=OVERIG)
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


class BijlageSoort(db.Model):  # type: ignore[name-defined]
    """One choice of the soort list on every upload form (the beheerder's list, /beheer/bijlagesoorten)."""

    __tablename__ = "bijlagesoort"

    id: Mapped[int] = mapped_column(primary_key=True)
    naam: Mapped[str] = mapped_column(String(MAX_SOORT), unique=True)
    volgorde: Mapped[int] = mapped_column(Integer, default=0)
    actief: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())  # offered on new uploads

    def __repr__(self) -> str:
        return f"<BijlageSoort {self.naam}>"


class GekozenBestand(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """A file chosen on a form that came back (a warning, an error) before it was saved: kept, checked
    and stored like a bijlage, for this user's login session only, until the form is submitted
    (then it becomes a Bijlage with the same stored file) or removed; old ones are cleaned up."""

    __tablename__ = "gekozen_bestand"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    sessie_id: Mapped[str] = mapped_column(String(64), index=True)  # LoginSession.id
    naam: Mapped[str] = mapped_column(String(255))
    soort: Mapped[str] = mapped_column(String(MAX_SOORT), default=OVERIG)
    content_type: Mapped[str] = mapped_column(String(100))
    grootte: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    opslag_sleutel: Mapped[str] = mapped_column(String(100), unique=True)

    def __repr__(self) -> str:
        return f"<GekozenBestand {self.id}>"
