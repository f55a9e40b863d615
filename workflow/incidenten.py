"""Incidents (issue 12): a case the engine could not move on is reported, not left for dead.

When a completion, a timer, a start or an LVS submission fails in the engine (ProcessFailed), the
caller rolls the step back (nothing of it is saved, as before) and calls one of the ``bij_*``
functions here. They record an incident, audit it and mail every active procesbeheerder. While an
incident is open, the same failure at the same place (``sleutel``) and element only counts up:
a user who retries 100 times makes one incident with ``aantal`` 100 and one mail.

From the incident page the procesbeheerder repairs the case (workflow/incident_herstel.py). A
later success at the same place (the user's own retry, the LVS's re-send, the next timer sweep)
closes the incident too (``na_succes``). Closing deletes the stored form input: it is pupil data,
kept only to retry with.

Transactions: unlike most use cases, these commit themselves. An incident is written after the
failed step was rolled back, so it needs its own transaction; an action that fails again must be
rolled back and then recorded. ``na_succes`` is the exception: it joins the caller's transaction.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from models import Hulpvraag, HumanTask, Incident, ProcessInstance, Rol, User, UserRol, db, utcnow
from models.incident import OPEN, OPGELOST, SOORTEN
from workflow import audit
from workflow.engine.definitions import latest_definition
from workflow.engine.runtime import ProcessFailed
from workflow.retention import Opruiming, registreer_opruimer

log = logging.getLogger(__name__)



# --- what failed, and where -----------------------------------------------------------------
@dataclass(frozen=True)
class Fout:
    """One failed step as the user and the incident show it: the element and the engine's Dutch message."""

    element: str
    melding: str


def fout_van(exc: ProcessFailed) -> Fout:
    """The element and the engine's Dutch message of a failed step."""
    return Fout(exc.bpmn_id or "", exc.melding)


@dataclass(frozen=True)
class Plek:
    """Where a step failed; ``sleutel`` names the place, so a repeat finds the open incident."""

    soort: str
    sleutel: str
    process_key: str
    definition_id: int | None = None
    instance_id: int | None = None
    hulpvraag_id: int | None = None
    human_task_id: int | None = None


def sleutel_taak(task_pk: int) -> str:
    return f"taak-{task_pk}"


def sleutel_timer(instance_id: int) -> str:
    return f"timer-{instance_id}"


def sleutel_start(hulpvraag_id: int | None, process_key: str) -> str:
    return f"start-{hulpvraag_id or 'nieuw'}-{process_key}"


def sleutel_lvs(koppeling_id: int, referentie: str) -> str:
    return f"lvs-{koppeling_id}-{hashlib.sha256(referentie.encode()).hexdigest()[:32]}"


# --- recording ------------------------------------------------------------------------------
def bij_taak(task_pk: int, user: User, invoer: dict[str, Any], exc: ProcessFailed) -> Incident | None:
    """A completion failed (rolled back): record it with the submitted input, to retry with."""
    task = db.session.get(HumanTask, task_pk)
    if task is None:
        return None
    instance = task.instance
    plek = Plek("taak", sleutel_taak(task.id), instance.process_key, instance.definition_id, instance.id,
                task.hulpvraag_id, task.id)  # fmt: skip
    invoer = {k: v for k, v in invoer.items() if k != "csrf_token"}
    return registreer(plek, fout_van(exc), user, invoer)


def bij_start(hulpvraag_id: int | None, process_key: str, user: User | None, exc: ProcessFailed) -> Incident | None:
    """Starting an aanpak failed (rolled back; for a new hulpvraag the hulpvraag itself is gone too)."""
    definition = latest_definition(process_key)
    if hulpvraag_id is not None and db.session.get(Hulpvraag, hulpvraag_id) is None:
        hulpvraag_id = None
    plek = Plek("start", sleutel_start(hulpvraag_id, process_key), process_key,
                definition.id if definition else None, hulpvraag_id=hulpvraag_id)  # fmt: skip
    return registreer(plek, fout_van(exc), user, None)


def bij_timer(instance_id: int, exc: ProcessFailed) -> Incident | None:
    """A timer step failed (rolled back): the sweep stops retrying this case until it is repaired."""
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        return None
    fout = fout_van(exc)
    instance.error, instance.next_timer_at = fout.melding[:500], None
    plek = Plek("timer", sleutel_timer(instance.id), instance.process_key, instance.definition_id, instance.id,
                instance.hulpvraag_id)  # fmt: skip
    return registreer(plek, fout, None, None)


def bij_lvs(koppeling_id: int, referentie: str, exc: ProcessFailed, user: User | None,
            task: HumanTask | None = None, hulpvraag_id: int | None = None) -> Incident | None:  # fmt: skip
    """An LVS submission failed (rolled back). The LVS sends it again; its input is not kept here."""
    instance = task.instance if task is not None else None
    process_key = instance.process_key if instance else "hulpvraag"
    definition = instance.definition if instance else latest_definition(process_key)
    plek = Plek("lvs", sleutel_lvs(koppeling_id, referentie), process_key, definition.id if definition else None,
                instance.id if instance else None, hulpvraag_id, task.id if task else None)  # fmt: skip
    return registreer(plek, fout_van(exc), user, None)


def registreer(plek: Plek, fout: Fout, user: User | None, invoer: dict[str, Any] | None) -> Incident | None:
    """Record (or count) the incident in a transaction of its own. Never raises: the user's own
    answer matters more; a failure here is logged and None returned."""
    try:
        incident = _open_bij(plek.sleutel, fout.element)
        if incident is None:
            incident = _nieuw(plek, fout, user, invoer)
        else:
            _herhaling(incident, fout, user, invoer)
        db.session.commit()
        return incident
    except Exception:
        db.session.rollback()
        log.exception("incident could not be recorded: %s at %s", plek.sleutel, fout.element)
        return None


