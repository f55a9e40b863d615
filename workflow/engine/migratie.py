"""Moving running cases to another version of their diagram: a preview, one case, many at once.

When a case can move, and how it is moved, is in ``migratie_plan`` (rules 1-6 in its
docstring); this module reads and writes the database. A moved case keeps its id, its history
(completed tasks, Statuswijziging rows, completed HumanTask rows) and its open HumanTask rows:
the engine keeps the ids of open tasks, so claims and deadlines stay. Only what a row mirrors
of the element (name, instruction, form, lane, functie) is brought in line with the new
version; when the task went to another role or functie its claim is released, because the
claimer may no longer do it and would block those who may.

``migreer_zaak`` flushes but never commits, like every use case here (roll back when it raises
after a change: only a concurrent change of the same case does that). ``migreer`` moves many
cases in one action and commits **each case in its own transaction**: a refused or failing
case is rolled back alone, row locks are held for one case at a time, and an interruption
halfway leaves every case either moved (with its audit entry) or untouched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.exc import NoResultFound

from models import Hulpvraag, HumanTask, ProcessDefinition, ProcessInstance, User, db
from workflow import audit
from workflow.engine.definitions import latest_definition, parsed_spec
from workflow.engine.migratie_plan import Doel, Overgang, Plan, plan, verschil
from workflow.engine.run import Run
from workflow.engine.runtime import ProcessFailed, TaskAlreadyDone, _load, _lock, _new_human_task, _persist

log = logging.getLogger(__name__)
# What a HumanTask row copies from its element; the rest (claim, deadline, assignment) stays.
GESPIEGELD = ("bpmn_id", "titel", "instructie", "lane", "rol", "functie", "form")


class MigratieGeweigerd(Exception):
    """This case cannot move (the Dutch message says why); nothing was changed."""


class OngeldigeKeuze(ValueError):
    """The chosen versions cannot be used for a migration (the Dutch message says why)."""


@dataclass
class Voorbeeld:
    """One running case in the preview: can it move, why not, and what its open tasks become."""

    instance_id: int
    aanvraagnummer: str
    titel: str
    kan: bool
    redenen: list[str] = field(default_factory=list)
    opmerkingen: list[str] = field(default_factory=list)
    taken: list[Overgang] = field(default_factory=list)


@dataclass(frozen=True)
class Resultaat:
    """One case after ``migreer``: moved, or not and why."""

    instance_id: int
    aanvraagnummer: str
    titel: str
    verplaatst: bool
    reden: str = ""


# --- choosing versions ---------------------------------------------------------------------
def controleer_paar(van: ProcessDefinition, naar: ProcessDefinition) -> None:
    if van.process_key != naar.process_key:
        raise OngeldigeKeuze("De twee versies horen bij verschillende aanpakken; kies twee versies van één aanpak.")
    if van.id == naar.id:
        raise OngeldigeKeuze(f"Van- en naar-versie zijn allebei {van.versie}; kies twee verschillende versies.")


def versie(process_key: str, nummer: int | str | None) -> ProcessDefinition:
    """Version ``nummer`` (1, "2", "v3") of an aanpak; OngeldigeKeuze when there is none."""
    text = str(nummer or "").strip().lower().removeprefix("v")
    found = None
    if text.isdigit():
        found = db.session.scalar(sa.select(ProcessDefinition).filter_by(process_key=process_key, nummer=int(text)))
    if found is None:
        raise OngeldigeKeuze(f"Versie ‘{nummer or ''}’ van aanpak ‘{process_key}’ bestaat niet.")
    return found


def kies_versies(process_key: str, van_nummer: int | str, naar_nummer: int | str | None) -> tuple[
    ProcessDefinition, ProcessDefinition
]:
    """The pair to migrate between; without ``naar_nummer`` the live version."""
    van = versie(process_key, van_nummer)
    naar = versie(process_key, naar_nummer) if naar_nummer else latest_definition(process_key)
    assert naar is not None  # van exists, so the aanpak has a live version
    controleer_paar(van, naar)
    return van, naar


def aanpakken() -> list[tuple[str, str]]:
    """(process_key, name of the live version) of every published aanpak, by name."""
    keys = db.session.scalars(sa.select(ProcessDefinition.process_key).distinct())
    live = [latest_definition(key) for key in keys]
    return sorted(((d.process_key, d.naam) for d in live if d is not None), key=lambda pair: pair[1].lower())


def lopende_zaken_per_versie(process_key: str) -> list[tuple[ProcessDefinition, int]]:
    """Every version of an aanpak with its number of running cases, newest first."""
    running = (
        sa.select(sa.func.count(ProcessInstance.id))
        .where(ProcessInstance.definition_id == ProcessDefinition.id, ProcessInstance.completed.is_(False))
        .scalar_subquery()
    )
    query = (
        sa.select(ProcessDefinition, running)
        .where(ProcessDefinition.process_key == process_key)
        .order_by(ProcessDefinition.nummer.desc())
    )
    return [(definition, count) for definition, count in db.session.execute(query).all()]


def doel(van: ProcessDefinition, naar: ProcessDefinition) -> Doel:
    """What every case of ``van`` is moved against: computed once per pair of versions."""
    old_spec, _old_subs = parsed_spec(van)
    spec, subs = parsed_spec(naar)
    return Doel(spec, subs, naar.spec, verschil(old_spec, spec))


# --- the preview ---------------------------------------------------------------------------
def wijzigingen(van: ProcessDefinition, naar: ProcessDefinition) -> list[str]:
    """What differs between the two diagrams, as Dutch lines (elements added, removed, changed)."""
    controleer_paar(van, naar)
    return doel(van, naar).verschil.regels()


def voorbeeld(van: ProcessDefinition, naar: ProcessDefinition) -> list[Voorbeeld]:
    """Every running case on ``van``: can it move to ``naar`` (tried in memory), and what its tasks become."""
    controleer_paar(van, naar)
    target = doel(van, naar)
    return [_voorbeeld(instance, nummer, titel, target) for instance, nummer, titel in _zaken(van)]


def _voorbeeld(instance: ProcessInstance, nummer: str, titel: str, target: Doel) -> Voorbeeld:
    try:
        result = plan(_load(instance), target)
    except Exception as exc:  # noqa: BLE001 - a case that does not load cannot move; the rest goes on
        log.warning("migration preview: instance %s does not load: %s", instance.id, type(exc).__name__)
        return Voorbeeld(instance.id, nummer, titel, False, ["De zaak laat zich niet laden op haar huidige versie."])
    return Voorbeeld(instance.id, nummer, titel, result.kan, result.redenen, result.opmerkingen, result.overgangen)


def _zaken(van: ProcessDefinition, ids: list[int] | None = None) -> list[tuple[ProcessInstance, str, str]]:
    """The running cases on ``van`` (or those of ``ids``), with the hulpvraag's number and title."""
    query = (
        sa.select(ProcessInstance, Hulpvraag.aanvraagnummer, Hulpvraag.titel)
        .outerjoin(Hulpvraag, Hulpvraag.id == ProcessInstance.hulpvraag_id)
        .order_by(ProcessInstance.id)
    )
    if ids is None:
        query = query.where(ProcessInstance.definition_id == van.id, ProcessInstance.completed.is_(False))
    else:
        query = query.where(ProcessInstance.id.in_(ids))
    rows = db.session.execute(query).all()
    return [(i, nummer or f"zaak {i.id}", titel or "") for i, nummer, titel in rows]


