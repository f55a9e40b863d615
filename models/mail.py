"""OutgoingMail: a mail queued in the same transaction as the change it reports (the outbox)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import CreatedMixin, UTCDateTime, db

STATUSSEN = {
    "wachtrij": "In de wachtrij",
    "verzenden": "Wordt verzonden",
    "verzonden": "Verzonden",
    "mislukt": "Mislukt",
}


class OutgoingMail(CreatedMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "outgoing_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    # Idempotency: one row per key (a second queue_mail with the same key is a no-op), and
    # the key is the Message-ID, so a receiver can tell a redelivery from a new mail.
    sleutel: Mapped[str] = mapped_column(String(120), unique=True)
    soort: Mapped[str] = mapped_column(String(40), default="algemeen", server_default="algemeen")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    hulpvraag_id: Mapped[int | None] = mapped_column(ForeignKey("hulpvraag.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="wachtrij", index=True)  # see STATUSSEN
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    volgende_poging_op: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    lease_tot: Mapped[datetime | None] = mapped_column(UTCDateTime())  # while a worker is sending it
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(String(300))
