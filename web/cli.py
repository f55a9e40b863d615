"""Command-line tools: ``flask bpmn check|test|publish`` and ``flask seed-demo``."""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext

bpmn_cli = AppGroup("bpmn", help="Diagrammen controleren, testen en publiceren.")


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Create demo data (placeholder: filled in by the bpmn-tooling work)."""
    raise click.ClickException("nog niet beschikbaar")
