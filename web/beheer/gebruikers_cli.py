"""``flask beheer account-aanmaken``: an account from the command line, for the first beheerder of
a new installation (nobody can log in yet) or a script. The same rules and activation mail as
the import: one line, checked as a file line is."""

from __future__ import annotations

import click
import sqlalchemy as sa

from models import Samenwerkingsverband, db
from web.beheer import bp
from workflow import gebruikers_import
from workflow.gebruikers_import import Regel


@bp.cli.command("account-aanmaken")
@click.option("--naam", required=True, help="Volledige naam.")
@click.option("--email", required=True, help="Hierheen gaat de activatiemail.")
@click.option("--gebruikersnaam", required=True, help="Waarmee de gebruiker inlogt.")
@click.option("--rol", "rollen", multiple=True, required=True, help="Rol (herhaalbaar), bijvoorbeeld beheerder.")
@click.option("--functie", "functies", multiple=True, help="Functie van een functionaris (herhaalbaar).")
@click.option("--school", "scholen", multiple=True, help="BRIN+vestiging of naam (herhaalbaar).")
@click.option("--swv", "swv_code", help="Code van het samenwerkingsverband (nodig als er meer dan één is).")
def account_aanmaken(naam: str, email: str, gebruikersnaam: str, rollen: tuple[str, ...], functies: tuple[str, ...],
                     scholen: tuple[str, ...], swv_code: str | None) -> None:  # fmt: skip
    """Maak een account aan; de gebruiker krijgt een activatiemail en kiest zelf een wachtwoord."""
    swv_id = _swv_id(swv_code)
    velden = {"naam": naam, "email": email, "username": gebruikersnaam, "rollen": ",".join(rollen),
              "functies": ",".join(functies), "scholen": ",".join(scholen)}  # fmt: skip
    regels = gebruikers_import.controleer_regels([Regel(1, velden)], swv_id)
    if regels[0].fouten:
        db.session.rollback()
        for fout in regels[0].fouten:
            click.echo(f"Niet aangemaakt: {fout}.", err=True)
        raise click.exceptions.Exit(1)
    [user] = gebruikers_import.importeer(regels, None, swv_id)
    db.session.commit()
    click.echo(f"Account {user.username} ({', '.join(sorted(user.rollen))}) aangemaakt; de activatiemail is "
               f"verstuurd naar {user.email}.")  # fmt: skip


def _swv_id(code: str | None) -> int | None:
    query = sa.select(Samenwerkingsverband)
    swvs = list(db.session.scalars(query.where(Samenwerkingsverband.code == code) if code else query))
    if len(swvs) == 1:
        return swvs[0].id
    if not swvs and not code:
        return None
    melding = f"Onbekend samenwerkingsverband ‘{code}’." if code else "Kies het samenwerkingsverband met --swv CODE."
    click.echo(melding, err=True)
    raise click.exceptions.Exit(1)
