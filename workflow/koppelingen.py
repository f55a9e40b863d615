"""Koppelingen (domain.md §6): the beheerder registers one per school and LVS environment, the
LVS activates it, and every API call authenticates with its verificatiecode.

A verificatiecode is never stored: only its HMAC-SHA256 under SECRET_KEY (``code_digest``), which
finds the koppeling in one indexed lookup. Rotating SECRET_KEY therefore invalidates every code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from models import Koppeling, Rol, School, User, db, utcnow
from models.lvs import LVS_TYPES
from workflow import audit

CODE_MIN, CODE_MAX = 20, 50


class LvsFout(Exception):
    """A refused LVS request: the HTTP status, a Dutch message and the field it is about."""

    def __init__(self, status: int, message: str, veld: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.veld = status, message, veld


class KoppelingOngeldig(Exception):
    """The beheerder's input for a koppeling is wrong; ``fouten`` maps each field to a Dutch message."""

    def __init__(self, fouten: dict[str, str]) -> None:
        super().__init__("De koppeling is niet opgeslagen.")
        self.fouten = fouten


# --- the verificatiecode --------------------------------------------------------------------
def code_digest(code: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def code_fout(code: str, school: School) -> str | None:
    """Why ``code`` cannot be the verificatiecode of ``school`` (domain.md §6), or None."""
    if not CODE_MIN <= len(code) <= CODE_MAX:
        return f"De verificatiecode moet {CODE_MIN} tot {CODE_MAX} tekens lang zijn (nu {len(code)})."
    if not code.upper().startswith(school.brin6):
        return f"De verificatiecode moet beginnen met BRIN en vestigingscode van de school: {school.brin6}."
    if any(teken.isspace() or not teken.isprintable() for teken in code):
        return "De verificatiecode mag geen spaties of onzichtbare tekens bevatten."
    return None


def koppeling_voor_code(code: str) -> Koppeling | None:
    """The active koppeling with this verificatiecode, or None."""
    if not code or len(code) > CODE_MAX:
        return None
    query = sa.select(Koppeling).where(Koppeling.code_digest == code_digest(code), Koppeling.actief.is_(True))
    return db.session.scalar(query)


# --- the beheerder registers, the LVS activates ------------------------------------------------
@dataclass
class NieuweKoppeling:
    school_id: int | None
    lvs_type: str
    omgeving: str
    verificatiecode: str
    callback_url: str = ""


def registreer_koppeling(invoer: NieuweKoppeling, door: User) -> tuple[Koppeling, str | None]:
    """A new koppeling and, with a callback URL, the secret that signs its pushes (shown once)."""
    school = db.session.get(School, invoer.school_id) if invoer.school_id else None
    fouten = _koppeling_fouten(invoer, school)
    if fouten or school is None:
        raise KoppelingOngeldig(fouten or {"school_id": "Kies een school."})
    geheim = secrets.token_urlsafe(32) if invoer.callback_url else None
    koppeling = Koppeling(
        school_id=school.id, lvs_type=invoer.lvs_type, omgeving=invoer.omgeving.strip(),
        code_digest=code_digest(invoer.verificatiecode), callback_url=invoer.callback_url or None,
        callback_secret=geheim, aangemaakt_door_id=door.id,
    )  # fmt: skip
    db.session.add(koppeling)
    db.session.flush()
    koppeling.systeemgebruiker_id = _systeemgebruiker(koppeling, school).id
    audit.record(door, "aanmaken", "koppeling", koppeling.id, detail=f"{koppeling.lvs_naam} {school.brin6}")
    return koppeling, geheim


def _koppeling_fouten(invoer: NieuweKoppeling, school: School | None) -> dict[str, str]:
    fouten: dict[str, str] = {}
    if school is None:
        fouten["school_id"] = "Kies een school."
    if invoer.lvs_type not in LVS_TYPES:
        fouten["lvs_type"] = "Kies het LVS: ESIS, ParnasSys of een ander LVS."
    if len(invoer.omgeving) > 100:
        fouten["omgeving"] = "De omgeving mag hoogstens 100 tekens lang zijn."
    if school is not None and (melding := code_fout(invoer.verificatiecode, school)):
        fouten["verificatiecode"] = melding
    elif school is not None and db.session.scalar(
        sa.select(Koppeling.id).where(Koppeling.code_digest == code_digest(invoer.verificatiecode))
    ):
        fouten["verificatiecode"] = "Deze verificatiecode is al in gebruik. Laat de school een andere kiezen."
    if invoer.callback_url and (melding := url_fout(invoer.callback_url)):
        fouten["callback_url"] = melding
    return fouten


def url_fout(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        return "Geef een volledige http- of https-URL (hoogstens 500 tekens), of laat het veld leeg."
    if parts.username or parts.password:
        return "De URL mag geen gebruikersnaam of wachtwoord bevatten."
    return None


def _systeemgebruiker(koppeling: Koppeling, school: School) -> User:
    """The account aanvragen are made on behalf of when the contactpersoon has none: it works the
    school's intake tasks of these aanvragen (the LVS re-sends), but has no password, so no login."""
    user = User(
        swv_id=school.swv_id, username=f"lvs-koppeling-{koppeling.id}",
        naam=f"{koppeling.lvs_naam}-koppeling {school.naam}",
        email=f"lvs-koppeling-{koppeling.id}@kansrijk.invalid", password_hash=None, actief=True,
    )  # fmt: skip
    user.mail_bij_status = False  # nobody reads this mailbox; the LVS follows the status itself
    user.set_rollen({Rol.AANVRAGER})
    user.scholen = [school]
    db.session.add(user)
    db.session.flush()
    return user


def deactiveer(koppeling: Koppeling, door: User) -> None:
    koppeling.actief = False
    audit.record(door, "wijzigen", "koppeling", koppeling.id, detail="gedeactiveerd")


def activeer(code: str, naam: str, toestemming: bool) -> Koppeling:
    """The LVS's activation screen: name, consent and the verificatiecode the beheerder registered."""
    koppeling = koppeling_voor_code(code)
    if koppeling is None:
        raise LvsFout(401, "Deze verificatiecode is bij het samenwerkingsverband niet bekend.", "verificatiecode")
    if not toestemming:
        raise LvsFout(422, "Zonder toestemming wordt de koppeling niet geactiveerd.", "toestemming")
    koppeling.geactiveerd_op, koppeling.geactiveerd_door, koppeling.toestemming = utcnow(), naam.strip(), True
    koppeling.laatst_gebruikt_op = utcnow()
    audit.record(koppeling.systeemgebruiker, "wijzigen", "koppeling", koppeling.id, detail="geactiveerd via het LVS")
    return koppeling


def noteer_fout(koppeling_id: int, melding: str) -> None:
    """Remember a refused call for the beheerder's page (its own small transaction)."""
    db.session.execute(
        sa.update(Koppeling).where(Koppeling.id == koppeling_id)
        .values(laatste_fout=melding[:300], laatste_fout_op=utcnow(), laatst_gebruikt_op=utcnow())
    )  # fmt: skip
    db.session.commit()
