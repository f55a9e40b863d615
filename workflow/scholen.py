"""Schools, besturen and wijken as the beheerder keeps them: list, create, edit (domain.md §2).

The changes that touch a school's identity or what hangs on it (merge, new BRIN, new bestuur,
rename, closing) are in ``workflow/school_wijzigingen.py``: each with a preview and history.
Like every use case these only add and flush; the view commits once.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from models import Bestuur, Rol, Samenwerkingsverband, School, User, UserRol, Wijk, db
from models.school import BRIN, VESTIGINGSCODE
from workflow import audit

NAAM_MAX = 200


class Ongeldig(Exception):
    """The beheerder's input is wrong; ``fouten`` maps each field to a Dutch message. Nothing was stored."""

    def __init__(self, fouten: dict[str, str]) -> None:
        super().__init__("; ".join(fouten.values()))
        self.fouten = fouten


@dataclass
class SchoolInvoer:
    """What the form (or a line of an import) says about a school; ids as typed."""

    naam: str = ""
    brin: str = ""
    vestigingscode: str = ""
    bestuur_id: int | None = None
    wijk_id: int | None = None
    scp_id: int | None = None


def swv_id_voor(door: User) -> int:
    """The SWV a beheerder works in (one installation serves one SWV)."""
    if door.swv_id is not None:
        return door.swv_id
    swv_id = db.session.scalar(sa.select(sa.func.min(Samenwerkingsverband.id)))
    if swv_id is None:
        raise Ongeldig({"swv": "Er is nog geen samenwerkingsverband ingericht."})
    return int(swv_id)


# --- lists and pickers -----------------------------------------------------------------------
def zoek_scholen(swv_id: int, tekst: str = "", gesloten: bool = False) -> list[School]:
    """Schools whose name, BRIN(+vestiging), bestuur or wijk contains ``tekst``; closed ones on request."""
    query = sa.select(School).where(School.swv_id == swv_id)
    if not gesloten:
        query = query.where(School.gesloten_op.is_(None))
    for woord in tekst.lower().split()[:5]:
        pattern = "%" + woord.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        besturen = sa.select(Bestuur.id).where(sa.func.lower(Bestuur.naam).like(pattern, escape="\\"))
        wijken = sa.select(Wijk.id).where(sa.func.lower(Wijk.naam).like(pattern, escape="\\"))
        query = query.where(sa.or_(
            sa.func.lower(School.naam).like(pattern, escape="\\"),
            sa.func.lower(School.brin + School.vestigingscode).like(pattern, escape="\\"),
            School.bestuur_id.in_(besturen), School.wijk_id.in_(wijken),
        ))  # fmt: skip
    return list(db.session.scalars(query.order_by(sa.func.lower(School.naam), School.id)))


def open_scholen(swv_id: int, behalve: int | None = None) -> list[School]:
    """The schools new work can go to (a picker never offers a closed school)."""
    query = sa.select(School).where(School.swv_id == swv_id, School.gesloten_op.is_(None))
    if behalve is not None:
        query = query.where(School.id != behalve)
    return list(db.session.scalars(query.order_by(sa.func.lower(School.naam))))


def actieve_scps(swv_id: int) -> list[User]:
    query = (
        sa.select(User).join(UserRol).where(UserRol.rol == Rol.SCP, User.actief.is_(True))
        .where(sa.or_(User.swv_id == swv_id, User.swv_id.is_(None))).order_by(User.naam)
    )  # fmt: skip
    return list(db.session.scalars(query))


def besturen(swv_id: int, alleen_actief: bool = False) -> list[Bestuur]:
    query = sa.select(Bestuur).where(Bestuur.swv_id == swv_id)
    if alleen_actief:
        query = query.where(Bestuur.actief.is_(True))
    return list(db.session.scalars(query.order_by(sa.func.lower(Bestuur.naam))))


def wijken(swv_id: int, alleen_actief: bool = False) -> list[Wijk]:
    query = sa.select(Wijk).where(Wijk.swv_id == swv_id)
    if alleen_actief:
        query = query.where(Wijk.actief.is_(True))
    return list(db.session.scalars(query.order_by(sa.func.lower(Wijk.naam))))


