"""``flask bpmn incidents`` and ``flask bpmn migrate``: what an operator needs when cases get stuck.

The same use cases as the Processen pages (workflow/incidenten.py, workflow/engine/migratie.py);
registered on the ``bpmn`` group of web/cli.py.
"""

from __future__ import annotations

import click
import sqlalchemy as sa

from models import User, db
from web.cli import bpmn_cli
from web.ui import datum
from workflow import incidenten
from workflow.engine.migratie import MigratieGeweigerd, OngeldigeKeuze, migreer_cli
from workflow.engine.run import stille_engine


@bpmn_cli.command("incidents")
@click.option("--alle", is_flag=True, help="Ook opgeloste incidenten tonen.")
def incidents(alle: bool) -> None:
    """Toon de incidenten: vastgelopen zaken met aanpak, versie, element en melding (open eerst)."""
    rows = incidenten.lijst("" if alle else incidenten.OPEN)
    if not rows:
        click.echo("Geen incidenten." if alle else "Geen open incidenten.")
        return
    for incident in rows:
        wie = incident.user.naam if incident.user else "systeem"
        keer = f", {incident.aantal}×" if incident.aantal > 1 else ""
        click.echo(
            f"#{incident.id} {incident.status:9} {datum(incident.laatst_op)}  {incidenten.label(incident)} "
            f"bij ‘{incident.bpmn_id}’ ({incident.soort}{keer}, {wie}): {incident.melding}"
        )


@bpmn_cli.command("migrate")
@click.option("--aanpak", "process_key", required=True, help="De aanpak (bestandsnaam van het diagram, bv. tlv).")
@click.option("--from", "van", required=True, help="Versienummer waar de zaken nu op lopen, bv. 3 of v3.")
@click.option("--to", "naar", default=None, help="Versienummer om naartoe te verplaatsen (standaard: de live versie).")
@click.option("--dry-run", is_flag=True, help="Alleen tonen wat er zou gebeuren; er verandert niets.")
@click.option("--door", "username", default=None, help="Gebruikersnaam die in de audittrail komt (standaard: systeem).")
def migrate(process_key: str, van: str, naar: str | None, dry_run: bool, username: str | None) -> None:
    """Verplaats alle verplaatsbare lopende zaken van een versie naar een andere, met een regel per zaak."""
    user = None
    if username:
        user = db.session.scalar(sa.select(User).filter_by(username=username))
        if user is None:
            click.echo(f"Onbekende gebruiker ‘{username}’. Er is niets verplaatst.", err=True)
            raise click.exceptions.Exit(1)
    try:
        with stille_engine():
            lines = migreer_cli(process_key, van.removeprefix("v"), naar.removeprefix("v") if naar else None,
                                dry_run, user)  # fmt: skip
    except (OngeldigeKeuze, MigratieGeweigerd) as exc:
        click.echo(f"{exc} Er is niets verplaatst.", err=True)
        raise click.exceptions.Exit(1) from None
    for line in lines:
        click.echo(line)
