"""Use cases around a hulpvraag that start or drive its intake process."""

from __future__ import annotations

from models import Dossier, Hulpvraag, User, db
from models.hulpvraag import TITELS, VOORLOPIGE_AANMELDING
from workflow.runtime import set_status, start_process

INTAKE = "hulpvraag"


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
) -> Hulpvraag:
    """A new hulpvraag in Voorlopige aanmelding with its intake running (flushed)."""
    school = dossier.school
    hulpvraag = Hulpvraag(
        dossier_id=dossier.id,
        school_id=dossier.school_id,
        titel=titel,
        titel_onbekend=titel not in TITELS,
        omschrijving=omschrijving,
        status=VOORLOPIGE_AANMELDING,
        coordinator_id=school.scp_id,
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
