"""The procesbeheerder's repair actions on an incident (issue 12): retry, back to an earlier task, skip
the failing element, stop the aanpak, migrate to a fixed version and retry.

Each action runs in its own transaction (see workflow/incidenten.py), is audited on the case, changes
a status only where the diagram does, and is refused with a Dutch reason (HerstelGeweigerd) when the
engine cannot do it safely; a refusal changes nothing. A step that fails again is rolled back and
recorded on the incident, which stays open with the new message. The engine work is in
workflow/engine/herstel.py and (for migration) workflow/engine/migratie.py.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from models import Hulpvraag, HumanTask, Incident, ProcessDefinition, ProcessInstance, User, db, utcnow
from workflow import audit
from workflow.engine import herstel
from workflow.engine.herstel import HerstelGeweigerd
from workflow.engine.runtime import (
    FormInvalid,
    NotAllowed,
    ProcessFailed,
    TaskAlreadyDone,
    TaskClaimed,
    complete_task,
    fire_timers_or_fail,
    start_process,
)
from workflow.incidenten import Fout, audit_incident, fout_van, label, na_succes

__all__ = ["HerstelGeweigerd", "migreren", "opnieuw_proberen", "overslaan", "stoppen", "terugzetten"]


# --- what the incident page offers ---------------------------------------------------------------
def nieuwere_versies(incident: Incident) -> list[ProcessDefinition]:
    """Versions of the same aanpak published after the one the case runs on: candidates to migrate to."""
    instance = incident.instance
    if instance is None or instance.completed:
        return []
    query = sa.select(ProcessDefinition).where(
        ProcessDefinition.process_key == instance.process_key, ProcessDefinition.id > instance.definition_id
    )
    return list(db.session.scalars(query.order_by(ProcessDefinition.id.desc())))


def terugzetpunten(incident: Incident) -> list[HumanTask]:
    instance = incident.instance
    return herstel.terugzetpunten(instance) if instance is not None and incident.is_open else []


def overslaan_geweigerd(incident: Incident) -> str | None:
    """Why the failing element cannot be skipped here, or None."""
    if incident.soort not in ("taak", "timer") or incident.instance is None:
        return "Overslaan kan alleen bij een lopende aanpak die vastliep bij een taak of een timer."
    return herstel.overslaan_geweigerd(incident.instance.definition, incident.bpmn_id)


# --- the procesbeheerder's actions ------------------------------------------------------------
def opnieuw_proberen(incident_id: int, door: User) -> str:
    """Re-run the failed step: the completion with the stored input as the original user, the timer, the start."""
    return _actie(incident_id, door, lambda i: _herhaal(i, door, "opnieuw", ""))


def terugzetten(incident_id: int, human_task_id: int, door: User, notitie: str = "") -> str:
    def doe(incident: Incident) -> str:
        instance = _instance_van(incident)
        row = herstel.terug_naar_taak(instance.id, human_task_id, door)
        return _gesloten(incident, door, "teruggezet", notitie, f"teruggezet naar ‘{row.titel}’ ({row.bpmn_id})",
                         f"De zaak staat weer bij ‘{row.titel}’.")  # fmt: skip

    return _actie(incident_id, door, doe)


def overslaan(incident_id: int, door: User, notitie: str = "") -> str:
    def doe(incident: Incident) -> str:
        reden = overslaan_geweigerd(incident)
        if reden:
            raise HerstelGeweigerd(reden)
        if incident.soort == "timer":
            herstel.overslaan_bij_timer(_instance_van(incident).id, incident.bpmn_id)
        else:
            task, user = _taak_en_gebruiker(incident)
            herstel.overslaan_bij_taak(task.id, user, incident.invoer or {}, incident.bpmn_id)
            detail = (f"{task.titel}: afgerond, ‘{incident.bpmn_id}’ overgeslagen "
                      f"(incident {incident.id}, invoer van {user.naam})")
            audit.record(door, "taak_afronden", "taak", task.id, dossier_id=_dossier_id(incident), detail=detail)
        return _gesloten(incident, door, "overgeslagen", notitie, f"‘{incident.bpmn_id}’ overgeslagen",
                         f"‘{incident.bpmn_id}’ is overgeslagen; de zaak loopt verder.")  # fmt: skip

    return _actie(incident_id, door, doe)


def stoppen(incident_id: int, door: User, reden: str) -> str:
    reden = (reden or "").strip()

    def doe(incident: Incident) -> str:
        if len(reden) < 3:
            raise HerstelGeweigerd("Geef een reden op waarom de aanpak stopt (minstens 3 tekens).")
        kort = _kort(reden, incident)
        if incident.instance is None or incident.instance.completed:  # nothing (left) to cancel
            return _gesloten(incident, door, "gesloten", reden, f"gesloten zonder lopende aanpak: {kort}",
                             "Er loopt geen aanpak (meer); het incident is gesloten.")  # fmt: skip
        herstel.stoppen(incident.instance.id, door)
        return _gesloten(incident, door, "gestopt", reden, f"aanpak {label(incident)} gestopt: {kort}",
                         f"De aanpak {label(incident)} is gestopt.")  # fmt: skip

    return _actie(incident_id, door, doe)


def migreren(incident_id: int, definition_id: int, door: User) -> str:
    """Move the case to a fixed version (workflow/engine/migratie.py), then retry the failed step.
    The migration is committed first: when the retry fails again the case stays on the new version."""
    incident = _open_incident(incident_id)
    instance = _instance_van(incident)
    naar = db.session.get(ProcessDefinition, definition_id)
    if naar is None or naar.id not in {d.id for d in nieuwere_versies(incident)}:
        raise HerstelGeweigerd("Kies een nieuwere versie van dezelfde aanpak.")
    van = instance.definition.versie
    _migreer(instance, naar, door)
    audit_incident(door, "wijzigen", incident, f"gemigreerd van {van} naar {naar.versie}")
    incident.definition_id = naar.id
    db.session.commit()
    if incident.soort == "lvs":
        return f"De zaak is gemigreerd naar {naar.label}; het LVS verstuurt de aanvraag opnieuw."
    try:
        return _actie(incident_id, door, lambda i: _herhaal(i, door, "gemigreerd", f"gemigreerd naar {naar.label}"))
    except HerstelGeweigerd as exc:
        raise HerstelGeweigerd(f"De zaak is gemigreerd naar {naar.label}. {exc}") from exc


def _migreer(instance: ProcessInstance, naar: ProcessDefinition, door: User) -> None:
    try:
        from workflow.engine.migratie import MigratieGeweigerd, migreer_zaak
    except ImportError as exc:
        raise HerstelGeweigerd("Migreren naar een andere versie is in deze installatie nog niet beschikbaar.") from exc
    try:
        migreer_zaak(instance, naar, door)
    except MigratieGeweigerd as exc:
        db.session.rollback()
        raise HerstelGeweigerd(str(exc)) from exc


# --- how an action runs ---------------------------------------------------------------------------
def _actie(incident_id: int, door: User, doe: Callable[[Incident], str]) -> str:
    """Run one action in its own transaction. A refusal changes nothing; a step that fails again is
    rolled back and recorded on the incident, which stays open with the new message."""
    incident = _open_incident(incident_id)
    try:
        bericht = doe(incident)
        db.session.commit()
        return bericht
    except ProcessFailed as exc:
        db.session.rollback()
        fout = _opnieuw_mislukt(incident_id, exc, door)
        raise HerstelGeweigerd(f"De stap lukte niet: de zaak loopt opnieuw vast bij ‘{fout.element}’: {fout.melding} "
                               "Er is niets opgeslagen; het incident blijft open.") from exc  # fmt: skip
    except (HerstelGeweigerd, TaskAlreadyDone, TaskClaimed, NotAllowed, FormInvalid) as exc:
        db.session.rollback()
        raise HerstelGeweigerd(_reden(exc)) from exc


def _reden(exc: Exception) -> str:
    if isinstance(exc, TaskAlreadyDone):
        return "Deze taak is intussen al afgehandeld; de zaak staat niet meer waar het incident haar vond."
    if isinstance(exc, TaskClaimed):
        return "De taak is geclaimd door een andere gebruiker dan wie het incident veroorzaakte."
    if isinstance(exc, NotAllowed):
        return "De gebruiker van dit incident mag deze taak niet (meer) doen; laat een collega de taak afronden."
    if isinstance(exc, FormInvalid):
        velden = ", ".join(f"{k}: {v}" for k, v in sorted(exc.errors.items()))
        return (f"De bewaarde invoer past niet (meer) bij het formulier ({velden}); "
                "de gebruiker moet de taak opnieuw invullen.")
    return str(exc)


def _open_incident(incident_id: int) -> Incident:
    query = sa.select(Incident).where(Incident.id == incident_id).with_for_update()
    incident = db.session.scalars(query.execution_options(populate_existing=True)).first()
    if incident is None:
        raise HerstelGeweigerd("Dit incident bestaat niet.")
    if not incident.is_open:
        raise HerstelGeweigerd("Dit incident is al opgelost.")
    return incident


def _instance_van(incident: Incident) -> ProcessInstance:
    if incident.instance is None:
        raise HerstelGeweigerd("Bij dit incident hoort geen lopende aanpak (de start mislukte); "
                               "alleen opnieuw proberen of sluiten kan.")  # fmt: skip
    return incident.instance


def _taak_en_gebruiker(incident: Incident) -> tuple[HumanTask, User]:
    """The open task to complete again (after a migration it may be a new row for the same element) and its user."""
    task = incident.human_task
    if task is not None and not task.is_open:
        query = sa.select(HumanTask).where(HumanTask.instance_id == task.instance_id, HumanTask.bpmn_id == task.bpmn_id,
                                           HumanTask.completed_at.is_(None))  # fmt: skip
        task = db.session.scalars(query.order_by(HumanTask.id.desc())).first() or task
    if task is None:
        raise HerstelGeweigerd("De taak van dit incident bestaat niet meer.")
    if incident.user is None:
        raise HerstelGeweigerd("Niet bekend wie de taak afrondde; laat de gebruiker de taak opnieuw afronden.")
    return task, incident.user


def _herhaal(incident: Incident, door: User, oplossing: str, notitie: str) -> str:
    if incident.soort == "lvs":
        raise HerstelGeweigerd("Een aanvraag uit het LVS wordt hier niet bewaard: het LVS verstuurt haar opnieuw, "
                               "en zodra dat lukt wordt dit incident vanzelf gesloten.")  # fmt: skip
    if incident.soort == "taak":
        task, user = _taak_en_gebruiker(incident)
        complete_task(task.id, user, incident.invoer or {})
        detail = f"{task.titel}: opnieuw geprobeerd (incident {incident.id}, invoer van {user.naam})"
        audit.record(door, "taak_afronden", "taak", task.id, dossier_id=_dossier_id(incident), detail=detail)
    elif incident.soort == "timer":
        fire_timers_or_fail(_instance_van(incident).id, force=True)
    else:
        _herstart(incident, door)
    bericht = _gesloten(incident, door, oplossing, notitie, "opnieuw geprobeerd: gelukt", "Opnieuw proberen is gelukt.")
    na_succes(incident.sleutel, door)  # other open incidents of the same place (another element) are solved too
    return bericht


def _herstart(incident: Incident, door: User) -> None:
    hulpvraag = db.session.get(Hulpvraag, incident.hulpvraag_id) if incident.hulpvraag_id else None
    if hulpvraag is None:
        raise HerstelGeweigerd("De hulpvraag is bij deze mislukte start niet aangemaakt; de school dient haar opnieuw "
                               "in. Sluit het incident met ‘Aanpak stoppen’ als dat gelukt is.")  # fmt: skip
    start_process(hulpvraag, incident.process_key, incident.user or door)
    detail = f"aanpak {incident.process_key} gestart (opnieuw geprobeerd, incident {incident.id})"
    audit.record(door, "aanmaken", "hulpvraag", hulpvraag.id, dossier_id=hulpvraag.dossier_id, detail=detail)


def _gesloten(incident: Incident, door: User, oplossing: str, notitie: str, wat: str, bericht: str) -> str:
    if incident.is_open:
        incident.sluit(door, oplossing, notitie.strip())
    audit_incident(door, "wijzigen", incident, f"opgelost: {wat}")
    return bericht


def _opnieuw_mislukt(incident_id: int, exc: ProcessFailed, door: User) -> Fout:
    """After a failed action: the incident stays open, with the new element and message."""
    incident = db.session.get(Incident, incident_id)
    assert incident is not None
    definition = incident.instance.definition if incident.instance is not None else incident.definition
    fout = fout_van(exc)
    incident.bpmn_id, incident.melding, incident.laatst_op = fout.element, fout.melding, utcnow()
    incident.aantal += 1
    if definition is not None:
        incident.definition_id = definition.id
    audit_incident(door, "wijzigen", incident, f"herstel mislukt: opnieuw vastgelopen bij ‘{fout.element}’")
    db.session.commit()
    return fout


def _dossier_id(incident: Incident) -> int | None:
    hulpvraag = db.session.get(Hulpvraag, incident.hulpvraag_id) if incident.hulpvraag_id else None
    return hulpvraag.dossier_id if hulpvraag else None


def _kort(tekst: str, incident: Incident) -> str:
    """A reason in the audit trail: short, and without the pupil's name."""
    from workflow.meldingen import zonder_leerling

    hulpvraag = db.session.get(Hulpvraag, incident.hulpvraag_id) if incident.hulpvraag_id else None
    tekst = zonder_leerling(tekst, hulpvraag) if hulpvraag is not None else tekst
    return tekst if len(tekst) <= 100 else tekst[:99] + "…"