# --- moving ----------------------------------------------------------------------------------
def migreer_zaak(instance: ProcessInstance, naar: ProcessDefinition, user: User | None) -> None:
    """Move one case to ``naar`` (flushed, audited, not committed); MigratieGeweigerd when it cannot."""
    locked = _lock(instance.id)
    if locked.process_key != naar.process_key:
        raise MigratieGeweigerd("De zaak hoort bij een andere aanpak dan de gekozen versie.")
    if locked.definition_id == naar.id:
        raise MigratieGeweigerd(f"De zaak staat al op {naar.versie}.")
    _verplaats(locked, locked.definition, naar, doel(locked.definition, naar), user)


def _verplaats(instance: ProcessInstance, van: ProcessDefinition, naar: ProcessDefinition, target: Doel,
               user: User | None) -> None:  # fmt: skip
    if instance.completed:
        raise MigratieGeweigerd("De zaak is al afgerond.")
    try:
        run = _load(instance)
    except Exception as exc:  # noqa: BLE001 - refused, with the reason
        raise MigratieGeweigerd("De zaak laat zich niet laden op haar huidige versie.") from exc
    result = plan(run, target)
    if not result.kan or result.run is None:
        raise MigratieGeweigerd(" ".join(result.redenen))
    rows = _nieuwe_spiegels(instance, result.run, result)  # before any change: it may refuse
    instance.definition_id, instance.definition = naar.id, naar
    try:
        _persist(instance, result.run, user)
    except TaskAlreadyDone as exc:  # the version check: someone completed a task meanwhile
        raise MigratieGeweigerd("De zaak is intussen gewijzigd; bekijk het voorbeeld opnieuw.") from exc
    _werk_rijen_bij(rows)
    hulpvraag = instance.hulpvraag
    audit.record(
        user, "wijzigen", "hulpvraag", instance.hulpvraag_id, dossier_id=hulpvraag.dossier_id if hulpvraag else None,
        detail=f"{van.naam}: zaak {instance.id} verplaatst van {van.versie} naar {naar.versie}",
    )  # fmt: skip
    log.info("migrated instance %s from %s to %s", instance.id, van.versie, naar.versie)


