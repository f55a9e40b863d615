"""Incident: a case the engine could not move on (a completion, a timer, a start, an LVS submission).

The failed step itself saved nothing; the incident records where it failed and what the user had
typed, so a procesbeheerder can repair the case and retry. ``invoer`` is pupil data (form input):
it is kept only while the incident is open and never goes into a mail.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import CreatedMixin, UTCDateTime, db, utcnow

if TYPE_CHECKING:
    from models.hulpvraag import Hulpvraag
    from models.human_task import HumanTask
    from models.process_definition import ProcessDefinition
    from models.process_instance import ProcessInstance
    from models.user import User

OPEN, OPGELOST = "open", "opgelost"
SOORTEN = {
    "taak": "Afronden van een taak",
    "timer": "Timer",
    "start": "Start van een aanpak",
    "lvs": "Aanvraag uit het LVS",
}
OPLOSSINGEN = {
    "opnieuw": "Opnieuw geprobeerd: gelukt",
    "gelukt": "Later gelukt (nieuwe poging door de gebruiker of het LVS)",
    "teruggezet": "Teruggezet naar een eerdere taak",
    "overgeslagen": "Element overgeslagen",
    "gestopt": "Aanpak gestopt",
    "gesloten": "Gesloten zonder herstel: er liep geen aanpak (meer)",
    "gemigreerd": "Naar een gerepareerde versie gemigreerd en opnieuw geprobeerd",
}


class Incident(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """One stuck step. While open there is one per ``sleutel`` (where it happened) and element;
    a repeat of the same failure only counts up ``aantal``."""

    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(primary_key=True)
    soort: Mapped[str] = mapped_column(String(10))  # SOORTEN
    status: Mapped[str] = mapped_column(String(10), default=OPEN, index=True)
    sleutel: Mapped[str] = mapped_column(String(200), index=True)  # e.g. "taak-12", "timer-3", "start-4-tlv"
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    hulpvraag_id: Mapped[int | None] = mapped_column(ForeignKey("hulpvraag.id", ondelete="CASCADE"), index=True)
    human_task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id", ondelete="SET NULL"))
    process_key: Mapped[str] = mapped_column(String(80))
    definition_id: Mapped[int | None] = mapped_column(ForeignKey("process_definition.id", ondelete="SET NULL"))
    bpmn_id: Mapped[str] = mapped_column(String(120), default="")
    melding: Mapped[str] = mapped_column(Text)  # the engine's Dutch message
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # who hit it last; None for a timer
    invoer: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the submitted form, to retry with
    aantal: Mapped[int] = mapped_column(Integer, default=1)
    laatst_op: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    opgelost_op: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opgelost_door_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    oplossing: Mapped[str | None] = mapped_column(String(20))  # OPLOSSINGEN
    notitie: Mapped[str] = mapped_column(Text, default="")

    instance: Mapped[ProcessInstance | None] = relationship()
    hulpvraag: Mapped[Hulpvraag | None] = relationship()
    human_task: Mapped[HumanTask | None] = relationship()
    definition: Mapped[ProcessDefinition | None] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    opgelost_door: Mapped[User | None] = relationship(foreign_keys=[opgelost_door_id])

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    def sluit(self, door: User | None, oplossing: str, notitie: str = "") -> None:
        """Mark as solved; the stored input (pupil data) goes with it."""
        self.status, self.oplossing, self.notitie = OPGELOST, oplossing, notitie
        self.opgelost_op, self.opgelost_door_id = utcnow(), door.id if door is not None else None
        self.invoer = None

    def __repr__(self) -> str:
        return f"<Incident {self.id} {self.soort} {self.bpmn_id} {self.status}>"
