"""Accounts, as a beheerder runs them: create, change, disable and enable, activation links.

Every use case flushes and audits, never commits: the request commits once, so a refused
change leaves nothing behind (and the activation mail, queued in the outbox, goes only with
a stored account). ``controleer`` holds the rules once for the form and the import.

Which schools a user belongs to depends on the role: school staff (aanvrager, directeur) work
for schools (``User.scholen``); an SCP coordinates schools (``School.scp_id``: one SCP per
school, so coordinating a school takes it from its previous SCP; ``overnames`` lists that first).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from marshmallow import ValidationError
from marshmallow.validate import Email

from models import Functie, School, User, UserRol, db, utcnow
from models.auth_token import AccountActivatie, token_hash
from models.user import ROL_LABELS, SCHOOL_ROLLEN, Rol
from workflow import audit
from workflow.meldingen import link, stuur

USERNAME = re.compile(r"^[A-Za-z0-9._@-]{3,80}$")
MAX_NAAM = 200
MAX_EMAIL = 254


@dataclass
class Gegevens:
    """An account as the beheerder types it (form) or a file line holds it (import), already resolved to ids."""

    naam: str = ""
    email: str = ""
    username: str = ""
    rollen: list[str] = field(default_factory=list)
    functie_ids: list[int] = field(default_factory=list)
    school_ids: list[int] = field(default_factory=list)  # works for (school roles)
    scp_school_ids: list[int] = field(default_factory=list)  # coordinates (SCP)

    def opgeschoond(self) -> Gegevens:
        return Gegevens(" ".join(self.naam.split()), self.email.strip(), self.username.strip(),
                        sorted(set(self.rollen)), sorted(set(self.functie_ids)), sorted(set(self.school_ids)),
                        sorted(set(self.scp_school_ids)))  # fmt: skip


class Ongeldig(Exception):  # noqa: N818 - a refusal the user fixes, not a bug
    """The account was not stored: ``fouten`` maps a field to its Dutch message."""

    def __init__(self, fouten: dict[str, str]) -> None:
        super().__init__("; ".join(fouten.values()))
        self.fouten = fouten


# --- the rules --------------------------------------------------------------------------
def controleer(g: Gegevens, bestaand: User | None = None, door: User | None = None,
               swv_id: int | None = None) -> dict[str, str]:  # fmt: skip
    """Every problem with ``g`` (field → Dutch message); empty when it may be stored.

    ``swv_id``: the schools must be of this SWV (a beheerder assigns only their own schools).
    """
    fouten: dict[str, str] = {}
    _controleer_naam(g, fouten)
    _controleer_email(g, bestaand, fouten)
    _controleer_username(g, bestaand, fouten)
    _controleer_rollen(g, fouten, swv_id)
    if door is not None and bestaand is not None and bestaand.id == door.id and Rol.BEHEERDER not in g.rollen:
        fouten["rollen"] = "U kunt uw eigen rol beheerder niet afnemen; vraag dat een andere beheerder."
    return fouten


def _controleer_naam(g: Gegevens, fouten: dict[str, str]) -> None:
    if not g.naam:
        fouten["naam"] = "Vul de naam in."
    elif len(g.naam) > MAX_NAAM:
        fouten["naam"] = f"De naam is te lang (hoogstens {MAX_NAAM} tekens)."


def _controleer_email(g: Gegevens, bestaand: User | None, fouten: dict[str, str]) -> None:
    if not g.email:
        fouten["email"] = "Vul het e-mailadres in."
        return
    try:
        Email()(g.email)
        geldig = len(g.email) <= MAX_EMAIL
    except ValidationError:
        geldig = False
    if not geldig:
        fouten["email"] = f"Het e-mailadres ‘{g.email[:80]}’ is ongeldig."
    elif (ander := _met(User.email, g.email, bestaand)) is not None:
        fouten["email"] = f"Het e-mailadres ‘{g.email}’ is al in gebruik bij {ander.naam} ({ander.username})."


def _controleer_username(g: Gegevens, bestaand: User | None, fouten: dict[str, str]) -> None:
    if not g.username:
        fouten["username"] = "Vul de gebruikersnaam in."
    elif not USERNAME.match(g.username):
        fouten["username"] = (f"De gebruikersnaam ‘{g.username[:80]}’ is ongeldig: 3 tot 80 letters, cijfers "
                              "of . _ - @, zonder spaties.")  # fmt: skip
    elif (ander := _met(User.username, g.username, bestaand)) is not None:
        fouten["username"] = f"De gebruikersnaam ‘{g.username}’ is al in gebruik bij {ander.naam}."


def _controleer_rollen(g: Gegevens, fouten: dict[str, str], swv_id: int | None) -> None:
    onbekend = set(g.rollen) - {r.value for r in Rol}
    if onbekend:
        fouten["rollen"] = f"Onbekende rol ‘{sorted(onbekend)[0][:40]}’; kies uit: {rol_keuzetekst()}."
    elif not g.rollen:
        fouten["rollen"] = "Kies minstens één rol."
    if not fouten.get("rollen"):
        _controleer_rolgebonden(g, fouten)
    scholen = sa.select(School.id).where(School.id.in_(g.school_ids + g.scp_school_ids))
    bekende = set(db.session.scalars(scholen if swv_id is None else scholen.where(School.swv_id == swv_id)))
    if set(g.school_ids + g.scp_school_ids) - bekende:
        fouten["scholen"] = "Een gekozen school bestaat niet (meer)."
    actieve = set(db.session.scalars(sa.select(Functie.id).where(Functie.id.in_(g.functie_ids), Functie.actief)))
    if set(g.functie_ids) - actieve:
        fouten["functies"] = "Een gekozen functie bestaat niet of is niet meer actief."


def _controleer_rolgebonden(g: Gegevens, fouten: dict[str, str]) -> None:
    """Schools and functies belong to roles: each role that needs one has it, and none is left dangling."""
    schoolrol = bool(SCHOOL_ROLLEN.intersection(g.rollen))
    if schoolrol and not g.school_ids:
        fouten["scholen"] = "Een aanvrager of directeur werkt voor minstens één school: kies de school."
    elif g.school_ids and not schoolrol:
        fouten["scholen"] = "Scholen waarvoor iemand werkt horen bij de rol aanvrager of directeur: kies die rol."
    if g.scp_school_ids and Rol.SCP not in g.rollen:
        fouten["scp_scholen"] = "Alleen een schoolcontactpersoon coördineert scholen: kies de rol of laat dit leeg."
    if Rol.FUNCTIONARIS in g.rollen and not g.functie_ids:
        fouten["functies"] = "Een functionaris heeft minstens één functie: kies de functie(s)."
    elif g.functie_ids and Rol.FUNCTIONARIS not in g.rollen:
        fouten["functies"] = "Functies horen bij de rol functionaris: kies die rol of laat de functies leeg."


def _met(kolom: sa.orm.InstrumentedAttribute[str], waarde: str, bestaand: User | None) -> User | None:
    """Another account with this username or e-mail address (case does not count)."""
    query = sa.select(User).where(sa.func.lower(kolom) == waarde.lower())
    if bestaand is not None:
        query = query.where(User.id != bestaand.id)
    return db.session.scalar(query.limit(1))


def rol_keuzetekst() -> str:
    return ", ".join(r.value for r in Rol)


# --- SCP schools: a school has one SCP ---------------------------------------------------
@dataclass(frozen=True)
class Overname:
    school: School
    van: User | None  # the SCP it is taken from; None: the school loses this SCP and gets none

    def tekst(self, naam: str) -> str:
        school = f"{self.school.naam} ({self.school.brin6})"
        if self.van is None:
            return f"{school} heeft daarna geen schoolcontactpersoon meer."
        return f"{school} wordt nu gecoördineerd door {self.van.naam}; daarna door {naam}."


def overnames(g: Gegevens, bestaand: User | None) -> list[Overname]:
    """What storing ``g`` does to other SCPs' schools, and schools left without SCP: to confirm first."""
    gekozen = set(g.scp_school_ids)
    scholen = db.session.scalars(sa.select(School).where(School.id.in_(gekozen)).order_by(School.naam)).all()
    result = [Overname(s, s.scp) for s in scholen if s.scp_id is not None and (bestaand is None or
                                                                                 s.scp_id != bestaand.id)]
    if bestaand is not None:
        losgelaten = sa.select(School).where(School.scp_id == bestaand.id, School.id.not_in(gekozen or {0}))
        result += [Overname(s, None) for s in db.session.scalars(losgelaten.order_by(School.naam))]
    return result


