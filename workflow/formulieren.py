"""Formulieren (domain.md §2, §5): a budget aanpak as a first-class form with its own page and list.

A budget aanpak (schoolbudget leerling/school/wijk, budget inclusief onderwijs) becomes a
Formulier once its first task is completed (the SCP links the form). After every completed task
of that aanpak its row is brought up to date from the stored answers: soort, status, bestuur,
schooljaar, amounts, advies and besluit, which the list filters, sorts and exports on. The page
itself shows every step's answers (workflow/antwoorden.py). Who may see a Formulier: exactly who
may see its hulpvraag (``hulpvraag_filter``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from models import Formulier, Hulpvraag, HumanTask, ProcessInstance, Toekenning, User, db
from workflow import retention
from workflow.access import hulpvraag_filter
from workflow.antwoorden import Stap, stap
from workflow.budget import vastgesteld_budget
from workflow.signals import taak_afgerond

# Which aanpakken are a Formulier, and how their soort reads.
AANPAKKEN = {"schoolbudget": "Schoolbudget", "budget_inclusief": "Budget inclusief onderwijs"}
SOORTEN = (
    "Schoolbudget leerling",
    "Schoolbudget school",
    "Schoolbudget wijk",
    "Budget inclusief onderwijs",
)


def formulier_filter(user: User) -> ColumnElement[bool]:
    """SQL condition for the Formulieren ``user`` may see: those of the hulpvragen they may see."""
    return Formulier.hulpvraag_id.in_(sa.select(Hulpvraag.id).where(hulpvraag_filter(user)))


def zichtbaar(user: User, formulier_id: int) -> Formulier | None:
    query = sa.select(Formulier).where(Formulier.id == formulier_id, formulier_filter(user))
    return db.session.scalar(query)


def van_instance(instance_id: int) -> Formulier | None:
    return db.session.scalar(sa.select(Formulier).where(Formulier.instance_id == instance_id))


def van_hulpvraag(hulpvraag_id: int) -> list[Formulier]:
    query = sa.select(Formulier).where(Formulier.hulpvraag_id == hulpvraag_id).order_by(Formulier.id)
    return list(db.session.scalars(query))


# --- keeping the row up to date ----------------------------------------------------------------
def bijwerken(instance: ProcessInstance) -> Formulier | None:
    """Create or update the Formulier of a budget aanpak (flushed); None for any other aanpak."""
    if instance.process_key not in AANPAKKEN or instance.hulpvraag_id is None:
        return None
    formulier = van_instance(instance.id) or Formulier(
        instance_id=instance.id, hulpvraag_id=instance.hulpvraag_id, regeling=instance.process_key
    )
    stappen = _stappen(instance.id)
    waarden: dict[str, Any] = {}
    labels: dict[str, str] = {}
    for s in stappen:
        waarden.update({a.veld: a.ruw for a in s.antwoorden})
        labels.update({a.veld: a.waarde for a in s.antwoorden})
    formulier.soort = _soort(instance.process_key, waarden)
    formulier.status = _status(instance)
    formulier.bestuur = str(waarden.get("bestuur") or "")[:200]
    formulier.schooljaar = str(waarden.get("schooljaar") or "")[:9]
    formulier.aangevraagd_bedrag = _aangevraagd(instance, waarden)
    formulier.advies = labels.get("advies", "")[:200]
    formulier.besluit = labels.get("besluit", "")[:200]
    formulier.toegekend_bedrag = _toegekend(instance)
    db.session.add(formulier)
    db.session.flush()
    return formulier


def _stappen(instance_id: int) -> list[Stap]:
    """The steps as school staff see them: what the list shows never holds an internal field."""
    tasks = db.session.scalars(
        sa.select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.completed_by_id.is_not(None))
        .order_by(HumanTask.completed_at, HumanTask.id)
    )  # fmt: skip
    return [s for s in (stap(t, None) for t in tasks) if s is not None]


def _soort(process_key: str, waarden: dict[str, Any]) -> str:
    if process_key == "schoolbudget":
        variant = str(waarden.get("variant") or "")
        return f"Schoolbudget {variant}" if variant else "Schoolbudget"
    return AANPAKKEN[process_key]


def _status(instance: ProcessInstance) -> str:
    """Open: the step it waits for; finished: the hulpvraag's status it ended with."""
    if instance.completed and instance.hulpvraag is not None:
        return instance.hulpvraag.status[:200]
    open_titles = db.session.scalars(
        sa.select(HumanTask.titel).where(HumanTask.instance_id == instance.id, HumanTask.completed_at.is_(None))
        .order_by(HumanTask.id)
    ).all()  # fmt: skip
    return ("Wacht op: " + ", ".join(open_titles))[:200] if open_titles else "Loopt"


def _bedrag(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01")) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _aangevraagd(instance: ProcessInstance, waarden: dict[str, Any]) -> Decimal | None:
    if "aangevraagd_bedrag" in waarden:
        return _bedrag(waarden["aangevraagd_bedrag"])
    if instance.process_key == "budget_inclusief" and waarden.get("schooljaar"):
        return vastgesteld_budget(instance.hulpvraag_id or 0, str(waarden["schooljaar"])) or None
    return None


def _toegekend(instance: ProcessInstance) -> Decimal | None:
    """What this aanpak actually drew from the budget (a withdrawn award no longer counts)."""
    query = sa.select(Toekenning.bedrag).where(
        Toekenning.hulpvraag_id == instance.hulpvraag_id, Toekenning.ingetrokken_at.is_(None),
        Toekenning.created_at >= instance.created_at,
    )  # fmt: skip
    return _bedrag(db.session.scalar(query.order_by(Toekenning.id.desc()).limit(1)))


def _na_taak(task: HumanTask, **_kwargs: Any) -> None:
    bijwerken(task.instance)


taak_afgerond.connect(_na_taak)


def _ruim_op(hulpvraag: Any, opruiming: retention.Opruiming) -> None:
    result = db.session.execute(
        sa.delete(Formulier).where(Formulier.hulpvraag_id == hulpvraag.id).execution_options(synchronize_session=False)
    )
    opruiming.tel("formulieren", result.rowcount or 0)  # type: ignore[attr-defined]


retention.registreer_opruimer("formulieren", _ruim_op)
