"""Importing schools from a CSV or Excel file: read, check every line, then all or nothing.

A file has a header row with the columns naam, brin, vestigingscode, bestuur, wijk, scp (in any
order). The BRIN may be written as the 6 positions BRIN+vestiging (``01AB00``); then the
vestigingscode column may stay empty. A bestuur or wijk that does not exist yet is created (the
preview says so); the SCP is the username or e-mail address of an active account with the role
scp. The same checks as the form apply (``workflow.scholen``), plus: no BRIN+vestiging twice in
the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import sqlalchemy as sa

from models import Bestuur, Rol, User, Wijk, db
from workflow import audit
from workflow.scholen import SchoolInvoer, brin_bezet, brin_fout, maak_school, naam_fout, swv_id_voor
from workflow.tabelbestand import BestandFout, kop, lees_tabel, regels

MAX_REGELS = 2000
KOLOMMEN: dict[str, tuple[str, ...]] = {
    "naam": ("naam", "schoolnaam", "school", "name"),
    "brin": ("brin", "brin-code", "brincode", "brin6"),
    "vestigingscode": ("vestigingscode", "vestiging", "vestigingsnummer"),
    "bestuur": ("bestuur", "schoolbestuur"),
    "wijk": ("wijk",),
    "scp": ("scp", "schoolcontactpersoon"),
}
VERPLICHT = ("naam", "brin", "bestuur")

__all__ = ["BestandFout", "Regel", "controleer", "importeer", "lees"]


@dataclass
class Regel:
    """One line of the file: its number as a spreadsheet shows it, what it says, and what is wrong."""

    nummer: int
    velden: dict[str, str]
    invoer: SchoolInvoer = field(default_factory=SchoolInvoer)
    fouten: list[str] = field(default_factory=list)
    meldingen: list[str] = field(default_factory=list)  # not wrong, but worth knowing (a new bestuur)

    def cel(self, key: str) -> str:
        return self.velden.get(key, "")

    @property
    def brin6(self) -> str:
        return f"{self.invoer.brin}{self.invoer.vestigingscode}"


def lees(bestandsnaam: str, data: bytes) -> list[Regel]:
    """The data rows of an uploaded .csv or .xlsx; BestandFout when unreadable or empty."""
    tabel = lees_tabel(bestandsnaam, data, MAX_REGELS)
    rijen = regels(tabel, kop(tabel[0], KOLOMMEN, VERPLICHT))
    if not rijen:
        raise BestandFout("Het bestand heeft een kopregel maar geen scholen.")
    if len(rijen) > MAX_REGELS:
        raise BestandFout(f"Het bestand heeft {len(rijen)} scholen; importeer er hoogstens {MAX_REGELS} tegelijk.")
    return [Regel(nummer, velden) for nummer, velden in rijen]


def controleer(regels_: list[Regel], door: User) -> list[Regel]:
    """Check every line (fouten and meldingen filled in); nothing is stored."""
    swv_id = swv_id_voor(door)
    gezien: dict[str, int] = {}
    for regel in regels_:
        _controleer_regel(regel, swv_id)
        if regel.brin6 in gezien and not regel.fouten:
            regel.fouten.append(f"BRIN {regel.brin6} staat ook al op regel {gezien[regel.brin6]}.")
        gezien.setdefault(regel.brin6, regel.nummer)
    return regels_


def _controleer_regel(regel: Regel, swv_id: int) -> None:
    brin, vestiging = regel.cel("brin").upper().replace(" ", ""), regel.cel("vestigingscode")
    if len(brin) == 6 and not vestiging:
        brin, vestiging = brin[:4], brin[4:]
    regel.invoer = SchoolInvoer(naam=regel.cel("naam"), brin=brin, vestigingscode=vestiging.zfill(2) if
                                vestiging.isdigit() else vestiging)  # fmt: skip
    if melding := naam_fout(regel.invoer.naam):
        regel.fouten.append(melding)
    fouten = brin_fout(regel.invoer.brin, regel.invoer.vestigingscode)
    regel.fouten.extend(fouten.values())
    if not fouten and (bestaand := brin_bezet(regel.invoer.brin, regel.invoer.vestigingscode)):
        regel.fouten.append(f"BRIN {regel.brin6} is al van {bestaand.naam}.")
    _bestuur_en_wijk(regel, swv_id)
    _scp(regel)


def _bestaand(model: type[Bestuur] | type[Wijk], swv_id: int, naam: str) -> Bestuur | Wijk | None:
    query = sa.select(model).where(model.swv_id == swv_id, sa.func.lower(model.naam) == naam.strip().lower())
    return cast("Bestuur | Wijk | None", db.session.scalars(query).first())


def _bestuur_en_wijk(regel: Regel, swv_id: int) -> None:
    for key, model, wat in (("bestuur", Bestuur, "het bestuur"), ("wijk", Wijk, "de wijk")):
        naam = regel.cel(key)
        if not naam:
            if key == "bestuur":
                regel.fouten.append("Vul het bestuur in.")
            continue
        rij = _bestaand(model, swv_id, naam)
        if rij is None:
            regel.meldingen.append(f"Nieuw{'' if key == 'bestuur' else 'e'} {key}: {naam} (wordt aangemaakt).")
        elif not rij.actief:
            regel.fouten.append(f"{wat.capitalize()} {rij.naam} is uitgezet.")
        elif key == "bestuur":
            regel.invoer.bestuur_id = rij.id
        else:
            regel.invoer.wijk_id = rij.id


def _scp(regel: Regel) -> None:
    tekst = regel.cel("scp").lower()
    if not tekst:
        return
    user = db.session.scalar(sa.select(User).where(sa.or_(sa.func.lower(User.username) == tekst,
                                                          sa.func.lower(User.email) == tekst)))  # fmt: skip
    if user is None or not user.actief or Rol.SCP not in user.rollen:
        regel.fouten.append(f"SCP {regel.cel('scp')}: geen actief account met de rol schoolcontactpersoon.")
    else:
        regel.invoer.scp_id = user.id


def importeer(regels_: list[Regel], door: User) -> int:
    """Store every line (the caller checked that none is wrong) in the caller's transaction."""
    swv_id = swv_id_voor(door)
    nieuw: dict[tuple[str, str], int] = {}
    for regel in regels_:
        invoer = regel.invoer
        if invoer.bestuur_id is None:
            invoer.bestuur_id = _maak(Bestuur, "bestuur", swv_id, regel.cel("bestuur"), nieuw, door)
        if invoer.wijk_id is None and regel.cel("wijk"):
            invoer.wijk_id = _maak(Wijk, "wijk", swv_id, regel.cel("wijk"), nieuw, door)
        maak_school(invoer, door)
    return len(regels_)


def _maak(model: type[Bestuur] | type[Wijk], soort: str, swv_id: int, naam: str,
          nieuw: dict[tuple[str, str], int], door: User) -> int:  # fmt: skip
    sleutel = (soort, naam.strip().lower())
    if sleutel not in nieuw:
        rij = model(swv_id=swv_id, naam=naam.strip())
        db.session.add(rij)
        db.session.flush()
        audit.record(door, "aanmaken", soort, rij.id, detail=f"{rij.naam} (import)")
        nieuw[sleutel] = rij.id
    return nieuw[sleutel]
