"""Concept: a process owner's draft of one aanpaktype in the studio (diagram, forms, scenarios).

One open draft per aanpaktype and author. ``revisie`` counts the saves: a save that names an
older revisie than the stored one is refused, so two tabs or two editors never overwrite a
newer save unknowingly. A draft becomes a version only through the publish gate.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import CreatedMixin, UTCDateTime, db, utcnow

if TYPE_CHECKING:
    from models.process_definition import ProcessDefinition
    from models.user import User

OPEN, GEPUBLICEERD, VERWORPEN = "open", "gepubliceerd", "verworpen"


class Concept(CreatedMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "concept"
    __table_args__ = (Index("ix_concept_key_auteur_status", "process_key", "auteur_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(80), index=True)  # the diagram's file stem: "aanpak"
    auteur_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    basis_id: Mapped[int | None] = mapped_column(ForeignKey("process_definition.id", ondelete="SET NULL"))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    forms: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # file name -> JSON (schema or UI schema)
    scenarios: Mapped[str] = mapped_column(Text, default="")  # the <key>.scenarios.yaml text
    status: Mapped[str] = mapped_column(String(12), default=OPEN, index=True)
    revisie: Mapped[int] = mapped_column(Integer, default=1)
    gewijzigd_op: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    gewijzigd_door_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    gepubliceerd_als_id: Mapped[int | None] = mapped_column(ForeignKey("process_definition.id", ondelete="SET NULL"))

    auteur: Mapped[User] = relationship(foreign_keys=[auteur_id])
    gewijzigd_door: Mapped[User | None] = relationship(foreign_keys=[gewijzigd_door_id])
    basis: Mapped[ProcessDefinition | None] = relationship(foreign_keys=[basis_id])
    gepubliceerd_als: Mapped[ProcessDefinition | None] = relationship(foreign_keys=[gepubliceerd_als_id])

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    def __repr__(self) -> str:
        return f"<Concept {self.process_key} r{self.revisie} {self.status}>"
