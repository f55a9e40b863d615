"""Password rules (at least 12 characters, not common or guessable) and checking one in constant work."""

from __future__ import annotations

import contextlib
import re
import secrets
from functools import lru_cache
from pathlib import Path

from argon2.exceptions import VerificationError

from models.user import PASSWORDS, User

MIN_LENGTH = 12
COMMON_FILE = Path(__file__).with_name("common-passwords.txt")


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    lines = COMMON_FILE.read_text("utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _normalised(password: str) -> str:
    """Strip the usual decorations: 'Welkom2024!' → 'welkom'."""
    return re.sub(r"[\d\W_]+$", "", password.lower()).strip()


def password_problem(password: str, username: str = "", email: str = "") -> str | None:
    """A Dutch reason why this password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return f"Kies een wachtwoord van minstens {MIN_LENGTH} tekens."
    lowered = password.lower()
    if lowered in _common() or _normalised(password) in _common() or len(set(lowered)) <= 3:
        return "Dit wachtwoord is te bekend of te eenvoudig. Kies een ander, bijvoorbeeld een zin van vier woorden."
    personal = {p.lower() for p in (username, email.split("@")[0]) if len(p) >= 4}
    if any(p in lowered for p in personal):
        return "Gebruik uw gebruikersnaam of e-mailadres niet in uw wachtwoord."
    return None


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return PASSWORDS.hash(secrets.token_urlsafe(24))


def check(user: User | None, password: str) -> bool:
    """Whether ``password`` is right; an unknown, inactive or password-less account costs the same
    argon2 work as a real one, so the time of the answer does not tell which accounts exist."""
    if user is None or not user.password_hash:
        with contextlib.suppress(VerificationError):
            PASSWORDS.verify(_dummy_hash(), password)
        return False
    return user.check_password(password) and user.actief