def _open_bij(sleutel: str, element: str) -> Incident | None:
    query = sa.select(Incident).where(Incident.sleutel == sleutel, Incident.bpmn_id == element, Incident.status == OPEN)
    return db.session.scalars(query.order_by(Incident.id).limit(1)).first()


def _nieuw(plek: Plek, fout: Fout, user: User | None, invoer: dict[str, Any] | None) -> Incident:
    incident = Incident(
        soort=plek.soort, sleutel=plek.sleutel, process_key=plek.process_key, definition_id=plek.definition_id,
        instance_id=plek.instance_id, hulpvraag_id=plek.hulpvraag_id, human_task_id=plek.human_task_id,
        bpmn_id=fout.element, melding=fout.melding, user_id=user.id if user else None, invoer=invoer,
        status=OPEN, aantal=1, laatst_op=utcnow(), notitie="",
    )  # fmt: skip
    db.session.add(incident)
    db.session.flush()
    audit_incident(user, "aanmaken", incident, f"vastgelopen bij ‘{fout.element}’ ({plek.soort})")
    _mail(incident)
    log.warning("incident %s: %s stuck at %s", incident.id, plek.sleutel, fout.element)
    return incident


def _herhaling(incident: Incident, fout: Fout, user: User | None, invoer: dict[str, Any] | None) -> None:
    """The same failure again: one more attempt, the newest message, input and user (a retry replays those)."""
    incident.aantal += 1
    incident.laatst_op, incident.melding = utcnow(), fout.melding
    if user is not None:
        incident.user_id = user.id
    if invoer is not None:
        incident.invoer = invoer
    audit_incident(user, "wijzigen", incident, f"opnieuw vastgelopen ({incident.aantal}e keer)")


def audit_incident(user: User | None, actie: str, incident: Incident, wat: str) -> None:
    """Incidents are audited on their hulpvraag (the case) with the incident's number in the detail."""
    hulpvraag = db.session.get(Hulpvraag, incident.hulpvraag_id) if incident.hulpvraag_id else None
    dossier_id, detail = (hulpvraag.dossier_id if hulpvraag else None), f"incident {incident.id}: {wat}"
    audit.record(user, actie, "hulpvraag", incident.hulpvraag_id, dossier_id=dossier_id, detail=detail)


def label(incident: Incident) -> str:
    """ "Generieke aanpak v3", or the diagram's key when the version is unknown."""
    return incident.definition.label if incident.definition is not None else incident.process_key


def _mail(incident: Incident) -> None:
    """Every active procesbeheerder: aanpak, version, element, the message without the pupil's name, a link."""
    from workflow.meldingen import link, stuur, zonder_leerling

    hulpvraag = db.session.get(Hulpvraag, incident.hulpvraag_id) if incident.hulpvraag_id else None
    melding = zonder_leerling(incident.melding, hulpvraag) if hulpvraag is not None else incident.melding
    query = sa.select(User).join(UserRol).where(UserRol.rol == Rol.PROCESBEHEERDER, User.actief.is_(True))
    for user in db.session.scalars(query.order_by(User.id)):
        if user.email:
            stuur("incident", user.email, f"Incident: {label(incident)} loopt vast bij ‘{incident.bpmn_id}’",
                  sleutel=f"incident-{incident.id}-{user.id}", user=user, hulpvraag_id=incident.hulpvraag_id,
                  aanpak=label(incident), element=incident.bpmn_id, melding=melding, h=hulpvraag,
                  soort=SOORTEN.get(incident.soort, incident.soort),
                  link=link("processen.incident", incident_id=incident.id))  # fmt: skip


# --- closing when the same step later succeeds ----------------------------------------------
def na_succes(sleutel: str, door: User | None) -> int:
    """The step at ``sleutel`` succeeded after all: its open incidents are solved (flushed, in the caller's
    transaction, so a rolled-back success closes nothing)."""
    query = sa.select(Incident).where(Incident.sleutel == sleutel, Incident.status == OPEN)
    incidenten = list(db.session.scalars(query))
    for incident in incidenten:
        incident.sluit(door, "gelukt", "De stap lukte bij een nieuwe poging.")
        audit_incident(door, "wijzigen", incident, "opgelost: de stap lukte bij een nieuwe poging")
    if incidenten:
        db.session.flush()
    return len(incidenten)


# --- reading -------------------------------------------------------------------------------------
def lijst(status: str = "") -> list[Incident]:
    """Open incidents first (newest failure first), then solved ones; ``status`` open/opgelost narrows it."""
    query = sa.select(Incident)
    if status in (OPEN, OPGELOST):
        query = query.where(Incident.status == status)
    order = (sa.case((Incident.status == OPEN, 0), else_=1), Incident.laatst_op.desc(), Incident.id.desc())
    return list(db.session.scalars(query.order_by(*order).limit(500)))


def open_incidenten() -> list[Incident]:
    return lijst(OPEN)


# --- retention: an incident goes with the case it is about ----------------------------------
def _ruim_op(hulpvraag: Hulpvraag, opruiming: Opruiming) -> None:
    instances = sa.select(ProcessInstance.id).where(ProcessInstance.hulpvraag_id == hulpvraag.id)
    statement = sa.delete(Incident).where(
        sa.or_(Incident.hulpvraag_id == hulpvraag.id, Incident.instance_id.in_(instances))
    )
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    opruiming.tel("incidenten", result.rowcount or 0)  # type: ignore[attr-defined]


registreer_opruimer("incidenten", _ruim_op)
