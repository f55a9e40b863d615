"""Demo data: a small SWV with schools, one account per role, and hulpvragen in several statuses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from models import Bestuur, BijlageSoort, Dossier, Hulpvraag, HumanTask, Samenwerkingsverband, School, User, Wijk, db
from models.bijlage import STANDAARD_SOORTEN
from models.functie import STANDAARD_FUNCTIES
from models.user import Rol
from workflow import hulpvragen as hulpvraag_use_cases
from workflow.engine.runtime import complete_task
from workflow.functies import functie_met_naam

DEMO_PASSWORD = "kansrijk-demo"  # noqa: S105 - printed on purpose for demo accounts

# username: (naam, rollen, functie, schools by index, coordinates schools by index)
ACCOUNTS: dict[str, tuple[str, set[str], str | None, list[int]]] = {
    "aanvrager": ("Ilse Bakker (IB)", {Rol.AANVRAGER}, None, [0, 1]),
    "aanvrager2": ("Karim El Amrani (IB)", {Rol.AANVRAGER}, None, [2]),
    "directeur": ("Dirk de Vries", {Rol.DIRECTEUR}, None, [0]),
    "scp": ("Sanne Jansen", {Rol.SCP}, None, []),
    "scp2": ("Pieter Smit", {Rol.SCP}, None, []),
    "orthopedagoog": ("Olga Visser", {Rol.FUNCTIONARIS}, "orthopedagoog", []),
    "psycholoog": ("Paul de Boer", {Rol.FUNCTIONARIS}, "psycholoog", []),
    "regiomanager": ("Rita Mulder", {Rol.FUNCTIONARIS}, "regiomanager", []),
    "tlvadmin": ("Tom Willems", {Rol.FUNCTIONARIS}, "TLV-administratie", []),
    "financien": ("Fenna Koster", {Rol.FUNCTIONARIS}, "financiën", []),
    "leescoordinator": ("Lotte Vermeulen", {Rol.FUNCTIONARIS}, "leescoördinator", []),
    # The TLV's second deskundige may be any of these disciplines (bpmn/tlv-deskundigen.json):
    "psychiater": ("Hanna Kuiper", {Rol.FUNCTIONARIS}, "kinder- en jeugdpsychiater", []),
    "arts": ("Joris Bos", {Rol.FUNCTIONARIS}, "jeugdarts", []),
    "maatschappelijkwerker": ("Mira Veenstra", {Rol.FUNCTIONARIS}, "maatschappelijk werker", []),
    "ambulantbegeleider": ("Bas van Dijk", {Rol.FUNCTIONARIS}, "ambulant begeleider", []),
    "beheerder": ("Bert Hendriks", {Rol.BEHEERDER}, None, []),
    "procesbeheerder": ("Petra Dekker", {Rol.PROCESBEHEERDER}, None, []),
    "extern": ("Eva Logopedie", {Rol.EXTERN}, None, []),
}
SCHOLEN = [  # naam, brin, vestiging, bestuur index, wijk index, scp username
    ("OBS De Regenboog", "00YY", "00", 0, 0, "scp"),
    ("CBS De Fontein", "01AB", "00", 1, 0, "scp"),
    ("IKC Het Kompas", "02CD", "01", 1, 1, "scp2"),
]


@dataclass
class DemoWorld:
    swv: Samenwerkingsverband
    scholen: list[School]
    users: dict[str, User] = field(default_factory=dict)
    hulpvragen: list[Hulpvraag] = field(default_factory=list)


def create_world(password: str = DEMO_PASSWORD) -> DemoWorld:
    """SWV PO2806 with three schools under two besturen and one account per role (flushed)."""
    swv = Samenwerkingsverband(code="PO2806", naam="Passend Primair Onderwijs Rotterdam (demo)")
    db.session.add(swv)
    db.session.flush()
    besturen = [Bestuur(swv_id=swv.id, naam=n) for n in ("Stichting BOOR (demo)", "Stichting PCBO (demo)")]
    wijken = [Wijk(swv_id=swv.id, naam=n) for n in ("Noord", "Zuid")]
    db.session.add_all(besturen + wijken)
    db.session.add_all(BijlageSoort(naam=n, volgorde=i, actief=True) for i, n in enumerate(STANDAARD_SOORTEN)
                       if db.session.scalar(sa.select(BijlageSoort.id).filter_by(naam=n)) is None)  # fmt: skip
    db.session.flush()
    world = DemoWorld(swv, [])
    functies = {naam: functie_met_naam(naam, swv.id) for naam in STANDAARD_FUNCTIES}
    for username, (naam, rollen, functie, _scholen) in ACCOUNTS.items():
        user = User(swv_id=swv.id, username=username, email=f"{username}@demo.kansrijk.nl", naam=naam, demo=True)
        if functie is not None:
            user.functies = [functies.get(functie) or functie_met_naam(functie, swv.id)]
        user.set_rollen(rollen)
        user.set_password(password)
        world.users[username] = user
    db.session.add_all(world.users.values())
    db.session.flush()
    for naam, brin, vest, bestuur, wijk, scp in SCHOLEN:
        school = School(
            swv_id=swv.id, naam=naam, brin=brin, vestigingscode=vest,
            bestuur_id=besturen[bestuur].id, wijk_id=wijken[wijk].id, scp_id=world.users[scp].id,
        )  # fmt: skip
        world.scholen.append(school)
    db.session.add_all(world.scholen)
    db.session.flush()
    for username, (_n, _r, _f, school_indexes) in ACCOUNTS.items():
        world.users[username].scholen = [world.scholen[i] for i in school_indexes]
    db.session.flush()
    return world


LEERLINGEN = [  # roepnaam, tussenvoegsel, achternaam, geboortedatum, geslacht, school index, titel, stappen
    ("Jan", "van", "Boven", date(2016, 3, 14), "m", 0, "TLV -Nieuw", "voorlopig"),
    ("Fatima", None, "El-Makrini", date(2015, 9, 2), "v", 0, "Ambulante Begeleiding", "aanmelding"),
    ("Lucas", None, "Fortes Monteiro", date(2017, 1, 20), "m", 1, "Dyslexie -Vergoede zorg", "incompleet"),
    ("Noor", "de", "Jong", date(2014, 11, 5), "v", 1, "Thuiszitter", "compleet"),
    ("Daan", None, "Peters", date(2016, 6, 30), "m", 2, "Psychodiagnostisch onderzoek", "doorgezet"),
    ("Sara", "van der", "Berg", date(2015, 4, 17), "v", 2, "KANS", "afgewezen"),
]


def create_demo_hulpvragen(world: DemoWorld) -> None:
    for roepnaam, tussen, achter, geboren, geslacht, school_index, titel, stappen in LEERLINGEN:
        school = world.scholen[school_index]
        aanvrager = world.users["aanvrager2" if school_index == 2 else "aanvrager"]
        dossier = Dossier(swv_id=world.swv.id, school_id=school.id, roepnaam=roepnaam, tussenvoegsel=tussen,
                          achternaam=achter, geboortedatum=geboren, geslacht=geslacht)  # fmt: skip
        db.session.add(dossier)
        db.session.flush()
        hulpvraag = hulpvraag_use_cases.create_hulpvraag(
            dossier, aanvrager, titel=titel, omschrijving="Ondersteuningsvraag rond leren en gedrag."
        )
        _advance(hulpvraag, stappen, world)
        world.hulpvragen.append(hulpvraag)


def _advance(hulpvraag: Hulpvraag, stappen: str, world: DemoWorld) -> None:
    if stappen == "voorlopig":
        return
    scp = hulpvraag.school.scp
    aanvrager = hulpvraag.aanvrager
    assert scp is not None and aanvrager is not None
    _do(hulpvraag, aanvrager, {"ouders_geinformeerd": "ja"})
    besluiten = {
        "incompleet": {"besluit": "dossier_incompleet", "ontbreekt": "OPP", "reden": "Het OPP ontbreekt nog."},
        "compleet": {"besluit": "dossier_compleet", "reden": "Alle stukken zijn aanwezig."},
        "doorgezet": {"besluit": "doorzetten", "functie": "orthopedagoog", "reden": "Graag advies orthopedagoog."},
        "afgewezen": {"besluit": "afgewezen", "reden": "Past niet binnen de criteria van KANS."},
    }
    if stappen in besluiten:
        _do(hulpvraag, scp, besluiten[stappen])


def _do(hulpvraag: Hulpvraag, user: User, raw: dict[str, str]) -> None:
    task = db.session.query(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, completed_at=None).one()
    complete_task(task.id, user, raw)
