"""ProcessInstance: a running diagram on a hulpvraag, with its persisted engine state."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import CreatedMixin, UTCDateTime, db, utcnow

if TYPE_CHECKING:
    from models.hulpvraag import Hulpvraag
    from models.process_definition import ProcessDefinition


class ProcessInstance(CreatedMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "process_instance"
    # The timer sweep (runtime.due_instance_ids): equality on completed, a range on the due time, in order.
    __table_args__ = (Index("ix_process_instance_timer_due", "completed", "next_timer_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hulpvraag_id: Mapped[int | None] = mapped_column(ForeignKey("hulpvraag.id"), index=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(80), index=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)  # engine state without the spec
    serializer_version: Mapped[str] = mapped_column(String(20))
    completed: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    error: Mapped[str | None] = mapped_column(String(500))
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Optimistic lock: an UPDATE that finds another version fails (StaleDataError).
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    hulpvraag: Mapped[Hulpvraag | None] = relationship()
    definition: Mapped[ProcessDefinition] = relationship()

    def __repr__(self) -> str:
        return f"<ProcessInstance {self.id} {self.process_key}>"
