"""flask backup / flask restore: the database and the stored files, with a manifest (workflow/backup.py)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from workflow.backup import BackupFout, lees_manifest, restore
from workflow.backup import backup as maak_backup


@click.command("backup")
@click.option("--doel", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Map waarin de back-up komt (standaard instance/backups).")  # fmt: skip
def backup_command(doel: Path | None) -> None:
    """Maak een back-up van de database en de bijlagen, met een manifest van controlegetallen."""
    doel = doel or Path(current_app.instance_path) / "backups"
    try:
        verslag = maak_backup(doel)
    except BackupFout as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Back-up gemaakt in {verslag.map}: {verslag.rijen} rijen in {len(verslag.tabellen)} tabellen, "
               f"{verslag.bestanden} bestanden.")  # fmt: skip
    if verslag.ontbrekend:
        raise click.ClickException(
            f"{len(verslag.ontbrekend)} bestand(en) waar de database naar verwijst, ontbraken al in de opslag "
            f"en zitten niet in de back-up: {', '.join(verslag.ontbrekend[:10])}"
        )


@click.command("restore")
@click.argument("bron", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--ja", is_flag=True, help="Niet om bevestiging vragen.")
def restore_command(bron: Path, ja: bool) -> None:
    """Zet een back-up terug: de database en de bijlagen worden vervangen door die uit BRON."""
    try:
        manifest = lees_manifest(bron)  # checked before anything is asked or changed
    except BackupFout as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Back-up van {manifest['gemaakt_op']}: {sum(manifest['tabellen'].values())} rijen, "
               f"{len(manifest['bestanden'])} bestanden; controlegetallen in orde.")  # fmt: skip
    if not ja:
        click.confirm("De huidige database wordt vervangen. Doorgaan?", abort=True)
    try:
        verslag = restore(bron)
    except BackupFout as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Hersteld: {verslag.rijen} rijen in {len(verslag.tabellen)} tabellen, {verslag.bestanden} bestanden.")
    if manifest.get("schema_revisie"):
        click.echo(f"Schemaversie van de back-up: {manifest['schema_revisie']}; voer daarna `flask db upgrade` uit.")
    if verslag.wezen:
        click.echo(
            f"Let op: {len(verslag.wezen)} bestand(en) in de opslag horen bij geen enkele rij (niet verwijderd)."
        )
    if verslag.ontbrekend:
        raise click.ClickException(f"{len(verslag.ontbrekend)} bestand(en) ontbreken na het herstellen.")
