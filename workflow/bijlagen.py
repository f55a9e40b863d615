"""Bijlagen (domain.md §2): adding a file to a hulpvraag, removing it, and who may do which.

A file is copied into a temporary spool while its bytes are counted (at most
``BIJLAGE_MAX_BYTES``), recognised by its content (``workflow.bestandstype``) and only then
handed to the store: a refused upload leaves nothing behind. Like every use case here these
functions flush and never commit; a stored file whose transaction rolls back is removed again.

Every addition and removal goes into the audit trail, which is the hulpvraag's history of its
bijlagen; the retention job removes rows and files for good through ``_ruim_op``.
"""

from __future__ import annotations

import logging
import re
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import IO

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, joinedload

from models import Bijlage, Hulpvraag, Rol, User, db, utcnow
from models.bijlage import OVERIG
from workflow import audit, bijlage_soorten
from workflow.access import deelnemer_hulpvragen, hulpvraag_filter, may_see_hulpvraag
from workflow.bestandstype import OngeldigBestand, Soort, herken
from workflow.opslag import TeGroot, kopieer, opslag
from workflow.retention import Opruiming, registreer_opruimer

log = logging.getLogger(__name__)

# School staff of the hulpvraag's school and the SWV staff who can see it; always, also after submission.
TOEVOEG_ROLLEN = frozenset({Rol.AANVRAGER, Rol.DIRECTEUR, Rol.SCP, Rol.FUNCTIONARIS, Rol.BEHEERDER})
SPOOL_IN_GEHEUGEN = 1024 * 1024  # larger uploads are spooled to a temporary file
MAX_NAAM = 150


class BijlageGeweigerd(Exception):
    """An upload or removal that cannot be done; ``str()`` is the Dutch message for the user."""


def te_groot_melding() -> str:
    megabytes = current_app.config["BIJLAGE_MAX_BYTES"] // (1024 * 1024)
    return (
        f"Het bestand is groter dan {megabytes} MB en is niet opgeslagen. Verklein het (bijvoorbeeld door "
        "in zwart-wit te scannen of als PDF op te slaan) of verdeel het over meer bijlagen."
    )


# --- who may ------------------------------------------------------------------------------
def mag_bijlage_toevoegen(user: User, hulpvraag: Hulpvraag) -> bool:
    return bool(user.rollen & TOEVOEG_ROLLEN) and may_see_hulpvraag(user, hulpvraag.id)


def mag_verwijderen(user: User, bijlage: Bijlage) -> bool:
    """A beheerder always; the uploader while the hulpvraag is still a voorlopige aanmelding."""
    if bijlage.is_verwijderd:
        return False
    if Rol.BEHEERDER in user.rollen:
        return True
    hulpvraag = bijlage.hulpvraag
    return bijlage.uploaded_by_id == user.id and hulpvraag is not None and hulpvraag.is_voorlopig


def zichtbare_bijlage(user: User, bijlage_id: int) -> Bijlage | None:
    """The bijlage when ``user`` may see its hulpvraag (removed ones included), else None.

    Deelnemers of a running overlegronde see the bijlagen of that hulpvraag until the deadline."""
    overleg = Hulpvraag.id.in_(deelnemer_hulpvragen(user))
    query = (
        sa.select(Bijlage)
        .join(Hulpvraag, Bijlage.hulpvraag_id == Hulpvraag.id)
        .where(Bijlage.id == bijlage_id, sa.or_(hulpvraag_filter(user), overleg))
    )
    return db.session.scalar(query)


def bijlagen_van(hulpvraag: Hulpvraag) -> list[Bijlage]:
    """Every bijlage of the hulpvraag, oldest first, removed ones included (the page greys them)."""
    query = (
        sa.select(Bijlage)
        .where(Bijlage.hulpvraag_id == hulpvraag.id)
        .options(joinedload(Bijlage.uploaded_by), joinedload(Bijlage.verwijderd_door))
        .order_by(Bijlage.created_at, Bijlage.id)
    )
    return list(db.session.scalars(query))


# --- adding -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Opgeslagen:
    """A checked file in the store: what a Bijlage (or a GekozenBestand) records about it."""

    naam: str
    content_type: str
    label: str
    grootte: int
    sha256: str
    opslag_sleutel: str