def gecoordineerd(user: User) -> list[School]:
    return list(db.session.scalars(sa.select(School).where(School.scp_id == user.id).order_by(School.naam)))


# --- the use cases ----------------------------------------------------------------------
def maak_aan(g: Gegevens, door: User | None, swv_id: int | None, gecontroleerd: bool = False) -> User:
    """A new account without password; an activation mail goes to its address. Raises Ongeldig.

    ``gecontroleerd``: the caller has just run ``controleer`` (the import checks a whole file first).
    """
    g = g.opgeschoond()
    fouten = {} if gecontroleerd else controleer(g, swv_id=swv_id)
    if fouten:
        raise Ongeldig(fouten)
    user = User(swv_id=swv_id, naam=g.naam, email=g.email, username=g.username, actief=True)
    db.session.add(user)
    _zet(user, g)
    db.session.flush()
    if g.scp_school_ids:
        _zet_scp(user, g, door)
    audit.record(door, "aanmaken", "gebruiker", user.id, detail=_samenvatting(user))
    stuur_activatie(user, door, eerste=True)
    return user


def wijzig(user: User, g: Gegevens, door: User) -> list[str]:
    """Change name, address, username, roles, functies and schools; returns what changed (audited)."""
    g = g.opgeschoond()
    fouten = controleer(g, bestaand=user, door=door, swv_id=user.swv_id)
    if fouten:
        raise Ongeldig(fouten)
    voor = _stand(user)
    _zet(user, g)
    user.naam, user.email, user.username = g.naam, g.email, g.username
    _zet_scp(user, g, door)
    db.session.flush()
    wijzigingen = _verschil(voor, _stand(user))
    if wijzigingen:
        audit.record(door, "wijzigen", "gebruiker", user.id, detail="; ".join(wijzigingen))
    return wijzigingen


