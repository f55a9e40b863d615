"""AanpakKoppeling: a beheerder's choice of aanpak (diagram) for a hulpvraag title."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import CreatedMixin, db


class AanpakKoppeling(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """Overrides bpmn/aanpakken.yaml for one title; without a row the file's choice holds."""

    __tablename__ = "aanpak_koppeling"

    titel: Mapped[str] = mapped_column(String(120), primary_key=True)
    process_key: Mapped[str] = mapped_column(String(80))
    gewijzigd_door_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
