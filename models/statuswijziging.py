"""Statuswijziging: one entry of a hulpvraag's status history, never edited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import CreatedMixin, db

if TYPE_CHECKING:
    from models.hulpvraag import Hulpvraag
    from models.user import User


class Statuswijziging(CreatedMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "statuswijziging"
    # Kengetallen: the changes of a period, per month and status, read from the index alone.
    __table_args__ = (Index("ix_statuswijziging_created_at", "created_at", "hulpvraag_id", "van", "naar"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hulpvraag_id: Mapped[int] = mapped_column(ForeignKey("hulpvraag.id"), index=True)
    van: Mapped[str | None] = mapped_column(String(80))
    naar: Mapped[str] = mapped_column(String(80))
    reden: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    bron: Mapped[str] = mapped_column(String(80), default="")  # e.g. the BPMN element that set it

    hulpvraag: Mapped[Hulpvraag] = relationship(back_populates="statuswijzigingen")
    user: Mapped[User | None] = relationship()


def _refuse_change(_mapper: Any, _connection: Any, target: Statuswijziging) -> None:
    raise ValueError("Statuswijzigingen zijn onveranderlijk: voeg een nieuwe toe.")


event.listen(Statuswijziging, "before_update", _refuse_change)
event.listen(Statuswijziging, "before_delete", _refuse_change)