def sla_op(upload_stream: IO[bytes], filename: str | None, hulpvraag_id: int | None, user: User | None) -> Opgeslagen:
    """Count, recognise and store one file (removed again if the transaction rolls back); ``BijlageGeweigerd``."""
    limiet = current_app.config["BIJLAGE_MAX_BYTES"]
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_GEHEUGEN) as kopie:
        try:
            kopieer(upload_stream, kopie, limiet)
            bestandstype = herken(kopie)
        except TeGroot:
            _weiger(hulpvraag_id, user, "te_groot")
            raise BijlageGeweigerd(te_groot_melding()) from None
        except OngeldigBestand as exc:
            _weiger(hulpvraag_id, user, exc.reden)
            raise BijlageGeweigerd(str(exc)) from None
        kopie.seek(0)
        store = opslag()
        sleutel, grootte, sha256 = store.bewaar(kopie, max_bytes=limiet)
    _verwijder_bij_rollback(partial(store.verwijder, sleutel))
    return Opgeslagen(schone_naam(filename, bestandstype), bestandstype.content_type, bestandstype.label, grootte,
                      sha256, sleutel)  # fmt: skip


def voeg_toe(hulpvraag: Hulpvraag, upload_stream: IO[bytes], filename: str | None, user: User | None,
             soort: str = OVERIG) -> Bijlage:  # fmt: skip
    """Check and store one file of this soort (flushed, not committed); ``BijlageGeweigerd`` when refused."""
    gekozen = _soort(soort)
    bestand = sla_op(upload_stream, filename, hulpvraag.id, user)
    return _bijlage(hulpvraag, bestand, gekozen, user)


def _soort(naam: str) -> str:
    try:
        return bijlage_soorten.kies(naam)
    except bijlage_soorten.SoortOngeldig as exc:
        raise BijlageGeweigerd(str(exc)) from None


def _bijlage(hulpvraag: Hulpvraag, bestand: Opgeslagen, soort: str, user: User | None) -> Bijlage:
    bijlage = Bijlage(
        hulpvraag_id=hulpvraag.id, naam=bestand.naam, soort=soort, content_type=bestand.content_type,
        grootte=bestand.grootte, sha256=bestand.sha256, opslag_sleutel=bestand.opslag_sleutel,
        uploaded_by_id=user.id if user else None,
    )  # fmt: skip
    db.session.add(bijlage)
    db.session.flush()
    audit.record(user, "aanmaken", "bijlage", bijlage.id, dossier_id=hulpvraag.dossier_id,
                 detail=f"{bestand.label}, soort {soort}")  # fmt: skip
    log.info("bijlage added: id=%s hulpvraag_id=%s type=%s bytes=%s soort=%s", bijlage.id, hulpvraag.id,
             bestand.label, bestand.grootte, soort)  # fmt: skip
    return bijlage


def _weiger(hulpvraag_id: int | None, user: User | None, reden: str) -> None:
    user_id = user.id if user else None
    log.warning("upload refused: hulpvraag_id=%s user_id=%s reason=%s", hulpvraag_id, user_id, reden)


# --- names --------------------------------------------------------------------------------
_VERBODEN = re.compile(r'[<>:"/\\|?*]')  # not allowed in Windows file names
_EXTENSIE = re.compile(r"[A-Za-z0-9]{1,5}")
_NIETSZEGGEND = re.compile(
    r"(scan|img|image|dsc|dscn|pxl|photo|foto|afbeelding|document|doc|bestand|file|naamloos|untitled|nieuw|new"
    r"|schermafbeelding|screenshot|whatsapp image|wa)?[\s_.()\-]*[\d\s_.()\-]*",
    re.IGNORECASE,
)


