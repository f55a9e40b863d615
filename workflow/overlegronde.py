"""Overlegronde use cases: start a round, invite deelnemers (new extern accounts get an
activation link), extend the deadline, add a reactie. Who may see what: workflow/access.py.

Like every use case these flush and never commit; the web request commits once.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from models import Hulpvraag, PasswordReset, ProcessInstance, Rol, User, UserRol, db, utcnow
from models.auth_token import token_hash
from models.overlegronde import Deelnemer, Overlegronde, Reactie
from models.user import SWV_ROLLEN, user_school
from workflow import audit
from workflow.access import is_school_van, may_react, may_start_overlegronde, nu
from workflow.engine.runtime import start_process

PROCESS_KEY = "overlegronde"
ACTIVATIE_UREN = 7 * 24  # an invitation link works seven days, once (then a password reset is needed)
MAX_REACTIE = 5000
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class OverlegrondeFout(Exception):
    """Something the user can correct; ``str()`` is the Dutch message."""


@dataclass(frozen=True)
class NieuweDeelnemer:
    naam: str
    email: str


@dataclass(frozen=True)
class Uitnodiging:
    """Whom to mail about a round; ``token`` is set for a new account that still needs a password."""

    user: User
    token: str | None = None


# --- starting -----------------------------------------------------------------------------
def start_overlegronde(
    hulpvraag: Hulpvraag, user: User, onderwerp: str, omschrijving: str, deadline: datetime | None,
    bestaande_ids: list[int], nieuwe: list[NieuweDeelnemer],
) -> tuple[Overlegronde, list[Uitnodiging]]:  # fmt: skip
    if not may_start_overlegronde(user, hulpvraag):
        raise PermissionError("overlegronde not allowed for this hulpvraag or user")
    onderwerp = onderwerp.strip()
    if not onderwerp or len(onderwerp) > 200:
        raise OverlegrondeFout("Vul een onderwerp in (hoogstens 200 tekens).")
    _check_deadline(deadline)
    assert deadline is not None
    if _lopende_ronde(hulpvraag) is not None:
        raise OverlegrondeFout(
            "Er loopt al een overlegronde voor deze hulpvraag. Verleng die, of wacht tot hij gesloten is."
        )
    uitnodigingen = _bestaande(bestaande_ids, user, hulpvraag) + [_nieuw_account(n, hulpvraag, user) for n in nieuwe]
    if not uitnodigingen:
        raise OverlegrondeFout("Kies minstens één deelnemer of voeg een nieuwe deelnemer toe.")
    ronde = Overlegronde(hulpvraag_id=hulpvraag.id, onderwerp=onderwerp, omschrijving=omschrijving.strip(),
                         deadline=deadline, started_by_id=user.id)  # fmt: skip
    ronde.deelnemers = [Deelnemer(user_id=u.user.id) for u in _uniek(uitnodigingen)]
    db.session.add(ronde)
    db.session.flush()
    start_process(hulpvraag, PROCESS_KEY, user)
    audit.record(user, "wijzigen", "hulpvraag", hulpvraag.id, dossier_id=hulpvraag.dossier_id,
                 detail=f"overlegronde {ronde.id} gestart")  # fmt: skip
    return ronde, _uniek(uitnodigingen)


def _check_deadline(deadline: datetime | None) -> None:
    if deadline is None:
        raise OverlegrondeFout("Vul een deadline in: daarna vervalt de toegang voor de deelnemers.")
    if deadline <= nu():
        raise OverlegrondeFout("De deadline moet in de toekomst liggen.")


def _lopende_ronde(hulpvraag: Hulpvraag) -> Overlegronde | None:
    query = sa.select(Overlegronde).where(
        Overlegronde.hulpvraag_id == hulpvraag.id, Overlegronde.deadline > nu(), Overlegronde.gesloten_at.is_(None)
    )
    return db.session.scalars(query).first()


def _uniek(uitnodigingen: list[Uitnodiging]) -> list[Uitnodiging]:
    seen: dict[int, Uitnodiging] = {}
    for u in uitnodigingen:
        seen.setdefault(u.user.id, u)
    return list(seen.values())


def kandidaten(user: User, hulpvraag: Hulpvraag) -> list[User]:
    """Accounts the picker offers: staff of the hulpvraag's school and externs this school invited
    before; never SWV staff. Anyone else is invited by exact e-mail address (``_nieuw_account``),
    so a school never browses another school's staff or the SWV's externs."""
    swv_staff = sa.select(UserRol.user_id).where(UserRol.rol.in_([*SWV_ROLLEN, Rol.BEHEERDER]))
    school_rollen = sa.select(UserRol.user_id).where(UserRol.rol.in_([Rol.AANVRAGER, Rol.DIRECTEUR]))
    eigen_staf = sa.select(user_school.c.user_id).where(
        user_school.c.school_id == hulpvraag.school_id, user_school.c.user_id.in_(school_rollen)
    )
    externen = sa.select(UserRol.user_id).where(UserRol.rol == Rol.EXTERN)
    eerder_uitgenodigd = (
        sa.select(Deelnemer.user_id)
        .join(Overlegronde, Overlegronde.id == Deelnemer.overlegronde_id)
        .join(Hulpvraag, Hulpvraag.id == Overlegronde.hulpvraag_id)
        .where(Hulpvraag.school_id == hulpvraag.school_id, Deelnemer.user_id.in_(externen))
    )
    query = sa.select(User).where(
        User.actief.is_(True), User.id != user.id, User.id.not_in(swv_staff),
        sa.or_(User.id.in_(eigen_staf), User.id.in_(eerder_uitgenodigd)),
    )  # fmt: skip
    return list(db.session.scalars(query.order_by(User.naam)))


def _bestaande(ids: list[int], user: User, hulpvraag: Hulpvraag) -> list[Uitnodiging]:
    allowed = {u.id: u for u in kandidaten(user, hulpvraag)}
    if any(i not in allowed for i in ids):
        raise OverlegrondeFout("Een gekozen deelnemer kan niet worden uitgenodigd.")
    return [Uitnodiging(allowed[i]) for i in ids]


def _nieuw_account(nieuw: NieuweDeelnemer, hulpvraag: Hulpvraag, user: User) -> Uitnodiging:
    """Someone outside the picker, by exact e-mail address: their existing account, or a new extern."""
    naam, email = nieuw.naam.strip(), nieuw.email.strip().lower()
    if not _EMAIL.fullmatch(email) or len(email) > 80 or len(naam) > 200:
        raise OverlegrondeFout("Vul bij een nieuwe deelnemer een naam en een geldig (zakelijk) e-mailadres in.")
    bestaand = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email))
    if bestaand is not None:  # the exact address of an account: its own name stays, none is needed
        if not bestaand.actief or bestaand.rollen & (SWV_ROLLEN | {Rol.BEHEERDER}):
            raise OverlegrondeFout("Met dit e-mailadres bestaat al een account dat niet kan deelnemen.")
        return Uitnodiging(bestaand)
    if not naam:
        raise OverlegrondeFout("Vul bij een nieuwe deelnemer een naam en een geldig (zakelijk) e-mailadres in.")
    if _verwijst_naar_leerling(f"{naam} {email}", hulpvraag):
        raise OverlegrondeFout(
            "Vermeld bij een nieuwe deelnemer geen naam van de leerling: andere gebruikers kunnen deze gegevens zien."
        )
    if db.session.scalar(sa.select(User.id).where(sa.func.lower(User.username) == email)) is not None:
        raise OverlegrondeFout("Met dit e-mailadres bestaat al een account dat niet kan deelnemen.")
    extern = User(username=email, email=email, naam=naam, swv_id=user.swv_id, actief=True)
    extern.set_rollen({Rol.EXTERN})
    db.session.add(extern)
    db.session.flush()
    return Uitnodiging(extern, activatie_token(extern))


def _verwijst_naar_leerling(tekst: str, hulpvraag: Hulpvraag) -> bool:
    dossier = hulpvraag.dossier
    woorden = {w.lower() for w in (dossier.roepnaam, dossier.achternaam) if w and len(w) >= 3}
    lower = tekst.lower()
    return any(re.search(rf"\b{re.escape(w)}\b", lower) for w in woorden)


def activatie_token(user: User) -> str:
    """A single-use link to set a first password (the password-reset mechanism, longer valid)."""
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordReset(user_id=user.id, token_hash=token_hash(token),
                                 expires_at=utcnow() + timedelta(hours=ACTIVATIE_UREN)))  # fmt: skip
    return token


# --- extending, reacting ------------------------------------------------------------------
def verleng(ronde: Overlegronde, user: User, deadline: datetime | None) -> None:
    """A new deadline restores the deelnemers' access; a closed round's diagram starts again."""
    if not is_school_van(user, ronde.hulpvraag):
        raise PermissionError("only the school's own staff extend a round")
    _check_deadline(deadline)
    assert deadline is not None
    ronde.deadline, ronde.gesloten_at = deadline, None
    db.session.flush()
    if not _timer_wacht(ronde.hulpvraag):
        start_process(ronde.hulpvraag, PROCESS_KEY, user)
    audit.record(user, "wijzigen", "hulpvraag", ronde.hulpvraag_id, dossier_id=ronde.hulpvraag.dossier_id,
                 detail=f"overlegronde {ronde.id}: deadline gewijzigd")  # fmt: skip


def _timer_wacht(hulpvraag: Hulpvraag) -> bool:
    """Whether an overlegronde diagram of this hulpvraag still waits (it re-reads the deadline)."""
    query = sa.select(ProcessInstance.id).where(
        ProcessInstance.hulpvraag_id == hulpvraag.id, ProcessInstance.process_key == PROCESS_KEY,
        ProcessInstance.completed.is_(False),
    )  # fmt: skip
    return db.session.scalar(query) is not None


def reageer(ronde: Overlegronde, user: User, tekst: str) -> Reactie:
    if not may_react(user, ronde):
        raise PermissionError("no reacties after the deadline or outside the round")
    tekst = tekst.strip()
    if not tekst or len(tekst) > MAX_REACTIE:
        raise OverlegrondeFout(f"Schrijf een reactie van hoogstens {MAX_REACTIE} tekens.")
    reactie = Reactie(overlegronde_id=ronde.id, user_id=user.id, tekst=tekst)
    db.session.add(reactie)
    db.session.flush()
    return reactie