def _nieuwe_spiegels(instance: ProcessInstance, run: Run, result: Plan) -> list[tuple[HumanTask, HumanTask]]:
    """(open row, what it mirrors on the new version) for each open user task whose element changed."""
    open_rows = db.session.scalars(
        sa.select(HumanTask).where(
            HumanTask.instance_id == instance.id,
            HumanTask.completed_at.is_(None),
            HumanTask.task_id.in_(result.gewijzigde_taken),
        )
    ).all()
    ready = {str(t.id): t for t in run.ready_user_tasks()}
    pairs = []
    for row in open_rows:
        try:
            pairs.append((row, _new_human_task(instance, ready[row.task_id])))
        except ProcessFailed as exc:  # the new instruction or functie expression fails
            raise MigratieGeweigerd(f"De nieuwe versie van de open taak ‘{row.titel}’ werkt niet: {exc}") from exc
    return pairs


def _werk_rijen_bij(pairs: list[tuple[HumanTask, HumanTask]]) -> None:
    for row, mirror in pairs:
        if (row.rol, row.functie) != (mirror.rol, mirror.functie):
            row.claimed_by_id = None  # another role or functie: the claimer may no longer do it
        for name in GESPIEGELD:
            setattr(row, name, getattr(mirror, name))
    db.session.flush()


def migreer(
    van: ProcessDefinition, naar: ProcessDefinition, instance_ids: list[int] | None, user: User | None
) -> list[Resultaat]:
    """Move the cases of ``instance_ids`` (None: every running case of ``van``), each committed on its own."""
    controleer_paar(van, naar)
    target = doel(van, naar)
    van_id, van_versie = van.id, van.versie
    cases = {i.id: (nummer, titel) for i, nummer, titel in _zaken(van, instance_ids)}
    ids = instance_ids if instance_ids is not None else list(cases)
    results = []
    for instance_id in dict.fromkeys(ids):
        nummer, titel = cases.get(instance_id, (f"zaak {instance_id}", ""))
        reden = _een_zaak(instance_id, van_id, van_versie, naar, target, user)
        results.append(Resultaat(instance_id, nummer, titel, reden is None, reden or ""))
    return results


def _een_zaak(instance_id: int, van_id: int, van_versie: str, naar: ProcessDefinition, target: Doel,
              user: User | None) -> str | None:  # fmt: skip
    """Move one case in its own transaction; the reason when it was not moved."""
    try:
        instance = _lock(instance_id)
        if instance.definition_id != van_id:
            raise MigratieGeweigerd(f"De zaak staat niet (meer) op {van_versie}.")
        _verplaats(instance, instance.definition, naar, target, user)
        db.session.commit()
        return None
    except MigratieGeweigerd as exc:
        db.session.rollback()
        return str(exc)
    except NoResultFound:
        db.session.rollback()
        return "Deze zaak bestaat niet."
    except Exception:  # noqa: BLE001 - one case failing must not stop the others; logged in full
        db.session.rollback()
        log.exception("migration of instance %s failed", instance_id)
        return "Onverwachte fout; de zaak is niet verplaatst (zie het log)."


# --- the command line -------------------------------------------------------------------------
def migreer_cli(process_key: str, van_nummer: int | str, naar_nummer: int | str | None, dry_run: bool,
                user: User | None = None) -> list[str]:  # fmt: skip
    """Printable Dutch lines for ``flask bpmn migrate``; OngeldigeKeuze for an unusable choice."""
    van, naar = kies_versies(process_key, van_nummer, naar_nummer)
    kop = f"{van.naam}: {van.versie} → {naar.versie}"
    if dry_run:
        rows = voorbeeld(van, naar)
        movable = sum(r.kan for r in rows)
        lines = [f"{kop} (proefdraai, er verandert niets): {movable} van {len(rows)} lopende zaken kunnen mee."]
        for row in rows:
            what = "kan mee" if row.kan else "kan niet mee: " + " ".join(row.redenen)
            lines.append(f"  {row.aanvraagnummer} {row.titel}: {what}")
        return lines
    results = migreer(van, naar, None, user)
    moved = sum(r.verplaatst for r in results)
    lines = [f"{kop}: {moved} van {len(results)} lopende zaken verplaatst."]
    for r in results:
        what = "verplaatst" if r.verplaatst else f"niet verplaatst: {r.reden}"
        lines.append(f"  {r.aanvraagnummer} {r.titel}: {what}")
    return lines
