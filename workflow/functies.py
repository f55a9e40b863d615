"""The list of functies (domain nouns diagrams name): look up, add, rename, deactivate.

Writes are flushed, never committed: the request or command that calls them commits once.
"""

from __future__ import annotations

import sqlalchemy as sa

from models import Functie, db


def functie_met_naam(naam: str, swv_id: int | None = None) -> Functie:
    """The functie with this name, created (active) when the list lacks it (seed, import)."""
    functie = db.session.scalar(sa.select(Functie).where(Functie.naam == naam))
    if functie is None:
        functie = Functie(swv_id=swv_id, naam=naam, omschrijving="", actief=True)
        db.session.add(functie)
        db.session.flush()
    elif functie.swv_id is None and swv_id is not None:
        functie.swv_id = swv_id
    return functie
