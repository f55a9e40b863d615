"""PublicatiePoging: one run of the publish gate (start-up, CLI or browser), passed or refused.

Kept in the database, not in process memory, so the web workers, the Celery worker and
/healthz agree on whether the last publication of the diagrams was refused."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import CreatedMixin, db

if TYPE_CHECKING:
    from models.user import User


class PublicatiePoging(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """``problemen`` maps a diagram key to its Dutch problem lines; empty when ``ok``."""

    __tablename__ = "publicatie_poging"

    id: Mapped[int] = mapped_column(primary_key=True)
    bron: Mapped[str] = mapped_column(String(20))  # opstarten | cli | browser | terugzetten
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    ok: Mapped[bool]
    problemen: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    gepubliceerd: Mapped[list[str]] = mapped_column(JSON, default=list)  # labels: "Generieke aanpak v3"

    user: Mapped[User | None] = relationship()

    @property
    def geweigerd(self) -> list[str]:
        return sorted(self.problemen)

    def __repr__(self) -> str:
        return f"<PublicatiePoging {self.bron} {'ok' if self.ok else 'geweigerd'}>"
