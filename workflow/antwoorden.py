"""Ingevulde gegevens: what people submitted on the completed tasks of a case, as a reader sees it.

The answers are the ones stored on completion (``HumanTask.antwoorden``), shown with the form's
Dutch labels: a choice as its label, an amount as "€ 3.000,00", a date as "14 maart 2026", a
chosen account by name. The hulpvraag page, the Formulier page and the task page of a later step
all read them here, through the same visibility rule: a form or field the diagram marks
``"x-intern": true`` is for SWV staff (SCP, functionarissen, beheerders) only; school staff and
externs do not see it (README, "Een proces aanpassen").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import InvalidOperation
from typing import Any

import sqlalchemy as sa

from models import HumanTask, ProcessInstance, User, db
from models.user import SWV_ROLLEN, Rol
from workflow.budget import euro
from workflow.engine.forms import EMPTY_FORM, INTERN, Form, options_for, widget_for
from workflow.engine.runtime import task_form

MAANDEN = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december")  # fmt: skip


@dataclass
class Antwoord:
    veld: str
    label: str
    waarde: str
    ruw: Any = None  # the stored value, for the Formulier's own columns


@dataclass
class Stap:
    """One completed task with what its user filled in (that the reader may see)."""

    taak: HumanTask
    formulier: str
    antwoorden: list[Antwoord] = field(default_factory=list)
    bewaard: bool = True  # False: completed before answers were kept

    @property
    def per_veld(self) -> dict[str, Antwoord]:
        return {a.veld: a for a in self.antwoorden}


@dataclass
class Aanpak:
    instance: ProcessInstance
    stappen: list[Stap]


def ziet_intern(user: User | None) -> bool:
    """SWV staff and beheerders see what a diagram marks internal; school staff and externs do not.
    ``None`` asks for what anyone who may see the case sees (the Formulieren list's columns)."""
    return user is not None and bool(user.rollen & (SWV_ROLLEN | {Rol.BEHEERDER}))


def datum_lang(value: date) -> str:
    return f"{value.day} {MAANDEN[value.month - 1]} {value.year}"


# --- one value ---------------------------------------------------------------------------
def toon(form: Form, name: str, value: Any) -> str:
    """A stored answer as a reader expects it, by the field's definition."""
    prop, ui = form.properties.get(name, {}), form.ui_for(name)
    widget = widget_for(prop, ui)
    if isinstance(value, bool) or prop.get("type") == "boolean":
        return "Ja" if value else "Nee"
    labels = dict(options_for(prop))
    if str(value) in labels:
        return labels[str(value)]
    if widget == "user":
        user = db.session.get(User, int(value)) if str(value).isdigit() else None
        return user.naam if user is not None else str(value)
    if widget == "money":
        return _of_tekst(euro, value)
    if prop.get("format") == "date":
        return _of_tekst(lambda v: datum_lang(date.fromisoformat(str(v))), value)
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def _of_tekst(format_value: Any, value: Any) -> str:
    try:
        return str(format_value(value))
    except (ValueError, InvalidOperation, TypeError):
        return str(value)


# --- one task ----------------------------------------------------------------------------
def stap(task: HumanTask, user: User | None) -> Stap | None:
    """The task's answers ``user`` may see, in the form's order; None when the whole form is hidden."""
    try:
        form = task_form(task) if task.form else EMPTY_FORM
    except KeyError:  # the form file is gone from the version the case runs on
        form = EMPTY_FORM
    intern_ok = ziet_intern(user)
    if form.schema.get(INTERN) is True and not intern_ok:
        return None
    if task.antwoorden is None:
        return Stap(task, form.title or task.titel, bewaard=False)
    result = Stap(task, form.title or task.titel)
    for name in form.order():
        value = task.antwoorden.get(name)
        if value is None or value == "":
            continue
        if form.properties[name].get(INTERN) is True and not intern_ok:
            continue
        label = str(form.properties[name].get("title", name))
        result.antwoorden.append(Antwoord(name, label, toon(form, name, value), value))
    return result


def _stappen(tasks: Iterable[HumanTask], user: User) -> list[Stap]:
    return [s for s in (stap(t, user) for t in tasks) if s is not None and (s.antwoorden or not s.bewaard)]


def _afgerond(*where: Any) -> list[HumanTask]:
    query = sa.select(HumanTask).where(HumanTask.completed_by_id.is_not(None), *where)
    return list(db.session.scalars(query.order_by(HumanTask.completed_at, HumanTask.id)))


# --- what the pages ask ----------------------------------------------------------------------
def ingevulde_gegevens(hulpvraag_id: int, user: User) -> list[Aanpak]:
    """Per aanpak (intake first), every completed task's answers in the order they were given."""
    tasks = _afgerond(HumanTask.hulpvraag_id == hulpvraag_id)
    instances = {t.instance_id: t.instance for t in tasks}
    return [
        Aanpak(instances[i], stappen)
        for i in sorted(instances)
        if (stappen := _stappen([t for t in tasks if t.instance_id == i], user))
    ]


def van_aanpak(instance_id: int, user: User) -> list[Stap]:
    """The completed steps of one aanpak, oldest first (the Formulier page)."""
    return _stappen(_afgerond(HumanTask.instance_id == instance_id), user)


def eerdere_stappen(task: HumanTask, user: User) -> list[Stap]:
    """What the earlier steps of this case said, newest first (the task page, above the form)."""
    if task.hulpvraag_id is None:
        where = HumanTask.instance_id == task.instance_id
    else:
        where = HumanTask.hulpvraag_id == task.hulpvraag_id
    before = HumanTask.completed_at < task.completed_at if task.completed_at else sa.true()
    return list(reversed(_stappen(_afgerond(where, HumanTask.id != task.id, before), user)))
