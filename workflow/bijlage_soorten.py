"""Bijlage soorten: what a file is (OPP, onderzoeksverslag …), picked on upload and correctable later.

The standard soorten (``models.bijlage.STANDAARD_SOORTEN``) always exist: they are created on
first use, so a fresh database and the migration agree. A beheerder adds soorten and switches
them off for new uploads (a bijlage keeps the soort it has). Every change is audited; like every
use case here these functions flush and never commit.
"""

from __future__ import annotations

import sqlalchemy as sa

from models import Bijlage, BijlageSoort, User, db
from models.bijlage import MAX_SOORT, OPP, OVERIG, STANDAARD_SOORTEN
from workflow import audit


class SoortOngeldig(Exception):
    """A soort that cannot be chosen or added; ``str()`` is the Dutch message."""


def soorten(alleen_actief: bool = True) -> list[BijlageSoort]:
    """The list in its order (standard soorten first). A standard soort missing from the table (a
    database made without the migration) is listed too, unsaved: reading never writes."""
    rijen = list(db.session.scalars(sa.select(BijlageSoort)))
    bestaand = {s.naam.lower() for s in rijen}
    rijen += [BijlageSoort(naam=naam, volgorde=volgorde, actief=True)
              for volgorde, naam in enumerate(STANDAARD_SOORTEN) if naam.lower() not in bestaand]  # fmt: skip
    rijen.sort(key=lambda s: (s.volgorde, s.naam))
    return [s for s in rijen if s.actief or not alleen_actief]


def _bewaar_standaard() -> None:
    """Before a change to the list: store the standard soorten the table lacks."""
    for soort in soorten(alleen_actief=False):
        if soort.id is None:
            db.session.add(soort)
    db.session.flush()


def kies(naam: str | None) -> str:
    """The soort a user picked, as it is spelled in the list; SoortOngeldig when it is not offered."""
    gezocht = " ".join((naam or "").split()).lower()
    if not gezocht:
        raise SoortOngeldig("Kies bij elk bestand wat voor stuk het is (bijvoorbeeld OPP of onderzoeksverslag).")
    for soort in soorten():
        if soort.naam.lower() == gezocht:
            return soort.naam
    raise SoortOngeldig(f"Onbekende soort bijlage ‘{(naam or '')[:40]}’: kies een soort uit de lijst.")


def wijzig_soort(bijlage: Bijlage, naam: str, user: User) -> str:
    """Correct the soort of a bijlage (audited: from, to); returns the new soort."""
    nieuw = kies(naam)
    if bijlage.is_verwijderd:
        raise SoortOngeldig("Deze bijlage is verwijderd; haar soort kan niet meer worden gewijzigd.")
    oud, bijlage.soort = bijlage.soort, nieuw
    db.session.flush()
    dossier_id = bijlage.hulpvraag.dossier_id if bijlage.hulpvraag else None
    audit.record(user, "wijzigen", "bijlage", bijlage.id, dossier_id=dossier_id, detail=f"soort {oud} → {nieuw}")
    return nieuw


def voeg_soort_toe(naam: str, user: User) -> BijlageSoort:
    """A new soort at the end of the list (audited)."""
    naam = " ".join((naam or "").split())
    _bewaar_standaard()
    if len(naam) < 2 or len(naam) > MAX_SOORT:
        raise SoortOngeldig(f"Geef de soort een naam van 2 tot {MAX_SOORT} tekens.")
    bestaand = soorten(alleen_actief=False)
    if any(s.naam.lower() == naam.lower() for s in bestaand):
        raise SoortOngeldig(f"De soort ‘{naam}’ bestaat al.")
    soort = BijlageSoort(naam=naam, volgorde=max((s.volgorde for s in bestaand), default=0) + 1, actief=True)
    db.session.add(soort)
    db.session.flush()
    audit.record(user, "aanmaken", "bijlagesoort", soort.id, detail=naam)
    return soort


def zet_actief(soort: BijlageSoort, actief: bool, user: User) -> None:
    """Offer a soort on new uploads again, or no longer (audited). OPP and overig stay: diagrams and
    the LVS link rely on them."""
    _bewaar_standaard()
    if not actief and soort.naam in (OPP, OVERIG):
        uitleg = "processen en de LVS-koppeling gebruiken deze soort"
        raise SoortOngeldig(f"‘{soort.naam}’ kan niet worden uitgezet: {uitleg}.")
    soort.actief = actief
    db.session.flush()
    audit.record(user, "wijzigen", "bijlagesoort", soort.id, detail=f"{soort.naam}: {'aan' if actief else 'uit'}")