def schone_naam(filename: str | None, soort: Soort) -> str:
    """The display name: no folders, no control or direction characters, NFC, and the extension of ``soort``."""
    naam = unicodedata.normalize("NFC", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    naam = "".join(teken for teken in naam if not unicodedata.category(teken).startswith("C"))
    naam = " ".join(_VERBODEN.sub("_", naam).split()).strip(" .")
    stam, punt, extensie = naam.rpartition(".")
    if punt and extensie.lower() in soort.extensies:
        return f"{_kort(stam)}.{extensie.lower()}"
    if punt and _EXTENSIE.fullmatch(extensie):  # another type's extension: replaced, never doubled
        naam = stam
    return f"{_kort(naam)}.{soort.extensies[0]}"


def _kort(stam: str) -> str:
    return stam[:MAX_NAAM].strip(" .") or "bijlage"


def naamadvies(naam: str) -> str | None:
    """A hint (not a refusal) when a name says nothing about the content, like ``scan20230106.pdf``."""
    stam = naam.rpartition(".")[0] or naam
    if not _NIETSZEGGEND.fullmatch(stam):
        return None
    return (
        f"Tip: geef een bijlage een naam die de inhoud beschrijft, zoals ‘OPPondertekening.pdf’ in plaats van "
        f"‘{naam}’. Zo vindt iedereen het juiste stuk terug."
    )


# --- removing -----------------------------------------------------------------------------
def verwijder(bijlage: Bijlage, user: User) -> None:
    """Soft delete (flushed): the row and file stay for the audit and retention, the page greys it out."""
    if bijlage.is_verwijderd:
        raise BijlageGeweigerd("Deze bijlage was al verwijderd.")
    if not mag_verwijderen(user, bijlage):
        raise BijlageGeweigerd(
            "U kunt deze bijlage niet verwijderen: dat kan alleen wie haar heeft toegevoegd, zolang de hulpvraag "
            "nog een voorlopige aanmelding is. Neem anders contact op met de beheerder."
        )
    nu = utcnow()
    result = db.session.execute(
        sa.update(Bijlage)
        .where(Bijlage.id == bijlage.id, Bijlage.verwijderd_at.is_(None))
        .values(verwijderd_at=nu, verwijderd_door_id=user.id)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise BijlageGeweigerd("Deze bijlage was al verwijderd.")  # by someone else, just now
    db.session.refresh(bijlage)
    hulpvraag = bijlage.hulpvraag
    # models.audit.ACTIES has no "verwijderen" (yet): a removal is a change, named in the detail.
    audit.record(user, "wijzigen", "bijlage", bijlage.id, dossier_id=hulpvraag.dossier_id if hulpvraag else None,
                 detail="verwijderd")  # fmt: skip
    log.info("bijlage removed: id=%s user_id=%s", bijlage.id, user.id)


# --- files whose transaction did not make it ----------------------------------------------
_NIEUW = "bijlagen_nieuwe_bestanden"


def _verwijder_bij_rollback(actie: Callable[[], None]) -> None:
    db.session.info.setdefault(_NIEUW, []).append(actie)


_WEG_NA_COMMIT = "bijlagen_weg_na_commit"


def na_commit(actie: Callable[[], None]) -> None:
    """Remove a stored file once the transaction that dropped its row is committed (never before)."""
    db.session.info.setdefault(_WEG_NA_COMMIT, []).append(actie)


@event.listens_for(Session, "after_commit")
def _bestanden_blijven(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.info.pop(_NIEUW, None)
    for actie in session.info.pop(_WEG_NA_COMMIT, []):
        try:
            actie()
        except Exception:  # a file without a row harms nobody; an operator can sweep it
            log.exception("bijlagen: a file whose row was removed could not be deleted")


@event.listens_for(Session, "after_rollback")
def _bestanden_weg(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint: the outer transaction may still commit them
        return
    session.info.pop(_WEG_NA_COMMIT, None)  # the rows are back: their files stay
    for actie in session.info.pop(_NIEUW, []):
        try:
            actie()
        except Exception:  # an orphaned file holds no row; an operator can sweep it
            log.exception("bijlagen: a stored file could not be removed after a rollback")


# --- retention ----------------------------------------------------------------------------
def _ruim_op(hulpvraag: Hulpvraag, opruiming: Opruiming) -> None:
    """Delete the rows of every bijlage of the hulpvraag; their files go once the deletion is committed."""
    store = opslag()
    sleutels = list(db.session.scalars(sa.select(Bijlage.opslag_sleutel).where(Bijlage.hulpvraag_id == hulpvraag.id)))
    result = db.session.execute(
        sa.delete(Bijlage).where(Bijlage.hulpvraag_id == hulpvraag.id).execution_options(synchronize_session=False)
    )
    opruiming.tel("bijlagen", result.rowcount or 0)  # type: ignore[attr-defined]
    opruiming.bestanden.extend(partial(store.verwijder, sleutel) for sleutel in sleutels)


registreer_opruimer("bijlagen", _ruim_op)
