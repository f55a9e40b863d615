"""HumanTask: the projection of open user tasks, so inboxes are plain SQL."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import CreatedMixin, UTCDateTime, db

if TYPE_CHECKING:
    from models.hulpvraag import Hulpvraag
    from models.process_instance import ProcessInstance
    from models.user import User


class HumanTask(CreatedMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "human_task"
    __table_args__ = (UniqueConstraint("instance_id", "task_id", name="instance_task"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    hulpvraag_id: Mapped[int | None] = mapped_column(ForeignKey("hulpvraag.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))  # the engine's task UUID
    bpmn_id: Mapped[str] = mapped_column(String(120))
    titel: Mapped[str] = mapped_column(String(200))
    instructie: Mapped[str] = mapped_column(Text, default="")
    lane: Mapped[str | None] = mapped_column(String(80))
    rol: Mapped[str] = mapped_column(String(20), index=True)
    functie: Mapped[str | None] = mapped_column(String(80), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"), index=True)
    assigned_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    form: Mapped[str | None] = mapped_column(String(200))  # JSON-schema filename
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # What the user submitted: the validated form data, only the form's own fields, as JSON
    # (amounts and dates as text). Pages read this, never the engine state. None: not completed
    # by a person, or completed before it was kept.
    antwoorden: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    instance: Mapped[ProcessInstance] = relationship()
    hulpvraag: Mapped[Hulpvraag | None] = relationship()
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    assigned_user: Mapped[User | None] = relationship(foreign_keys=[assigned_user_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])

    @property
    def is_open(self) -> bool:
        return self.completed_at is None

    def __repr__(self) -> str:
        return f"<HumanTask {self.bpmn_id} of instance {self.instance_id}>"
