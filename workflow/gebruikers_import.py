"""Importing accounts from a CSV or Excel file: read, check every line, then all or nothing.

A file has a header row with the columns naam, e-mail, gebruikersnaam, rollen, functies,
scholen (in any order; a few spellings are understood). Rollen, functies and scholen hold one
or more values separated by commas, semicolons or line breaks (a CSV with commas between the
columns needs quotes around such a cell). A school is its BRIN+vestiging (``00YY00``), its BRIN
when it has one vestiging, or its exact name. For a school role (aanvrager, directeur) the
schools are where the person works; for an SCP the schools they coordinate.

``lees`` turns bytes into rows of text; ``controleer_regels`` resolves and checks every row
(the same rules as the form: ``workflow.gebruikers.controleer``) and the file as a whole;
``importeer`` stores them in the caller's transaction, each with an activation mail.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa

from models import Functie, School, User, db
from models.user import ROL_LABELS, SCHOOL_ROLLEN, Rol
from workflow import gebruikers, tabelbestand
from workflow.gebruikers import Gegevens
from workflow.tabelbestand import BestandFout

__all__ = ["BestandFout", "Regel", "controleer_regels", "foutmeldingen", "importeer", "lees"]

MAX_REGELS = 2000
KOLOMMEN: dict[str, tuple[str, ...]] = {
    "naam": ("naam", "name", "volledige naam"),
    "email": ("e-mail", "email", "e-mailadres", "emailadres", "mail"),
    "username": ("gebruikersnaam", "username", "gebruiker", "inlognaam"),
    "rollen": ("rollen", "rol"),
    "functies": ("functies", "functie"),
    "scholen": ("scholen", "school"),
}
VERPLICHT = ("naam", "email", "username", "rollen")
SPLITS = re.compile(r"[,;\n|]+")
ROL_NAMEN = {**{r.value: r.value for r in Rol}, **{label.lower(): r.value for r, label in ROL_LABELS.items()},
             "schoolcontactpersoon": Rol.SCP.value, "ib'er": Rol.AANVRAGER.value}  # fmt: skip


@dataclass
class Regel:
    """One line of the file: its number as a spreadsheet shows it, what it says, and what is wrong."""

    nummer: int
    velden: dict[str, str]
    gegevens: Gegevens | None = None
    fouten: list[str] = field(default_factory=list)
    meldingen: list[str] = field(default_factory=list)  # not wrong, but worth knowing (an SCP takes a school)

    def cel(self, key: str) -> str:
        return self.velden.get(key, "")


# --- reading ----------------------------------------------------------------------------
def lees(bestandsnaam: str, data: bytes) -> list[Regel]:
    """The data rows of an uploaded .csv or .xlsx (blank rows skipped); BestandFout when unreadable."""
    tabel = tabelbestand.lees_tabel(bestandsnaam, data, MAX_REGELS)
    kolommen = tabelbestand.kop(tabel[0], KOLOMMEN, VERPLICHT)
    regels = [Regel(nummer, velden) for nummer, velden in tabelbestand.regels(tabel, kolommen)]
    if not regels:
        raise BestandFout("Het bestand heeft een kopregel maar geen accounts.")
    if len(regels) > MAX_REGELS:
        raise BestandFout(f"Het bestand heeft {len(regels)} accounts; importeer er hoogstens {MAX_REGELS} tegelijk.")
    return regels


# --- checking ---------------------------------------------------------------------------
@dataclass
class _Opzoek:
    swv_id: int | None
    scholen: list[School]
    functies: dict[str, Functie]

    @classmethod
    def laad(cls, swv_id: int | None) -> _Opzoek:
        scholen = list(db.session.scalars(sa.select(School).where(School.swv_id == swv_id)))
        functies = db.session.scalars(sa.select(Functie).where(Functie.actief.is_(True)))
        return cls(swv_id, scholen, {_sleutel(f.naam): f for f in functies})

    def school(self, tekst: str) -> tuple[School | None, str]:
        code = re.sub(r"[\s-]", "", tekst).upper()
        for kandidaten in ([s for s in self.scholen if s.brin6 == code],
                           [s for s in self.scholen if s.brin == code],
                           [s for s in self.scholen if s.naam.lower() == tekst.lower()]):  # fmt: skip
            if len(kandidaten) == 1:
                return kandidaten[0], ""
            if len(kandidaten) > 1:
                return None, f"school ‘{tekst}’ is niet eenduidig: gebruik BRIN+vestiging (bijvoorbeeld 00YY00)"
        return None, f"school ‘{tekst}’ bestaat niet: gebruik BRIN+vestiging (bijvoorbeeld 00YY00) of de naam"


def controleer_regels(regels: list[Regel], swv_id: int | None) -> list[Regel]:
    """Resolve and check every line (fouten per line, in Dutch); the lines are changed in place."""
    opzoek = _Opzoek.laad(swv_id)
    for regel in regels:
        regel.gegevens, regel.fouten, regel.meldingen = _gegevens(regel), [], []
        _controleer(regel, opzoek)
    _dubbel(regels, "username", "gebruikersnaam")
    _dubbel(regels, "email", "e-mailadres")
    _dubbele_scp(regels)
    return regels


def _gegevens(regel: Regel) -> Gegevens:
    return Gegevens(naam=regel.cel("naam"), email=regel.cel("email"), username=regel.cel("username"))


def _controleer(regel: Regel, opzoek: _Opzoek) -> None:
    g = regel.gegevens
    assert g is not None
    for tekst in _waarden(regel.cel("rollen")):
        rol = ROL_NAMEN.get(_sleutel(tekst))
        if rol is None:
            regel.fouten.append(f"rol ‘{tekst}’ bestaat niet; kies uit {gebruikers.rol_keuzetekst()}")
        else:
            g.rollen.append(rol)
    for tekst in _waarden(regel.cel("functies")):
        functie = opzoek.functies.get(_sleutel(tekst))
        if functie is None:
            regel.fouten.append(f"functie ‘{tekst}’ bestaat niet (of is niet actief)")
        else:
            g.functie_ids.append(functie.id)
    for tekst in _waarden(regel.cel("scholen")):
        school, fout = opzoek.school(tekst)
        if school is None:
            regel.fouten.append(fout)
            continue
        if SCHOOL_ROLLEN.intersection(g.rollen) or Rol.SCP not in g.rollen:
            g.school_ids.append(school.id)
        if Rol.SCP in g.rollen:
            g.scp_school_ids.append(school.id)
    schoon = g.opgeschoond()
    fouten = gebruikers.controleer(schoon, swv_id=opzoek.swv_id)
    if regel.fouten:  # an unknown role, functie or school: the rules about them would only repeat it
        fouten = {k: v for k, v in fouten.items() if k in ("naam", "email", "username")}
    regel.fouten += [_klein(v) for v in fouten.values()]
    regel.gegevens = schoon
    regel.meldingen += [_klein(o.tekst(schoon.naam)) for o in gebruikers.overnames(schoon, None)]


def _sleutel(tekst: str) -> str:
    """How a name is looked up: case and accents do not count ("Financien" finds "financiën")."""
    return "".join(c for c in unicodedata.normalize("NFKD", tekst.lower()) if not unicodedata.combining(c))


def _waarden(cel: str) -> list[str]:
    return [w.strip() for w in SPLITS.split(cel) if w.strip()]


def _klein(zin: str) -> str:
    """A form message as part of 'Regel 3: …' (first letter small, no full stop)."""
    zin = zin.rstrip(".")
    return zin[:1].lower() + zin[1:] if zin[:2] != zin[:2].upper() else zin


def _dubbel(regels: list[Regel], key: str, label: str) -> None:
    eerder: dict[str, int] = {}
    for regel in regels:
        waarde = regel.cel(key).lower()
        if not waarde:
            continue
        if waarde in eerder:
            regel.fouten.append(f"{label} ‘{regel.cel(key)}’ staat ook op regel {eerder[waarde]}")
        else:
            eerder[waarde] = regel.nummer


def _dubbele_scp(regels: list[Regel]) -> None:
    """A school has one SCP: two lines cannot both coordinate it."""
    eerder: dict[int, int] = {}
    for regel in regels:
        for school_id in regel.gegevens.scp_school_ids if regel.gegevens else []:
            if school_id in eerder:
                school = db.session.get(School, school_id)
                naam = school.naam if school else school_id
                regel.fouten.append(f"school ‘{naam}’ krijgt al een schoolcontactpersoon op regel {eerder[school_id]}")
            else:
                eerder[school_id] = regel.nummer


def foutmeldingen(regels: list[Regel]) -> list[str]:
    """Every problem as 'Regel 3: e-mailadres ‘x’ is ongeldig', in file order."""
    return [f"Regel {r.nummer}: {fout}." for r in regels for fout in r.fouten]


# --- storing ----------------------------------------------------------------------------
def importeer(regels: list[Regel], door: User | None, swv_id: int | None) -> list[User]:
    """Create every account (flushed, in the caller's transaction); each gets an activation mail.

    The caller has just checked the lines with ``controleer_regels`` (in this transaction), so the
    accounts are not checked one by one again; the database's unique username is the last guard.
    """
    users = []
    with db.session.no_autoflush:  # each account flushes itself; a flush before every query would cost more
        for regel in regels:
            assert regel.gegevens is not None and not regel.fouten
            users.append(gebruikers.maak_aan(regel.gegevens, door, swv_id, gecontroleerd=True))
    return users
