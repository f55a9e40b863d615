"""Command-line tools: ``flask bpmn check|test|publish|versions``, ``flask seed-demo`` and ``flask seed-bulk``."""

from __future__ import annotations

import random
import time as time_module
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from models import Bestuur, Dossier, Hulpvraag, Samenwerkingsverband, School, Statuswijziging, User, Wijk, db, utcnow
from models.hulpvraag import AANMELDING, TITELS, VOORLOPIGE_AANMELDING
from models.user import Rol, user_school
from web.seed import DEMO_PASSWORD, create_demo_hulpvragen, create_world
from web.ui import datum
from workflow.engine.check import check_dir
from workflow.engine.definitions import diagram_files, latest_definition, publish_all
from workflow.engine.publiceren import BRONNEN, publiceer
from workflow.engine.run import stille_engine
from workflow.engine.scenarios import untested, verify
from workflow.functies import bekende_functies
from workflow.hulpvragen import INTAKE
from workflow.statussen_gebruik import ontbrekende_statussen_in_gebruik
from workflow.versies import Versie, aanpakken, notitie_fout, versies

bpmn_cli = AppGroup("bpmn", help="Diagrammen controleren, testen en publiceren.")
_PATH = click.argument("path", required=False, type=click.Path(path_type=Path))


def _target(path: Path | None) -> Path:
    """PATH (a folder or one file), or the app's BPMN_DIR."""
    target = path or Path(current_app.config["BPMN_DIR"])
    if not target.exists():
        click.echo(f"Bestaat niet: {target}", err=True)
        raise click.exceptions.Exit(1)
    return target


@bpmn_cli.command("check")
@_PATH
def check(path: Path | None) -> None:
    """Controleer diagrammen, hun formulieren en expressies (standaard: BPMN_DIR)."""
    target = _target(path)
    problems = check_dir(target, _functies()) + _statussen_in_gebruik(target)
    for problem in problems:
        click.echo(problem)
    if problems:
        raise click.exceptions.Exit(1)
    count = 1 if target.is_file() else len(diagram_files(target))
    click.echo(f"OK: {count} diagram(men) gecontroleerd")


def _functies() -> frozenset[str] | None:
    """The active names of the list of functies; None (not checked) without a usable database."""
    try:
        return bekende_functies()
    except SQLAlchemyError:
        db.session.rollback()
        click.echo("Let op: geen database; functies zijn niet gecontroleerd tegen de lijst van functies.", err=True)
        return None


def _statussen_in_gebruik(target: Path) -> list[str]:
    """Statuses running cases still set but statussen.yaml lost; skipped without a usable database."""
    try:
        return ontbrekende_statussen_in_gebruik(target)
    except SQLAlchemyError:  # no database, or not migrated yet: only the files are checked
        db.session.rollback()
        return []


@bpmn_cli.command("test")
@_PATH
def test(path: Path | None) -> None:
    """Speel de scenario's (*.scenarios.yaml) na, ook met opslaan en laden na elke stap."""
    target = _target(path)
    with stille_engine():
        results = verify(target)
    for result in results:
        label = f"{result.diagram}: {result.naam}"
        click.echo(f"OK    {label}" if result.passed else f"FOUT  {label}\n      {result.melding}")
    for gap in untested(target, results):
        click.echo(f"Let op: geen scenario loopt over {gap}")
    failed = sum(not r.passed for r in results)
    if not results:
        click.echo(f"Geen diagrammen gevonden in {target}")
    click.echo(f"{len(results) - failed} passed, {failed} failed")
    if failed or not results:
        raise click.exceptions.Exit(1)


