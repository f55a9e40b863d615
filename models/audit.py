"""AuditEntry: who read or changed what, when and from where (domain.md §9). Never edited."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, db, utcnow

if TYPE_CHECKING:
    from models.user import User

ACTIES = ("bekijken", "aanmaken", "wijzigen", "downloaden", "exporteren", "taak_afronden")
OBJECT_TYPES = ("dossier", "hulpvraag", "bijlage", "taak", "export", "audit", "koppeling", "mail", "procesversie",
                "concept", "gebruiker", "school", "bestuur", "wijk", "functie", "bijlagesoort", "vergadering")


class AuditEntry(db.Model):  # type: ignore[name-defined]
    """One read or change. ``detail`` is a short note for the reader of the log: never a pupil's name.

    ``dossier_id`` and ``object_id`` carry no foreign key on purpose: the trail must outlive a
    dossier that the retention rules delete, and the entry itself holds no personal data.
    """

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    actie: Mapped[str] = mapped_column(String(20))
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int | None] = mapped_column(Integer)
    dossier_id: Mapped[int | None] = mapped_column(Integer, index=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AuditEntry {self.actie} {self.object_type} {self.object_id}>"


def _refuse_change(_mapper: Any, _connection: Any, target: AuditEntry) -> None:
    raise ValueError("Auditregels zijn onveranderlijk: ze worden alleen toegevoegd.")


event.listen(AuditEntry, "before_update", _refuse_change)
event.listen(AuditEntry, "before_delete", _refuse_change)