# --- checks ----------------------------------------------------------------------------------
def brin_fout(brin: str, vestigingscode: str) -> dict[str, str]:
    fouten = {}
    if not BRIN.match(brin):
        fouten["brin"] = "Het BRIN bestaat uit 2 cijfers en 2 hoofdletters, bijvoorbeeld 01AB."
    if not VESTIGINGSCODE.match(vestigingscode):
        fouten["vestigingscode"] = "De vestigingscode bestaat uit 2 cijfers, bijvoorbeeld 00."
    return fouten


def brin_bezet(brin: str, vestigingscode: str, behalve: int | None = None) -> School | None:
    query = sa.select(School).where(School.brin == brin, School.vestigingscode == vestigingscode)
    if behalve is not None:
        query = query.where(School.id != behalve)
    return db.session.scalar(query)


def naam_fout(naam: str, wat: str = "de school") -> str | None:
    if not naam.strip():
        return f"Vul de naam van {wat} in."
    if len(naam.strip()) > NAAM_MAX:
        return f"De naam mag hoogstens {NAAM_MAX} tekens lang zijn."
    return None


def bestuur_fout(swv_id: int, bestuur_id: int | None) -> str | None:
    bestuur = db.session.get(Bestuur, bestuur_id) if bestuur_id else None
    if bestuur is None or bestuur.swv_id != swv_id:
        return "Kies een bestuur uit de lijst."
    if not bestuur.actief:
        return f"Het bestuur {bestuur.naam} is uitgezet; kies een actief bestuur."
    return None


def wijk_fout(swv_id: int, wijk_id: int | None, huidig: int | None = None) -> str | None:
    if wijk_id is None or wijk_id == huidig:
        return None
    wijk = db.session.get(Wijk, wijk_id)
    if wijk is None or wijk.swv_id != swv_id:
        return "Kies een wijk uit de lijst (of geen)."
    if not wijk.actief:
        return f"De wijk {wijk.naam} is uitgezet; kies een actieve wijk."
    return None


def scp_fout(scp_id: int | None) -> str | None:
    if scp_id is None:
        return None
    user = db.session.get(User, scp_id)
    if user is None or not user.actief or Rol.SCP not in user.rollen:
        return "Kies als SCP een actief account met de rol schoolcontactpersoon."
    return None


def school_fouten(invoer: SchoolInvoer, swv_id: int) -> dict[str, str]:
    """Every reason ``invoer`` cannot become a new school, per field (empty: it can)."""
    fouten = brin_fout(invoer.brin, invoer.vestigingscode)
    if not fouten and (bestaand := brin_bezet(invoer.brin, invoer.vestigingscode)):
        fouten["brin"] = f"BRIN {invoer.brin}{invoer.vestigingscode} is al van {bestaand.naam}."
    checks = {
        "naam": naam_fout(invoer.naam), "bestuur_id": bestuur_fout(swv_id, invoer.bestuur_id),
        "wijk_id": wijk_fout(swv_id, invoer.wijk_id), "scp_id": scp_fout(invoer.scp_id),
    }  # fmt: skip
    return {**fouten, **{veld: melding for veld, melding in checks.items() if melding}}


# --- create and edit -------------------------------------------------------------------------
def maak_school(invoer: SchoolInvoer, door: User) -> School:
    swv_id = swv_id_voor(door)
    fouten = school_fouten(invoer, swv_id)
    if fouten:
        raise Ongeldig(fouten)
    school = School(
        swv_id=swv_id, naam=invoer.naam.strip(), brin=invoer.brin, vestigingscode=invoer.vestigingscode,
        bestuur_id=invoer.bestuur_id, wijk_id=invoer.wijk_id, scp_id=invoer.scp_id,
    )  # fmt: skip
    db.session.add(school)
    db.session.flush()
    audit.record(door, "aanmaken", "school", school.id, detail=f"{school.brin6} {school.naam}")
    return school


