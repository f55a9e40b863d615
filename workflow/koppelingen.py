"""Koppelingen (domain.md §6): the beheerder registers one per school and LVS environment, the
LVS activates it, and every API call authenticates with its verificatiecode.

A verificatiecode is never stored: only its HMAC-SHA256 under SECRET_KEY (``code_digest``), which
finds the koppeling in one indexed lookup. Rotating SECRET_KEY therefore invalidates every code.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
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


_INTERNE_NAMEN = (".localhost", ".local", ".internal", ".lan", ".home.arpa", ".intranet", ".corp")


def onveilig_toegestaan() -> bool:
    """Development only (LVS_CALLBACK_ONVEILIG): http and loopback callback URLs, for a local test LVS."""
    return bool(current_app.config.get("LVS_CALLBACK_ONVEILIG", False))


def url_fout(url: str) -> str | None:
    """Why ``url`` cannot receive pushes: https to a public host only (statusberichten carry pupil
    data), never a loopback, link-local or private address, unless LVS_CALLBACK_ONVEILIG is set."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "Geef een volledige https-URL (hoogstens 500 tekens), of laat het veld leeg."
    onveilig = onveilig_toegestaan()
    if parts.scheme not in (("http", "https") if onveilig else ("https",)) or not parts.hostname or len(url) > 500:
        return "Geef een volledige https-URL (hoogstens 500 tekens), of laat het veld leeg."
    if parts.username or parts.password:
        return "De URL mag geen gebruikersnaam of wachtwoord bevatten."
    if port is not None and not 0 < port < 65536:
        return "De poort in de URL is ongeldig."
    return host_fout(parts.hostname, onveilig)


def host_fout(host: str, onveilig: bool) -> str | None:
    """A host that is not on the public internet (by name or address literal), in Dutch; else None."""
    host = host.strip("[]").lower().rstrip(".")
    try:
        adres = ipaddress.ip_address(host)
    except ValueError:
        adres = None
    if adres is not None:
        return adres_fout(adres, onveilig)
    if host == "localhost" or host.endswith(_INTERNE_NAMEN) or "." not in host:
        return None if onveilig and (host == "localhost" or host.endswith(".localhost")) else (
            "De callback-URL moet naar een openbare host wijzen, niet naar een interne naam zoals "
            f"'{host[:60]}'.")  # fmt: skip
    return None


def adres_fout(adres: ipaddress.IPv4Address | ipaddress.IPv6Address, onveilig: bool) -> str | None:
    if adres.is_global:
        return None
    if onveilig and adres.is_loopback:
        return None
    return (f"De callback-URL wijst naar een intern adres ({adres}: loopback, link-local of privé); "
            "statusberichten gaan alleen naar een openbaar https-adres.")  # fmt: skip


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


def heractiveer(koppeling: Koppeling, door: User) -> None:
    """Switch a koppeling that was switched off on again (its code and activation as they were)."""
    if koppeling.actief:
        raise KoppelingOngeldig({"actief": "Deze koppeling staat al aan."})
    koppeling.actief = True
    audit.record(door, "wijzigen", "koppeling", koppeling.id, detail="weer aangezet")


def wijzig_callback(koppeling: Koppeling, url: str, door: User) -> str | None:
    """A new (or no) callback URL; the new signing secret when there was none yet (shown once)."""
    url = url.strip()
    if url and (melding := url_fout(url)):
        raise KoppelingOngeldig({"callback_url": melding})
    oud = koppeling.callback_url
    koppeling.callback_url = url or None
    geheim = None
    if url and not koppeling.callback_secret:
        geheim = koppeling.callback_secret = secrets.token_urlsafe(32)
    wat = "gewijzigd" if oud and url else "ingesteld" if url else "verwijderd"
    audit.record(door, "wijzigen", "koppeling", koppeling.id, detail=f"callback-URL {wat}")
    return geheim


def nieuw_geheim(koppeling: Koppeling, door: User) -> str:
    """Rotate the secret that signs pushes: the old one stops working at once (shown once)."""
    if not koppeling.callback_url:
        raise KoppelingOngeldig({"callback_secret": "Zonder callback-URL is er geen geheim om te vervangen."})
    koppeling.callback_secret = secrets.token_urlsafe(32)
    audit.record(door, "wijzigen", "koppeling", koppeling.id, detail="callbackgeheim vervangen")
    return koppeling.callback_secret


def nieuwe_code(koppeling: Koppeling, code: str, door: User) -> None:
    """The school chose a new verificatiecode (a leaked or forgotten one): the old one stops working."""
    code = code.strip()
    if melding := code_fout(code, koppeling.school):
        raise KoppelingOngeldig({"verificatiecode": melding})
    digest = code_digest(code)
    if db.session.scalar(sa.select(Koppeling.id).where(Koppeling.code_digest == digest)):
        raise KoppelingOngeldig({"verificatiecode": "Deze verificatiecode is al in gebruik. Laat de school een "
                                 "andere kiezen."})  # fmt: skip
    koppeling.code_digest = digest
    audit.record(door, "wijzigen", "koppeling", koppeling.id, detail="verificatiecode vervangen")


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