@bpmn_cli.command("publish")
@click.option("--notitie", default=None, help="Korte notitie bij deze publicatie (wat verandert er, en waarom).")
def publish(notitie: str | None) -> None:
    """Publiceer gewijzigde diagrammen als nieuwe versie, alleen als controle en scenario's slagen."""
    fout = notitie_fout(notitie, verplicht=False)
    if fout:
        click.echo(f"{fout} Er is niets gepubliceerd.", err=True)
        raise click.exceptions.Exit(1)
    with stille_engine():
        publicatie = publiceer(current_app.config["BPMN_DIR"], notitie=(notitie or "").strip() or None, bron="cli")
    if not publicatie.ok:
        for problem in publicatie.problemen:
            click.echo(problem, err=True)
        click.echo("Niets gepubliceerd: los eerst deze fouten op. De live versies blijven live.", err=True)
        raise click.exceptions.Exit(1)
    nieuw = {d.process_key: d for d in publicatie.gepubliceerd}
    for key in sorted({*nieuw, *publicatie.ongewijzigd}):
        definition = nieuw.get(key) or latest_definition(key)
        if definition is not None:
            state = "nieuw gepubliceerd" if key in nieuw else "ongewijzigd"
            click.echo(f"{key}: {state}, versie {definition.versie}")


@bpmn_cli.command("versions")
@click.argument("aanpak", required=False)
def versions(aanpak: str | None) -> None:
    """Toon per aanpak de versies: nummer, datum, door wie, bron, notitie en lopende zaken."""
    keys = [key for key, _naam in aanpakken() if aanpak in (None, key)]
    if not keys:
        click.echo(f"Onbekende aanpak: {aanpak}" if aanpak else "Er is nog geen diagram gepubliceerd.", err=True)
        raise click.exceptions.Exit(1)
    for key in keys:
        rows = versies(key)
        click.echo(f"{key}: {rows[0].definition.naam}")
        for versie in rows:
            click.echo("  " + _versie_regel(versie))


def _versie_regel(versie: Versie) -> str:
    d = versie.definition
    door = d.published_by.naam if d.published_by else "systeem"
    bron = BRONNEN.get(d.bron, d.bron) + (f" (inhoud van v{versie.inhoud_van})" if versie.inhoud_van else "")
    live = ", live" if versie.live else ""
    notitie = f": {d.notitie}" if d.notitie else ""
    return f"{d.versie:>4}  {datum(d.published_at)}  {door}, {bron}{live}; {versie.lopend} lopend{notitie}"


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Vul een lege database met demo-accounts en hulpvragen in verschillende statussen."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        message = "De database bevat al gebruikers: seed-demo vult alleen een lege database."
        click.echo(f"{message} Er is niets veranderd.", err=True)
        raise click.exceptions.Exit(1)
    if latest_definition(INTAKE) is None:
        publish_all(current_app.config["BPMN_DIR"])
    try:
        with stille_engine():
            world = create_world()
            create_demo_hulpvragen(world)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    _print_accounts(world.users.values())
    statuses = ", ".join(sorted({h.status for h in world.hulpvragen}))
    click.echo(f"\n{len(world.hulpvragen)} demo-hulpvragen aangemaakt, statussen: {statuses}")


def _print_accounts(users: Iterable[User]) -> None:
    rows = [("gebruikersnaam", "rol(len)", "school/scholen")]
    for user in users:
        functies = ", ".join(sorted(user.functie_namen))
        rollen = ", ".join(sorted(user.rollen)) + (f" ({functies})" if functies else "")
        scholen = ", ".join(s.naam for s in user.scholen) or _coordinated(user) or "-"
        rows.append((user.username, rollen, scholen))
    widths = [max(len(row[column]) for row in rows) for column in (0, 1)]
    click.echo(f"Demo-accounts, wachtwoord voor allemaal: {DEMO_PASSWORD}\n")
    for username, rollen, scholen in rows:
        click.echo(f"{username.ljust(widths[0])}  {rollen.ljust(widths[1])}  {scholen}")


def _coordinated(user: User) -> str:
    """For a schoolcontactpersoon: the schools they coordinate."""
    names = db.session.scalars(sa.select(School.naam).where(School.scp_id == user.id)).all()
    return f"contactpersoon van {', '.join(names)}" if names else ""


