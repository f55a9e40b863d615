"""One-time secrets for logging in: recovery codes, password-reset and account-activation links (stored hashed)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import CreatedMixin, UTCDateTime, db


def token_hash(secret: str) -> str:
    """SHA-256 of a high-entropy random secret: enough, since it cannot be guessed."""
    return hashlib.sha256(secret.encode()).hexdigest()


class RecoveryCode(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """One of ten codes a user gets at enrolment; each works once instead of a TOTP code."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PasswordReset(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """A single-use password-reset link that expires."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AccountActivatie(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """A single-use link that lets a new account choose its first password; it expires.

    A separate table from PasswordReset on purpose: an activation link can never serve as a
    reset link (or back), and a resent activation makes the older links of that user invalid.
    """

    __tablename__ = "account_activatie"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    vervangen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # a newer link was sent
