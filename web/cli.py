"""Command-line tools: ``flask bpmn check|test|publish`` and ``flask seed-demo``."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from models import School, User, db
from web.seed import DEMO_PASSWORD, create_demo_hulpvragen, create_world
from workflow.check import check_dir
from workflow.definitions import DiagramError, diagram_files, latest_definition, publish_all
from workflow.hulpvragen import INTAKE
from workflow.scenarios import untested, verify

bpmn_cli = AppGroup("bpmn", help="Diagrammen controleren, testen en publiceren.")
_PATH = click.argument("path", required=False, type=click.Path(path_type=Path))


@contextmanager
def _quiet_engine() -> Iterator[None]:
    """SpiffWorkflow logs every state change at INFO: too much for a terminal."""
    logger = logging.getLogger("spiff")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


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
    problems = check_dir(target)
    for problem in problems:
        click.echo(problem)
    if problems:
        raise click.exceptions.Exit(1)
    count = 1 if target.is_file() else len(diagram_files(target))
    click.echo(f"OK: {count} diagram(men) gecontroleerd")


@bpmn_cli.command("test")
@_PATH
def test(path: Path | None) -> None:
    """Speel de scenario's (*.scenarios.yaml) na, ook met opslaan en laden na elke stap."""
    target = _target(path)
    with _quiet_engine():
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
def publish() -> None:
    """Publiceer gewijzigde diagrammen als nieuwe versie (lopende zaken houden hun versie)."""
    try:
        results = publish_all(current_app.config["BPMN_DIR"])
    except DiagramError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        click.echo("Niets gepubliceerd: los eerst deze fouten op.", err=True)
        raise click.exceptions.Exit(1) from exc
    for definition, new in results:
        state = "nieuw gepubliceerd" if new else "ongewijzigd"
        click.echo(f"{definition.process_key}: {state}, versie {definition.versie}")


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
        with _quiet_engine():
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
        rollen = ", ".join(sorted(user.rollen)) + (f" ({user.functie})" if user.functie else "")
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
