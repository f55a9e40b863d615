"""Files chosen on a form that came back (a warning, a missing field) are kept, never silently lost.

The file is checked and stored like a bijlage at once, as a ``GekozenBestand`` of this user's
login session; the form shows it as "al gekozen" with a remove button and carries its id. On
the final submit it becomes a Bijlage of the new hulpvraag with the same stored file. Nobody
else can use it (user and session must match), and what is left after ``BEWAAR_TIJD`` is removed
with its file whenever someone keeps a new one. Flushed, never committed, like every use case.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import partial
from typing import IO

import sqlalchemy as sa

from models import Bijlage, GekozenBestand, Hulpvraag, User, db, utcnow
from workflow import audit
from workflow.bijlage_soorten import SoortOngeldig, kies
from workflow.bijlagen import BijlageGeweigerd, na_commit, sla_op
from workflow.opslag import opslag

log = logging.getLogger(__name__)
BEWAAR_TIJD = timedelta(hours=24)
MAX_GEKOZEN = 20


def bewaar(stream: IO[bytes], filename: str | None, soort: str, user: User, sessie_id: str) -> GekozenBestand:
    """Check and keep one chosen file; ``BijlageGeweigerd`` (Dutch) when it is refused."""
    try:
        gekozen_soort = kies(soort)
    except SoortOngeldig as exc:
        raise BijlageGeweigerd(f"{exc} ‘{filename}’ is niet bewaard; kies het bestand opnieuw.") from None
    ruim_op()
    bestand = sla_op(stream, filename, None, user)
    rij = GekozenBestand(user_id=user.id, sessie_id=sessie_id, naam=bestand.naam, soort=gekozen_soort,
                         content_type=bestand.content_type, grootte=bestand.grootte, sha256=bestand.sha256,
                         opslag_sleutel=bestand.opslag_sleutel)  # fmt: skip
    db.session.add(rij)
    db.session.flush()
    return rij


def van(user: User, sessie_id: str, ids: Iterable[str]) -> list[GekozenBestand]:
    """The kept files among ``ids`` that belong to this user and login session (others are ignored)."""
    nummers = {int(i) for i in ids if str(i).isdigit()}
    if not nummers:
        return []
    query = sa.select(GekozenBestand).where(GekozenBestand.id.in_(nummers), GekozenBestand.user_id == user.id,
                                            GekozenBestand.sessie_id == sessie_id)  # fmt: skip
    return list(db.session.scalars(query.order_by(GekozenBestand.id).limit(MAX_GEKOZEN)))


def verwijder(rij: GekozenBestand) -> None:
    """The user took a chosen file back: row and file go (the file once that is committed)."""
    na_commit(partial(opslag().verwijder, rij.opslag_sleutel))
    db.session.delete(rij)
    db.session.flush()


def koppel(hulpvraag: Hulpvraag, rijen: Iterable[GekozenBestand], user: User) -> list[Bijlage]:
    """The kept files become bijlagen of ``hulpvraag`` (same stored file; audited like any upload)."""
    bijlagen = []
    for rij in rijen:
        bijlage = Bijlage(hulpvraag_id=hulpvraag.id, naam=rij.naam, soort=rij.soort, content_type=rij.content_type,
                          grootte=rij.grootte, sha256=rij.sha256, opslag_sleutel=rij.opslag_sleutel,
                          uploaded_by_id=user.id)  # fmt: skip
        db.session.delete(rij)
        db.session.flush()  # the row gives up its storage key before the bijlage takes it
        db.session.add(bijlage)
        db.session.flush()
        audit.record(user, "aanmaken", "bijlage", bijlage.id, dossier_id=hulpvraag.dossier_id,
                     detail=f"al gekozen bestand, soort {rij.soort}")  # fmt: skip
        bijlagen.append(bijlage)
    return bijlagen


def ruim_op() -> int:
    """Remove what was kept longer than ``BEWAAR_TIJD`` ago (files once the deletion is committed)."""
    oud = list(db.session.scalars(sa.select(GekozenBestand).where(GekozenBestand.created_at < utcnow() - BEWAAR_TIJD)))
    for rij in oud:
        verwijder(rij)
    if oud:
        log.info("gekozen bestanden: %s older than %s removed", len(oud), BEWAAR_TIJD)
    return len(oud)