# --- seed-bulk: many hulpvragen for the lists and their benchmark ------------------------
ROEPNAMEN = ("Adam", "Amira", "Anouk", "Ayoub", "Bram", "Daan", "Demi", "Emma", "Esra", "Eva", "Fatima", "Finn",
             "Femke", "Gijs", "Hamza", "Ilse", "Imane", "Jan", "Jayden", "Julia", "Kevin", "Lars", "Lieke",
             "Lotte", "Lucas", "Luuk", "Maria", "Mila", "Milan", "Mohamed", "Noah", "Noor", "Nina", "Olivia",
             "Omar", "Priya", "Rayan", "Rik", "Roos", "Ruben", "Sam", "Sanne", "Sara", "Sem", "Sofia", "Stijn",
             "Tess", "Thijs", "Tim", "Yara", "Youssef", "Zoë", "Zeynep", "Dewi", "Jesse", "Levi", "Mees",
             "Nora", "Ravi", "Wout")  # fmt: skip
ACHTERNAMEN = (("", "Jansen"), ("de", "Vries"), ("van den", "Berg"), ("van", "Dijk"), ("", "Bakker"), ("", "Visser"),
               ("", "Smit"), ("", "Meijer"), ("de", "Boer"), ("", "Mulder"), ("de", "Groot"), ("", "Bos"), ("", "Vos"),
               ("", "Peters"), ("", "Hendriks"), ("van", "Leeuwen"), ("", "Dekker"), ("", "Brouwer"), ("de", "Wit"),
               ("", "Dijkstra"), ("", "Smits"), ("de", "Graaf"), ("van der", "Meer"), ("van der", "Linden"),
               ("", "Kok"), ("", "Jacobs"), ("de", "Haan"), ("", "Vermeulen"), ("van den", "Heuvel"),
               ("van der", "Veen"), ("van den", "Broek"), ("de", "Bruijn"), ("", "Schouten"), ("van", "Beek"),
               ("", "Willems"), ("van", "Vliet"), ("", "Hoekstra"), ("", "Maas"), ("", "Verhoeven"), ("", "Koster"),
               ("", "El-Makrini"), ("", "Fortes Monteiro"), ("", "Yılmaz"), ("", "Öztürk"), ("", "El Amrani"),
               ("", "Nguyen"), ("", "Kowalski"), ("", "Boukhari"), ("", "Ramdin"), ("", "Tahiri"), ("", "Doğan"),
               ("", "Martina"), ("", "Soares"), ("ter", "Horst"), ("in 't", "Veld"), ("", "Oduya"))  # fmt: skip
SCHOOLSOORTEN = ("OBS", "CBS", "RKBS", "IKC", "SBO", "Daltonschool", "Montessorischool", "Basisschool")
SCHOOLNAMEN = ("De Regenboog", "De Fontein", "Het Kompas", "De Vlinder", "De Zonnebloem", "Het Palet", "De Wilgen",
               "Het Anker", "De Springplank", "De Klimop", "De Horizon", "Het Baken", "De Boomgaard", "De Kameleon",
               "De Notenkraker", "Het Mozaïek", "De Piramide", "De Bron", "Het Carillon", "De Margriet")  # fmt: skip
PLAATSEN = ("Charlois", "Delfshaven", "Feijenoord", "Hillegersberg", "Hoogvliet", "IJsselmonde", "Kralingen",
            "Overschie", "Prins Alexander", "Noord", "Schiebroek", "Pernis", "Rozenburg", "Barendrecht")  # fmt: skip
