"""ProcessDefinition: one published version of a BPMN diagram and its forms."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import CreatedMixin, UTCDateTime, db, utcnow

if TYPE_CHECKING:
    from models.user import User


class ProcessDefinition(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """Every version is kept; an instance stays pinned to the one it started on.

    Versions are numbered per process_key (1, 2, 3 …, never reused); the live version is the
    highest number. A revert publishes old content again under the next number, so the same
    content_hash may occur more than once and no published row is ever changed."""

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("process_key", "nummer", name="key_nummer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(80), index=True)  # file stem: "hulpvraag"
    nummer: Mapped[int]
    bpmn_process_id: Mapped[str] = mapped_column(String(120))
    naam: Mapped[str] = mapped_column(String(200), default="")
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    bpmn_xml: Mapped[str] = mapped_column(Text)
    forms: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # filename -> JSON schema
    scenarios: Mapped[str | None] = mapped_column(Text)  # the scenario file it passed, for a gated revert
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)  # serialized spec + subprocess specs
    bron: Mapped[str] = mapped_column(String(20), default="bestand")  # bestand | browser | terugzetten
    notitie: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    published_by: Mapped[User | None] = relationship()

    @property
    def versie(self) -> str:
        """Short, human-readable version label: "v3"."""
        return f"v{self.nummer}"

    @property
    def label(self) -> str:
        """What users see: "Generieke aanpak v3"."""
        return f"{self.naam} v{self.nummer}"

    def __repr__(self) -> str:
        return f"<ProcessDefinition {self.process_key}@{self.versie}>"
