"""Use cases around a hulpvraag that start or drive its intake process."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from models import Dossier, Hulpvraag, User, db
from models.hulpvraag import TITELS, VOORLOPIGE_AANMELDING
from workflow.engine.runtime import set_status, start_process
from workflow.statussen import eindstatus_sql

INTAKE = "hulpvraag"


class SchoolGesloten(ValueError):
    """A closed school takes no new hulpvragen (its old ones stay readable)."""


def create_hulpvraag(
    dossier: Dossier,
    aanvrager: User,
    *,
    titel: str,
    omschrijving: str = "",
    contactpersoon_naam: str | None = None,
    contactpersoon_email: str | None = None,
    contactpersoon_telefoon: str | None = None,
    bron: str = "web",
    coordinator: User | None = None,
) -> Hulpvraag:
    """A new hulpvraag in Voorlopige aanmelding with its intake running (flushed)."""
    school = dossier.school
    if school.is_gesloten:
        raise SchoolGesloten(f"{school.naam} is gesloten: voor deze school kunnen geen nieuwe hulpvragen worden "
                             "gestart. Vraag de beheerder bij welke school de leerling nu hoort.")  # fmt: skip
    hulpvraag = Hulpvraag(
        dossier_id=dossier.id,
        school_id=dossier.school_id,
        titel=titel,
        titel_onbekend=titel not in TITELS,
        omschrijving=omschrijving,
        status=VOORLOPIGE_AANMELDING,
        coordinator_id=coordinator.id if coordinator else school.scp_id,
        aanvrager_id=aanvrager.id,
        contactpersoon_naam=contactpersoon_naam or aanvrager.naam,
        contactpersoon_email=contactpersoon_email or aanvrager.email,
        contactpersoon_telefoon=contactpersoon_telefoon or (aanvrager.telefoon or ""),
        bron=bron,
    )
    db.session.add(hulpvraag)
    db.session.flush()
    hulpvraag.aanvraagnummer = f"{hulpvraag.created_at:%Y}-{hulpvraag.id:06d}"
    set_status(hulpvraag, VOORLOPIGE_AANMELDING, "Aangemaakt", aanvrager, "aanmaken", eerste=True)
    start_process(hulpvraag, INTAKE, aanvrager)
    return hulpvraag


def open_hulpvragen_van(school_id: int, van: User, zichtbaar: Any) -> list[Hulpvraag]:
    """Open hulpvragen of a school where ``van`` is aanvrager or contactpersoon (within ``zichtbaar``)."""
    eind = eindstatus_sql(Hulpvraag.status)
    query = sa.select(Hulpvraag).where(
        Hulpvraag.school_id == school_id,
        zichtbaar,
        sa.not_(eind),
        sa.or_(Hulpvraag.aanvrager_id == van.id, sa.func.lower(Hulpvraag.contactpersoon_email) == van.email.lower()),
    )
    return list(db.session.scalars(query.order_by(Hulpvraag.id)))


def wissel_personeel(hulpvraag: Hulpvraag, van: User, naar: User) -> list[str]:
    """Move aanvrager and contactpersoon from ``van`` to ``naar``; returns what changed (for the history)."""
    changes = []
    if hulpvraag.aanvrager_id == van.id:
        hulpvraag.aanvrager_id = naar.id
        changes.append("aanvrager")
    if hulpvraag.contactpersoon_email.lower() == van.email.lower():
        hulpvraag.contactpersoon_naam, hulpvraag.contactpersoon_email = naar.naam, naar.email
        hulpvraag.contactpersoon_telefoon = naar.telefoon or ""
        changes.append("contactpersoon")
    return changes