# status, weight; older hulpvragen are mostly finished (_bulk_status).
OPEN = ((VOORLOPIGE_AANMELDING, 8), (AANMELDING, 12), ("Doorzetten orthopedagoog", 4),
        ("Doorzetten leescoördinator", 2), ("Dossier incompleet SCP", 5), ("Dossier compleet", 6), ("In beraad", 5),
        ("Gearrangeerd", 5), ("Toegekend", 4), ("Wacht capaciteit", 3), ("In behandeling", 8),
        ("Akkoord coördinator Herstart", 1), ("Gearrangeerd budget KANS", 1), ("Thuiszitter", 1))  # fmt: skip
KLAAR = (("TLV afgegeven", 10), ("Afgerond", 20), ("Afgerond budget", 3), ("Afgewezen", 5),
         ("Afgewezen financiën", 1), ("Niet ontvankelijk", 2))  # fmt: skip
SCHOLEN_PER_HULPVRAGEN = 500  # one school per this many hulpvragen
SCHOLEN_PER_SCP = 8
JAREN = 6  # created_at spread over this many years back


@dataclass
class _Bulk:
    rng: random.Random
    swv_id: int
    scholen: list[tuple[int, int | None, int | None]]  # school id, scp id, aanvrager id
    now: datetime
    ids: dict[str, int]  # next id per table

    def __post_init__(self) -> None:
        self.per_school = {s[0]: s for s in self.scholen}


@click.command("seed-bulk")
@click.argument("aantal", type=click.IntRange(1, 2_000_000))
@click.option("--seed", default=2806, show_default=True, help="Startwaarde van de toevalsgenerator (herhaalbaar).")
@with_appcontext
def seed_bulk(aantal: int, seed: int) -> None:
    """Vul de database met AANTAL verzonnen hulpvragen om lijsten, zoeken en export op schaal te testen.

    Alleen voor ontwikkeling en metingen (bench/lijst.py), nooit in productie. Schrijft rijen van
    Dossier, Hulpvraag en Statuswijziging rechtstreeks in bulk en start GEEN BPMN-proces: deze
    hulpvragen hebben geen taken of procesinstanties. Namen zijn verzonnen (geen echte gegevens).
    Maakt extra scholen, besturen, wijken en schoolcontactpersonen (zonder wachtwoord) bij grote aantallen.
    """
    start = time_module.perf_counter()
    bulk_hulpvragen(aantal, seed, voortgang=lambda n: click.echo(f"  {n} hulpvragen geschreven"))
    click.echo(f"{aantal} hulpvragen aangemaakt in {time_module.perf_counter() - start:.0f} s.")


def bulk_hulpvragen(aantal: int, seed: int = 2806, batch: int = 5000,
                    voortgang: Callable[[int], None] | None = None) -> None:  # fmt: skip
    """The work of ``seed-bulk``: commits per batch so memory stays flat (see its help for what it skips)."""
    rng = random.Random(seed)
    swv = db.session.scalar(sa.select(Samenwerkingsverband).order_by(Samenwerkingsverband.id))
    swv_id = swv.id if swv is not None else create_world().swv.id
    bulk = _Bulk(rng, swv_id, _bulk_scholen(swv_id, aantal, rng), utcnow(), {})
    db.session.commit()
    for table in (Dossier, Hulpvraag, Statuswijziging):
        bulk.ids[table.__tablename__] = (db.session.scalar(sa.select(sa.func.max(table.id))) or 0) + 1
    for gedaan in range(0, aantal, batch):
        _bulk_batch(bulk, min(batch, aantal - gedaan))
        db.session.commit()
        if voortgang:
            voortgang(gedaan + min(batch, aantal - gedaan))
    _herstel_reeksen()


def _bulk_batch(bulk: _Bulk, aantal: int) -> None:
    dossiers: list[dict[str, object]] = []
    hulpvragen: list[dict[str, object]] = []
    wijzigingen: list[dict[str, object]] = []
    for _ in range(aantal):
        if dossiers and bulk.rng.random() < 0.25:  # a second hulpvraag for the same pupil
            dossier = dossiers[-1]
        else:
            dossier = _bulk_dossier(bulk)
            dossiers.append(dossier)
        hulpvraag = _bulk_hulpvraag(bulk, dossier)
        hulpvragen.append(hulpvraag)
        wijzigingen += _bulk_historie(bulk, hulpvraag)
    for table, rows in ((Dossier, dossiers), (Hulpvraag, hulpvragen), (Statuswijziging, wijzigingen)):
        db.session.execute(sa.insert(table.__table__), rows)


