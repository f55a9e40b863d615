"""Password rules: at least 12 characters and not a common or guessable password."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

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