def _zet(user: User, g: Gegevens) -> None:
    user.set_rollen(g.rollen)
    functies = sa.select(Functie).where(Functie.id.in_(g.functie_ids))
    user.functies = list(db.session.scalars(functies)) if g.functie_ids else []
    scholen = sa.select(School).where(School.id.in_(g.school_ids))
    user.scholen = list(db.session.scalars(scholen)) if g.school_ids else []


def _zet_scp(user: User, g: Gegevens, door: User | None) -> None:
    """This user coordinates exactly the chosen schools; an SCP who loses a school finds that in their history."""
    gekozen = set(g.scp_school_ids)
    scholen = sa.select(School).where(sa.or_(School.scp_id == user.id, School.id.in_(gekozen or {0})))
    for school in db.session.scalars(scholen):
        if school.id in gekozen and school.scp_id not in (None, user.id):
            audit.record(door, "wijzigen", "gebruiker", school.scp_id,
                         detail=f"SCP van {school.brin6} overgedragen aan {user.naam} ({user.username})")  # fmt: skip
        school.scp_id = user.id if school.id in gekozen else None


def _stand(user: User) -> dict[str, str]:
    """The fields an audit note compares, as short text (schools by BRIN+vestiging: no personal data)."""
    return {
        "naam": user.naam, "e-mail": user.email, "gebruikersnaam": user.username,
        "rollen": ", ".join(sorted(user.rollen)) or "-",
        "functies": ", ".join(sorted(f.naam for f in user.functies)) or "-",
        "scholen": ", ".join(sorted(s.brin6 for s in user.scholen)) or "-",
        "SCP van": ", ".join(sorted(s.brin6 for s in gecoordineerd(user))) or "-",
    }  # fmt: skip


def _verschil(voor: dict[str, str], na: dict[str, str]) -> list[str]:
    return [f"{k}: {voor[k]} → {na[k]}" for k in voor if voor[k] != na[k]]


def _samenvatting(user: User) -> str:
    return "; ".join(f"{k}: {v}" for k, v in _stand(user).items() if k not in ("naam", "e-mail"))


