"""Formulier: a budget form on a hulpvraag (domain.md §2, §5), kept beside its aanpak for the lists.

One row per budget aanpak (process instance). The answers themselves stay on the completed tasks
(``HumanTask.antwoorden``); this row repeats what the Formulieren list filters, sorts and exports
on, and is brought up to date after every completed task of its aanpak (workflow/formulieren.py).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import CreatedMixin, UTCDateTime, db, utcnow

if TYPE_CHECKING:
    from models.hulpvraag import Hulpvraag
    from models.process_instance import ProcessInstance


class Formulier(CreatedMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "formulier"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    hulpvraag_id: Mapped[int] = mapped_column(ForeignKey("hulpvraag.id"), index=True)
    regeling: Mapped[str] = mapped_column(String(20))  # the aanpak: schoolbudget, budget_inclusief
    soort: Mapped[str] = mapped_column(String(80), index=True)  # "Schoolbudget leerling", …
    status: Mapped[str] = mapped_column(String(200), index=True)
    bestuur: Mapped[str] = mapped_column(String(200), default="", index=True)
    schooljaar: Mapped[str] = mapped_column(String(9), default="", index=True)
    aangevraagd_bedrag: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    advies: Mapped[str] = mapped_column(String(200), default="")
    besluit: Mapped[str] = mapped_column(String(200), default="")
    toegekend_bedrag: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    hulpvraag: Mapped[Hulpvraag] = relationship()
    instance: Mapped[ProcessInstance] = relationship()

    def __repr__(self) -> str:
        return f"<Formulier {self.id} {self.soort}>"
