"""Time-based one-time codes (TOTP, RFC 6238) with replay protection and recovery codes."""

from __future__ import annotations

import hmac
import secrets
import time

import pyotp
import segno
import sqlalchemy as sa

from models import RecoveryCode, User, db, utcnow
from models.auth_token import token_hash

STEP = 30
ISSUER = "Kansrijk"


def new_secret() -> str:
    return pyotp.random_base32()


def qr_svg_data_uri(user: User, secret: str) -> str:
    """The enrolment QR code, made locally (no third-party service sees the secret)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
    return str(segno.make(uri, error="m").svg_data_uri(scale=5))


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step the code belongs to, accepting one step either side; None if wrong."""
    code = code.replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    moment = time.time() if now is None else now
    totp = pyotp.TOTP(secret)
    for offset in (0, -1, 1):
        if hmac.compare_digest(totp.at(moment + offset * STEP), code):
            return int(moment // STEP) + offset
    return None


def verify(user: User, code: str, now: float | None = None) -> str:
    """'ok', 'hergebruikt' (a replayed code) or 'fout'. Records the step on success."""
    if not user.totp_secret:
        return "fout"
    step = matching_step(user.totp_secret, code, now)
    if step is None:
        return "fout"
    if user.totp_last_step is not None and step <= user.totp_last_step:
        return "hergebruikt"
    user.totp_last_step = step
    return "ok"


def new_recovery_codes(user: User, count: int = 10) -> list[str]:
    """Replace the user's recovery codes; the plain codes are shown once and never stored."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(count)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=token_hash(c)) for c in codes)
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    row = db.session.scalar(
        sa.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == token_hash(code.strip().lower()),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = utcnow()
    return True


def reset(user: User) -> None:
    """A beheerder's reset: the user enrols again at the next login."""
    user.totp_secret, user.totp_last_step = None, None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
