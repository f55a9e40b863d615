"""Retention (domain.md §9): propose what has been kept long enough, delete it on a beheerder's approval.

The clock starts when a hulpvraag reached its final status (``TLV afgegeven`` marks an issued TLV;
any other final status counts the same until TLVs are modelled):

- ``onderliggend`` after RETENTIE_ONDERLIGGEND_JAREN: the data underlying the decision, that is the
  process instances with their task data, the hulpvraag's omschrijving, the bijlagen, and the
  dossier's personal details (its name fields and every row in a table that refers to the dossier,
  such as addresses) once no other hulpvraag still needs them;
- ``besluit`` after RETENTIE_BESLUIT_JAREN: all of that, plus the hulpvraag, its status history
  and the dossier when no other hulpvraag uses it.

Nothing is deleted without approval: ``list_due`` only proposes, ``execute`` deletes. Audit
entries are never touched. Other features plug their own data in with ``registreer_opruimer``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from celery import shared_task
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, selectinload

from models import (
    Dossier,
    Hulpvraag,
    HumanTask,
    ProcessInstance,
    Retentievoorstel,
    Statuswijziging,
    User,
    Verwijderverslag,
    db,
    utcnow,
)
from models.retentie import AFGEWEZEN, BESLUIT, GOEDGEKEURD, ONDERLIGGEND, UITGEVOERD, VOORGESTELD
from workflow.statussen import eindstatus_sql, is_eindstatus

log = logging.getLogger(__name__)
DOSSIER_PERSOONSGEGEVENS = ("roepnaam", "tussenvoegsel", "achternaam", "geboortedatum", "geslacht")


class RetentieFout(Exception):
    """A proposal that cannot be carried out (any more); the message is for the beheerder."""


# --- the hook for other features ---------------------------------------------------------
@dataclass
class Opruiming:
    """One deletion in progress. Opruimers delete their rows, count them, and queue file removal."""

    soort: str
    dossier_wissen: bool  # the dossier's personal data goes (no other hulpvraag needs it)
    dossier_verwijderen: bool  # the dossier row itself goes (besluit, no other hulpvraag uses it)
    rijen: dict[str, int] = field(default_factory=dict)
    bestanden: list[Callable[[], None]] = field(default_factory=list)  # run only after the commit

    def tel(self, wat: str, aantal: int) -> None:
        if aantal:
            self.rijen[wat] = self.rijen.get(wat, 0) + aantal


Opruimer = Callable[[Hulpvraag, Opruiming], None]
_OPRUIMERS: dict[str, Opruimer] = {}


def registreer_opruimer(naam: str, opruimer: Opruimer) -> None:
    """Let a feature delete what it keeps about a hulpvraag (and its dossier) in the same approval.

    The opruimer runs for both soorten, before the hulpvraag itself goes. It deletes rows (flush,
    no commit), counts them with ``opruiming.tel`` and appends file deletions to
    ``opruiming.bestanden``: those run only once the transaction has committed, so a rollback
    never leaves rows that point at removed files. Registering a name again replaces it.
    """
    _OPRUIMERS[naam] = opruimer


# --- when ---------------------------------------------------------------------------------
def plus_jaren(moment: datetime, jaren: int) -> datetime:
    try:
        return moment.replace(year=moment.year + jaren)
    except ValueError:  # 29 February in a year without one
        return moment.replace(year=moment.year + jaren, day=28)


def eindmoment(wijzigingen: list[Statuswijziging]) -> datetime | None:
    """When the hulpvraag reached its final status: the first final status since the last other one."""
    sinds = None
    for wijziging in wijzigingen:  # oldest first (by id: the order they were recorded in)
        sinds = (sinds or wijziging.created_at) if is_eindstatus(wijziging.naar) else None
    return sinds


def termijn(soort: str) -> int:
    key = "RETENTIE_BESLUIT_JAREN" if soort == BESLUIT else "RETENTIE_ONDERLIGGEND_JAREN"
    return int(current_app.config[key])


def vervaldatum(hulpvraag: Hulpvraag, soort: str) -> datetime | None:
    """End of the retention period of ``soort``; None while the hulpvraag is not finished."""
    if not is_eindstatus(hulpvraag.status):
        return None
    moment = eindmoment(sorted(hulpvraag.statuswijzigingen, key=lambda w: w.id))
    return plus_jaren(moment, termijn(soort)) if moment else None


def _eindstatus_sql() -> sa.ColumnElement[bool]:
    return eindstatus_sql(Hulpvraag.status)  # the eindstatussen of bpmn/statussen.yaml


def _kandidaten(now: datetime) -> list[Hulpvraag]:
    """Finished hulpvragen with a final status change old enough for the shorter period."""
    grens = plus_jaren(now, -min(termijn(ONDERLIGGEND), termijn(BESLUIT)))
    oud_genoeg = sa.select(Statuswijziging.hulpvraag_id).where(
        Statuswijziging.created_at <= grens, eindstatus_sql(Statuswijziging.naar)
    )
    query = (
        sa.select(Hulpvraag)
        .where(_eindstatus_sql(), Hulpvraag.id.in_(oud_genoeg))
        .options(selectinload(Hulpvraag.statuswijzigingen), selectinload(Hulpvraag.school))
        .order_by(Hulpvraag.id)
    )
    return list(db.session.scalars(query))


# --- proposing ----------------------------------------------------------------------------
def list_due(now: datetime) -> list[Retentievoorstel]:
    """Propose every hulpvraag past a retention period, once per soort (flushed, not committed).

    When the decision itself is due, only ``besluit`` is proposed: it removes the underlying data too.
    """
    bestaand = set(db.session.execute(sa.select(Retentievoorstel.hulpvraag_id, Retentievoorstel.soort)).tuples())
    nieuw = []
    for hulpvraag in _kandidaten(now):
        soort = _verschuldigd(hulpvraag, now)
        if soort is None or (hulpvraag.id, soort) in bestaand:
            continue
        voorstel = Retentievoorstel(
            swv_id=hulpvraag.school.swv_id, hulpvraag_id=hulpvraag.id, aanvraagnummer=hulpvraag.aanvraagnummer or "",
            soort=soort, vervalt_op=vervaldatum(hulpvraag, soort), status=VOORGESTELD,
        )  # fmt: skip
        db.session.add(voorstel)
        nieuw.append(voorstel)
    db.session.flush()
    return nieuw


def _verschuldigd(hulpvraag: Hulpvraag, now: datetime) -> str | None:
    for soort in (BESLUIT, ONDERLIGGEND):
        vervalt = vervaldatum(hulpvraag, soort)
        if vervalt is not None and vervalt <= now:
            return soort
    return None


@shared_task(ignore_result=True)
def list_due_retention() -> int:
    """Monthly: list new deletion candidates for the beheerder (deletes nothing)."""
    voorstellen = list_due(utcnow())
    db.session.commit()
    log.info("retention: %s new proposal(s)", len(voorstellen))
    return len(voorstellen)


# --- deciding -----------------------------------------------------------------------------
def _lock(voorstel_id: int) -> Retentievoorstel:
    query = sa.select(Retentievoorstel).where(Retentievoorstel.id == voorstel_id).with_for_update()
    voorstel = db.session.execute(query.execution_options(populate_existing=True)).scalar_one()
    if voorstel.status != VOORGESTELD:
        raise RetentieFout("Dit voorstel is al afgehandeld.")
    return voorstel


def reject(voorstel: Retentievoorstel, user: User, reden: str) -> None:
    """Keep the data: the proposal is closed with the reason and not made again (flushed)."""
    voorstel = _lock(voorstel.id)
    voorstel.status, voorstel.reden = AFGEWEZEN, reden
    voorstel.approved_by_id, voorstel.approved_at = user.id, utcnow()
    db.session.flush()


def plan(voorstel: Retentievoorstel) -> Opruiming:
    """What approving would delete, for the confirmation page and for ``execute``."""
    hulpvraag = voorstel.hulpvraag
    if hulpvraag is None:
        raise RetentieFout("De hulpvraag van dit voorstel bestaat niet meer.")
    anderen = db.session.scalars(
        sa.select(Hulpvraag.id).where(Hulpvraag.dossier_id == hulpvraag.dossier_id, Hulpvraag.id != hulpvraag.id)
    ).all()
    opgeruimd = db.session.scalars(
        sa.select(Retentievoorstel.hulpvraag_id).where(
            Retentievoorstel.hulpvraag_id.in_(anderen), Retentievoorstel.status == UITGEVOERD
        )
    ).all()
    return Opruiming(
        soort=voorstel.soort,
        dossier_wissen=set(anderen) <= set(opgeruimd),
        dossier_verwijderen=voorstel.soort == BESLUIT and not anderen,
    )


def execute(voorstel: Retentievoorstel, user: User) -> Verwijderverslag:
    """Approve and carry out one proposal (flushed, not committed); files go after the commit."""
    voorstel = _lock(voorstel.id)
    hulpvraag = voorstel.hulpvraag
    vervalt = vervaldatum(hulpvraag, voorstel.soort) if hulpvraag is not None else None
    if hulpvraag is None or vervalt is None or vervalt > utcnow():
        raise RetentieFout("Deze hulpvraag valt (nu) niet onder de bewaartermijn, bijvoorbeeld omdat zij is heropend.")
    now = utcnow()
    voorstel.status, voorstel.approved_by_id, voorstel.approved_at = GOEDGEKEURD, user.id, now
    opruiming = plan(voorstel)
    _verwijder_onderliggend(hulpvraag, opruiming)
    if voorstel.soort == BESLUIT:
        _verwijder_besluit(hulpvraag, opruiming, user, now)
    voorstel.status, voorstel.executed_at = UITGEVOERD, now
    verslag = Verwijderverslag(
        swv_id=voorstel.swv_id, voorstel_id=voorstel.id, soort=voorstel.soort, aanvraagnummer=voorstel.aanvraagnummer,
        rijen=dict(opruiming.rijen), bestanden=len(opruiming.bestanden),
        approved_by_id=user.id, approved_by_naam=user.naam,
    )  # fmt: skip
    db.session.add(verslag)
    _na_commit(opruiming.bestanden)
    db.session.flush()
    log.info("retention executed: proposal=%s soort=%s", voorstel.id, voorstel.soort)
    return verslag


# --- deleting -----------------------------------------------------------------------------
def _delete(opruiming: Opruiming, wat: str, statement: sa.Delete) -> None:
    # Bulk deletes skip the ORM's per-object hooks: the status history is append-only for
    # everyone else, and the retention period is the one lawful reason to remove it.
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    opruiming.tel(wat, result.rowcount or 0)  # type: ignore[attr-defined]


def _verwijder_onderliggend(hulpvraag: Hulpvraag, opruiming: Opruiming) -> None:
    for opruimer in _OPRUIMERS.values():
        opruimer(hulpvraag, opruiming)
    instances = sa.select(ProcessInstance.id).where(ProcessInstance.hulpvraag_id == hulpvraag.id)
    _delete(opruiming, "taken", sa.delete(HumanTask).where(
        sa.or_(HumanTask.hulpvraag_id == hulpvraag.id, HumanTask.instance_id.in_(instances))
    ))  # fmt: skip
    _delete(opruiming, "processen", sa.delete(ProcessInstance).where(ProcessInstance.hulpvraag_id == hulpvraag.id))
    if hulpvraag.omschrijving:
        hulpvraag.omschrijving = ""
        opruiming.tel("omschrijving hulpvraag", 1)
    if opruiming.dossier_wissen:
        _wis_dossier(hulpvraag.dossier, opruiming)
    db.session.flush()


def _dossier_tabellen() -> list[tuple[sa.Table, sa.Column[int]]]:
    """Every table that hangs off a dossier (addresses, school history, ...), except hulpvragen."""
    dossier = Dossier.__table__
    return [
        (table, fk.parent)
        for table in db.metadata.sorted_tables
        if table is not Hulpvraag.__table__
        for fk in table.foreign_keys
        if fk.column.table is dossier
    ]


def _wis_dossier(dossier: Dossier, opruiming: Opruiming) -> None:
    """The pupil's personal details: the dossier's own fields and every row that belongs to it."""
    for table, column in _dossier_tabellen():
        _delete(opruiming, table.name, sa.delete(table).where(column == dossier.id))
    if _wis_persoonsgegevens(dossier):
        opruiming.tel("persoonsgegevens dossier", 1)


def _wis_persoonsgegevens(dossier: Dossier) -> bool:
    gevuld = any(getattr(dossier, veld) is not None for veld in DOSSIER_PERSOONSGEGEVENS)
    for veld in DOSSIER_PERSOONSGEGEVENS:
        setattr(dossier, veld, None)
    return gevuld


def _verwijder_besluit(hulpvraag: Hulpvraag, opruiming: Opruiming, user: User, now: datetime) -> None:
    _sluit_voorstellen(hulpvraag.id, user, now)
    dossier = hulpvraag.dossier
    _delete(opruiming, "statuswijzigingen", sa.delete(Statuswijziging).where(
        Statuswijziging.hulpvraag_id == hulpvraag.id
    ))  # fmt: skip
    db.session.delete(hulpvraag)
    opruiming.tel("hulpvragen", 1)
    if opruiming.dossier_verwijderen:
        db.session.delete(dossier)
        opruiming.tel("dossiers", 1)
    db.session.flush()


def _sluit_voorstellen(hulpvraag_id: int, user: User, now: datetime) -> None:
    """Proposals of the hulpvraag lose their link; a pending ``onderliggend`` one is done by now."""
    query = sa.select(Retentievoorstel).where(Retentievoorstel.hulpvraag_id == hulpvraag_id)
    for voorstel in db.session.scalars(query):
        if voorstel.status == VOORGESTELD:
            voorstel.status, voorstel.executed_at = UITGEVOERD, now
            voorstel.approved_by_id, voorstel.approved_at = user.id, now
        voorstel.hulpvraag = None
    db.session.flush()


# --- files, after the commit --------------------------------------------------------------
_NA_COMMIT = "retentie_bestanden"


def _na_commit(acties: list[Callable[[], None]]) -> None:
    if acties:
        db.session.info.setdefault(_NA_COMMIT, []).extend(acties)


@event.listens_for(Session, "after_commit")
def _verwijder_bestanden(session: Session) -> None:
    for actie in session.info.pop(_NA_COMMIT, []):
        try:
            actie()
        except Exception:  # the rows are gone already; an operator removes the file by hand
            log.exception("retention: a file could not be removed after the commit")


@event.listens_for(Session, "after_rollback")
def _vergeet_bestanden(session: Session) -> None:
    session.info.pop(_NA_COMMIT, None)