def _volgend_id(bulk: _Bulk, table: str) -> int:
    bulk.ids[table] += 1
    return bulk.ids[table] - 1


def _bulk_dossier(bulk: _Bulk) -> dict[str, object]:
    rng = bulk.rng
    school_id, _scp, _aanvrager = rng.choice(bulk.scholen)
    tussenvoegsel, achternaam = rng.choice(ACHTERNAMEN)
    created = bulk.now - timedelta(seconds=rng.randrange(JAREN * 365 * 86400))
    geboren = created.date() - timedelta(days=rng.randrange(4 * 365, 12 * 365))
    return {"id": _volgend_id(bulk, "dossier"), "swv_id": bulk.swv_id, "niveau": "leerling", "school_id": school_id,
            "roepnaam": rng.choice(ROEPNAMEN), "tussenvoegsel": tussenvoegsel or None, "achternaam": achternaam,
            "geboortedatum": geboren, "geslacht": rng.choice("mvmvx"[: 4 + (rng.random() < 0.05)]),
            "created_at": created}  # fmt: skip


def _bulk_hulpvraag(bulk: _Bulk, dossier: dict[str, object]) -> dict[str, object]:
    rng = bulk.rng
    school_id, scp_id, aanvrager_id = bulk.per_school[dossier["school_id"]]  # type: ignore[index]
    created = dossier["created_at"] + timedelta(days=rng.randrange(0, 60))  # type: ignore[operator]
    created = min(created, bulk.now)
    status = _bulk_status(rng, (bulk.now - created).days)
    updated = min(created + timedelta(days=rng.randrange(0, 120), minutes=rng.randrange(1440)), bulk.now)
    hulpvraag_id = _volgend_id(bulk, "hulpvraag")
    titel = rng.choice(TITELS)
    return {"id": hulpvraag_id, "aanvraagnummer": f"{created:%Y}-{hulpvraag_id:06d}", "dossier_id": dossier["id"],
            "school_id": school_id, "titel": titel, "titel_onbekend": False, "status": status,
            "omschrijving": "Ondersteuningsvraag rond leren en gedrag (gegenereerd).", "coordinator_id": scp_id,
            "aanvrager_id": aanvrager_id, "contactpersoon_naam": f"IB'er {rng.choice(ROEPNAMEN)}",
            "contactpersoon_email": f"ib{school_id}@school.invalid", "contactpersoon_telefoon": "",
            "bron": rng.choice(("web", "web", "esis", "parnassys")),
            "created_at": created, "updated_at": updated}  # fmt: skip


def _bulk_status(rng: random.Random, leeftijd_dagen: int) -> str:
    klaar_kans = 0.2 if leeftijd_dagen < 120 else 0.9
    keuzes = KLAAR if rng.random() < klaar_kans else OPEN
    return rng.choices([s for s, _ in keuzes], weights=[w for _, w in keuzes])[0]


def _bulk_historie(bulk: _Bulk, hulpvraag: dict[str, Any]) -> list[dict[str, object]]:
    """Voorlopige aanmelding, then Aanmelding, then the current status: the rows the history page shows."""
    stappen = [VOORLOPIGE_AANMELDING, AANMELDING, hulpvraag["status"]]
    stappen = stappen[: stappen.index(hulpvraag["status"]) + 1]
    begin, eind = hulpvraag["created_at"], hulpvraag["updated_at"]
    rows, vorige = [], None
    for index, naar in enumerate(stappen):
        when = begin + (eind - begin) * index / max(len(stappen) - 1, 1)
        rows.append({"id": _volgend_id(bulk, "statuswijziging"), "hulpvraag_id": hulpvraag["id"], "van": vorige,
                     "naar": naar, "reden": "Gegenereerd (seed-bulk)", "user_id": None, "bron": "seed-bulk",
                     "created_at": when})  # fmt: skip
        vorige = naar
    return rows