def wijzig_wijk_en_scp(school: School, wijk_id: int | None, scp_id: int | None, door: User) -> list[str]:
    """The direct edits (no history needed): the wijk and the SCP. Returns what changed, in Dutch."""
    fouten = {"wijk_id": wijk_fout(school.swv_id, wijk_id, school.wijk_id), "scp_id": scp_fout(scp_id)}
    if any(fouten.values()):
        raise Ongeldig({veld: melding for veld, melding in fouten.items() if melding})
    wijzigingen = []
    if wijk_id != school.wijk_id:
        oud = school.wijk.naam if school.wijk else "geen"
        school.wijk_id = wijk_id
        db.session.flush()
        db.session.refresh(school)
        wijzigingen.append(f"wijk {oud} → {school.wijk.naam if school.wijk else 'geen'}")
    if scp_id != school.scp_id:
        oud = school.scp.naam if school.scp else "geen"
        school.scp_id = scp_id
        db.session.flush()
        db.session.refresh(school)
        wijzigingen.append(f"SCP {oud} → {school.scp.naam if school.scp else 'geen'}")
    if wijzigingen:
        audit.record(door, "wijzigen", "school", school.id, detail=f"{school.brin6}: {', '.join(wijzigingen)}")
    return wijzigingen


# --- besturen and wijken -----------------------------------------------------------------------
Eenheid = type[Bestuur] | type[Wijk]
SOORT = {Bestuur: ("bestuur", "het bestuur", School.bestuur_id), Wijk: ("wijk", "de wijk", School.wijk_id)}


def _dubbel(model: Eenheid, swv_id: int, naam: str, behalve: int | None = None) -> bool:
    query = sa.select(model.id).where(model.swv_id == swv_id, sa.func.lower(model.naam) == naam.strip().lower())
    if behalve is not None:
        query = query.where(model.id != behalve)
    return db.session.scalar(query) is not None


def _naam_check(model: Eenheid, swv_id: int, naam: str, behalve: int | None = None) -> None:
    soort, wat, _kolom = SOORT[model]
    melding = naam_fout(naam, wat)
    if melding is None and _dubbel(model, swv_id, naam, behalve):
        melding = f"Er is al {'een bestuur' if model is Bestuur else 'een wijk'} met de naam {naam.strip()}."
    if melding:
        raise Ongeldig({"naam": melding})


def maak_eenheid(model: Eenheid, naam: str, door: User) -> Bestuur | Wijk:
    """A new bestuur or wijk."""
    swv_id = swv_id_voor(door)
    _naam_check(model, swv_id, naam)
    rij = model(swv_id=swv_id, naam=naam.strip())
    db.session.add(rij)
    db.session.flush()
    audit.record(door, "aanmaken", SOORT[model][0], rij.id, detail=rij.naam)
    return rij


def hernoem_eenheid(rij: Bestuur | Wijk, naam: str, door: User) -> None:
    _naam_check(type(rij), rij.swv_id, naam, behalve=rij.id)
    oud, rij.naam = rij.naam, naam.strip()
    if oud != rij.naam:
        audit.record(door, "wijzigen", SOORT[type(rij)][0], rij.id, detail=f"naam {oud} → {rij.naam}")


def scholen_van(rij: Bestuur | Wijk) -> list[School]:
    """The open schools under this bestuur or in this wijk (a closed school keeps its last ones)."""
    kolom = SOORT[type(rij)][2]
    query = sa.select(School).where(kolom == rij.id, School.gesloten_op.is_(None)).order_by(School.naam)
    return list(db.session.scalars(query))


def zet_actief(rij: Bestuur | Wijk, actief: bool, door: User) -> None:
    """Deactivate only when no open school uses it; reactivate always."""
    soort, wat, _kolom = SOORT[type(rij)]
    if not actief and (gebruikt := scholen_van(rij)):
        namen = ", ".join(s.naam for s in gebruikt[:5]) + (" …" if len(gebruikt) > 5 else "")
        raise Ongeldig({"actief": f"{wat.capitalize()} {rij.naam} heeft nog {len(gebruikt)} school/scholen: "
                                  f"{namen}. Zet die eerst over."})  # fmt: skip
    if rij.actief != actief:
        rij.actief = actief
        audit.record(door, "wijzigen", soort, rij.id, detail="weer actief" if actief else "uitgezet")
