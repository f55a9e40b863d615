"""ProcessDefinition: one published version of a BPMN diagram and its forms."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import CreatedMixin, UTCDateTime, db, utcnow


class ProcessDefinition(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """Every version is kept; an instance stays pinned to the one it started on."""

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("process_key", "content_hash", name="key_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(80), index=True)  # file stem: "hulpvraag"
    bpmn_process_id: Mapped[str] = mapped_column(String(120))
    naam: Mapped[str] = mapped_column(String(200), default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    forms: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # filename -> JSON schema
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)  # serialized spec + subprocess specs
    bron: Mapped[str] = mapped_column(String(20), default="bestand")  # bestand | editor
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    @property
    def versie(self) -> str:
        """Short, human-readable version label."""
        return self.content_hash[:10]

    def __repr__(self) -> str:
        return f"<ProcessDefinition {self.process_key}@{self.versie}>"