def schakel_uit(user: User, door: User) -> None:
    """Disable: the account cannot log in; the caller ends its sessions (web/auth/sessions.py)."""
    if user.id == door.id:
        raise Ongeldig({"actief": "U kunt uw eigen account niet uitschakelen."})
    if user.actief:
        user.actief = False
        audit.record(door, "wijzigen", "gebruiker", user.id, detail="account uitgeschakeld")


def schakel_in(user: User, door: User) -> None:
    if not user.actief:
        user.actief = True
        audit.record(door, "wijzigen", "gebruiker", user.id, detail="account ingeschakeld")


# --- activation links -------------------------------------------------------------------
def geactiveerd(user: User) -> bool:
    return user.password_hash is not None


def stuur_activatie(user: User, door: User | None, eerste: bool = False) -> AccountActivatie:
    """A fresh single-use link by mail; older open links of this user stop working."""
    if not user.actief:
        raise Ongeldig({"activatie": "Dit account is uitgeschakeld: schakel het eerst in."})
    if geactiveerd(user):
        raise Ongeldig({"activatie": "Dit account is al geactiveerd. Wachtwoord kwijt? Gebruik ‘Wachtwoord "
                                     "vergeten’ op de inlogpagina."})  # fmt: skip
    nu = utcnow()
    for oud in db.session.scalars(_open_links(user)):
        oud.vervangen_at = nu
    token = secrets.token_urlsafe(32)
    dagen = current_app.config["ACCOUNT_ACTIVATION_DAYS"]
    row = AccountActivatie(user_id=user.id, token_hash=token_hash(token), expires_at=nu + timedelta(days=dagen))
    db.session.add(row)
    db.session.flush()
    stuur("account_activeren", user.email, "Kansrijk: activeer uw account", sleutel=f"activatie-{row.id}",
          user=user, dagen=dagen, link=link("auth.activeren", token=token), rollen=_rol_labels(user))  # fmt: skip
    if not eerste:
        audit.record(door, "wijzigen", "gebruiker", user.id, detail="activatielink opnieuw verstuurd")
    return row


def _open_links(user: User) -> sa.Select[tuple[AccountActivatie]]:
    return sa.select(AccountActivatie).where(AccountActivatie.user_id == user.id, AccountActivatie.used_at.is_(None),
                                             AccountActivatie.vervangen_at.is_(None))  # fmt: skip


def _rol_labels(user: User) -> list[str]:
    return [ROL_LABELS[Rol(r)] for r in sorted(user.rollen)]


def activatie(token: str) -> AccountActivatie | None:
    """The link with this token, whatever its state (None: it never existed)."""
    return db.session.scalar(sa.select(AccountActivatie).where(AccountActivatie.token_hash == token_hash(token)))


def bruikbaar(row: AccountActivatie | None) -> bool:
    if row is None or row.used_at is not None or row.vervangen_at is not None or row.expires_at < utcnow():
        return False
    user = db.session.get(User, row.user_id)
    return user is not None and user.actief and not geactiveerd(user)


def activeer(row: AccountActivatie, wachtwoord: str) -> User:
    """Use the link: the first password is set (checked by the caller); the link is spent."""
    user = db.session.get(User, row.user_id)
    assert user is not None and bruikbaar(row)
    row.used_at = utcnow()
    user.set_password(wachtwoord)
    user.password_changed_at = row.used_at
    audit.record(None, "wijzigen", "gebruiker", user.id, detail="account geactiveerd (eerste wachtwoord gekozen)")
    return user


def vraag_nieuwe_link(row: AccountActivatie) -> bool:
    """The user of a spent or expired link asks for a new one: every active beheerder is mailed, once per link."""
    user = db.session.get(User, row.user_id)
    if user is None or not user.actief or geactiveerd(user):
        return False
    beheerders = sa.select(User).where(User.actief.is_(True), User.rol_rows.any(UserRol.rol == Rol.BEHEERDER))
    for beheerder in db.session.scalars(beheerders):
        stuur("account_activatie_verzoek", beheerder.email, "Kansrijk: verzoek om een nieuwe activatielink",
              sleutel=f"activatie-verzoek-{row.id}-{beheerder.id}", user=beheerder, aanvrager=user,
              link=link("beheer.gebruiker", user_id=user.id))  # fmt: skip
    return True
