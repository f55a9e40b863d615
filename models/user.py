"""User: an account with roles (domain.md §1), scoped to schools."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import CreatedMixin, UTCDateTime, db
from models.functie import user_functie

if TYPE_CHECKING:
    from models.functie import Functie
    from models.school import School

# argon2id, memory 19 MiB, 2 iterations: the OWASP minimum for argon2id.
PASSWORDS = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class Rol(StrEnum):
    AANVRAGER = "aanvrager"
    DIRECTEUR = "directeur"
    SCP = "scp"
    FUNCTIONARIS = "functionaris"
    BEHEERDER = "beheerder"
    PROCESBEHEERDER = "procesbeheerder"
    EXTERN = "extern"


ROL_LABELS = {
    Rol.AANVRAGER: "Aanvrager (school)",
    Rol.DIRECTEUR: "Directeur",
    Rol.SCP: "Schoolcontactpersoon",
    Rol.FUNCTIONARIS: "Functionaris",
    Rol.BEHEERDER: "Beheerder",
    Rol.PROCESBEHEERDER: "Procesbeheerder",
    Rol.EXTERN: "Externe deelnemer",
}
SCHOOL_ROLLEN = frozenset({Rol.AANVRAGER, Rol.DIRECTEUR})
SWV_ROLLEN = frozenset({Rol.SCP, Rol.FUNCTIONARIS, Rol.PROCESBEHEERDER})
TAKEN_MAIL = {"direct": "Per nieuwe taak een e-mail", "dagelijks": "Eén overzicht per dag", "uit": "Geen e-mail"}

user_school = Table(
    "user_school",
    db.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("school_id", ForeignKey("school.id", ondelete="CASCADE"), primary_key=True),
)


class UserRol(db.Model):  # type: ignore[name-defined]
    __tablename__ = "user_rol"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    rol: Mapped[str] = mapped_column(String(20), primary_key=True)


class User(UserMixin, CreatedMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    swv_id: Mapped[int | None] = mapped_column(ForeignKey("samenwerkingsverband.id"), index=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    naam: Mapped[str] = mapped_column(String(200))
    telefoon: Mapped[str | None] = mapped_column(String(40))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    actief: Mapped[bool] = mapped_column(Boolean, default=True)
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa.false())  # seed-demo account
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)  # replay protection
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Mail preferences (account settings): status mails on/off; new tasks one by one or daily.
    mail_bij_status: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa.true())
    taken_mail: Mapped[str] = mapped_column(String(10), default="direct", server_default="direct")  # TAKEN_MAIL

    rol_rows: Mapped[list[UserRol]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    scholen: Mapped[list[School]] = relationship(secondary=user_school, lazy="selectin")
    functies: Mapped[list[Functie]] = relationship(secondary=user_functie, lazy="selectin", order_by="Functie.naam")

    @property
    def rollen(self) -> frozenset[str]:
        return frozenset(r.rol for r in self.rol_rows)

    def set_rollen(self, rollen: set[str] | list[str]) -> None:
        unknown = set(rollen) - {r.value for r in Rol}
        if unknown:
            raise ValueError(f"Onbekende rol(len): {', '.join(sorted(unknown))}")
        self.rol_rows = [UserRol(rol=r) for r in sorted(set(rollen))]

    def heeft_rol(self, *rollen: str) -> bool:
        return bool(self.rollen.intersection(rollen))

    @property
    def functie_namen(self) -> frozenset[str]:
        """The names of this user's active functies, as diagrams and tasks write them."""
        return frozenset(f.naam for f in self.functies if f.actief)

    def set_password(self, password: str) -> None:
        self.password_hash = PASSWORDS.hash(password)

    def check_password(self, password: str) -> bool:
        if not self.password_hash:
            return False
        try:
            return PASSWORDS.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled account cannot log in
        return self.actief

    @property
    def school_ids(self) -> set[int]:
        return {s.id for s in self.scholen}

    def __repr__(self) -> str:
        return f"<User {self.username}>"


def gecoordineerde_school_ids(user: User) -> set[int]:
    """The schools this user coordinates as SCP."""
    from models.school import School

    rows = db.session.scalars(sa.select(School.id).where(School.scp_id == user.id))
    return set(rows)