def _bulk_scholen(swv_id: int, aantal: int, rng: random.Random) -> list[tuple[int, int | None, int | None]]:
    """The existing schools, plus new ones (with besturen, wijken and SCPs) up to one per 500 hulpvragen."""
    bestaand = db.session.scalars(sa.select(School).where(School.swv_id == swv_id).order_by(School.id)).all()
    nieuw = max(aantal // SCHOLEN_PER_HULPVRAGEN - len(bestaand), 0)
    if nieuw:
        _nieuwe_scholen(swv_id, nieuw, rng)
    scholen = db.session.scalars(sa.select(School).where(School.swv_id == swv_id).order_by(School.id)).all()
    aanvragers = dict(db.session.execute(sa.select(user_school.c.school_id, sa.func.min(user_school.c.user_id))
                                         .group_by(user_school.c.school_id)).tuples().all())  # fmt: skip
    return [(s.id, s.scp_id, aanvragers.get(s.id)) for s in scholen]


def _nieuwe_scholen(swv_id: int, aantal: int, rng: random.Random) -> None:
    besturen = [Bestuur(swv_id=swv_id, naam=f"Stichting {p} Onderwijs (gegenereerd)") for p in PLAATSEN]
    wijken = [Wijk(swv_id=swv_id, naam=f"{p} (gegenereerd)") for p in PLAATSEN]
    namen = rng.choices(ACHTERNAMEN, k=max(aantal // SCHOLEN_PER_SCP, 1))
    scps = [_bulk_user(swv_id, f"bulk-scp-{i}", f"{rng.choice(ROEPNAMEN)} {achternaam} (SCP)", Rol.SCP)
            for i, (_t, achternaam) in enumerate(namen)]  # fmt: skip
    db.session.add_all(besturen + wijken + scps)
    db.session.flush()
    bezet = set(db.session.execute(sa.select(School.brin, School.vestigingscode)).tuples())
    brins = (f"{n % 100:02d}{chr(65 + n // 100 % 26)}{chr(65 + n // 2600 % 26)}" for n in range(10, 10**6))
    for index in range(aantal):
        brin = next(b for b in brins if (b, "00") not in bezet)
        plaats = index % len(PLAATSEN)
        naam = f"{rng.choice(SCHOOLSOORTEN)} {rng.choice(SCHOOLNAMEN)} ({PLAATSEN[plaats]})"
        school = School(swv_id=swv_id, naam=naam, brin=brin, vestigingscode="00", bestuur_id=besturen[plaats].id,
                        wijk_id=wijken[plaats].id, scp_id=scps[index // SCHOLEN_PER_SCP % len(scps)].id)  # fmt: skip
        aanvrager = _bulk_user(swv_id, f"bulk-ib-{brin}", f"IB'er {brin}", Rol.AANVRAGER)
        aanvrager.scholen = [school]
        db.session.add_all([school, aanvrager])
    db.session.flush()


def _bulk_user(swv_id: int, username: str, naam: str, rol: str) -> User:
    """An account without a password (it cannot log in): coordinator or aanvrager of generated data."""
    user = User(swv_id=swv_id, username=username, email=f"{username}@bulk.kansrijk.invalid", naam=naam, demo=True)
    user.set_rollen({rol})
    return user


def _herstel_reeksen() -> None:
    """PostgreSQL: the id sequences continue after the ids written explicitly."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("dossier", "hulpvraag", "statuswijziging"):
        db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - fixed names
                                   f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))  # fmt: skip
    db.session.commit()
