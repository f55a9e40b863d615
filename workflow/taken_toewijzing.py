"""Tasks nobody can do, tasks past their deadline, and the beheerder's reassignment (issue 14 item 3).

When a task is created (signal ``taak_aangemaakt``) and no active account may do it
(``access.task_candidates``: the lane's role, the functie, the school, a toegewezen person):

- the person whose action created it is told at once: ``niemand_melding`` wording per rol,
  functie or school, collected for the current request on ``flask.g`` (``waarschuwingen()``
  hands them to the page once the change is committed; a rolled-back change shows nothing);
- every active beheerder is mailed via the outbox (aanvraagnummer, task title, functie and a
  link; no pupil data), once per task and beheerder (the outbox key).

``/beheer/taken`` lists open tasks nobody can do and open tasks past their deadline, and lets a
beheerder give any open task to a person who may do it (``wijs_toe``): audited, the claim is
cleared, the new person is mailed. Like every use case here these functions flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import g, has_request_context

from models import Hulpvraag, HumanTask, Rol, School, User, UserRol, db, utcnow
from models.user import ROL_LABELS
from workflow import audit
from workflow.access import eligible_users, task_candidates
from workflow.meldingen import link, stuur
from workflow.signals import taak_aangemaakt

_G_KEY = "kansrijk_taak_waarschuwingen"


class ToewijzingOngeldig(Exception):
    """A reassignment that is refused; ``str()`` is the Dutch message."""


# --- who is missing -------------------------------------------------------------------------
def _rol_label(rol: str) -> str:
    try:
        return ROL_LABELS[Rol(rol)].lower()
    except ValueError:
        return rol


def wie_ontbreekt(task: HumanTask) -> str:
    """Who the task waits for, in words: "niemand met de functie leescoördinator"."""
    school = db.session.get(School, task.school_id) if task.school_id else None
    if task.assigned_user_id is not None:
        naam = task.assigned_user.naam if task.assigned_user else "een verwijderd account"
        return f"de toegewezen persoon ({naam}), en dat account is uitgeschakeld"
    if task.rol == Rol.FUNCTIONARIS and task.functie:
        return f"niemand met de functie {task.functie}"
    if task.rol == Rol.SCP:
        return f"geen schoolcontactpersoon voor {school.naam}" if school else "geen schoolcontactpersoon"
    if task.rol in (Rol.AANVRAGER, Rol.DIRECTEUR) and school is not None:
        return f"niemand met de rol {_rol_label(task.rol)} bij {school.naam}"
    return f"niemand met de rol {_rol_label(task.rol)}"


def niemand_melding(task: HumanTask) -> str:
    """What the person whose action created the task reads on the next page."""
    wie = wie_ontbreekt(task)
    if task.assigned_user_id is not None:
        return f"De taak ‘{task.titel}’ wacht op {wie}; de beheerder is gewaarschuwd."
    return f"Er is nog {wie}; de beheerder is gewaarschuwd."


def beheerders() -> list[User]:
    query = sa.select(User).join(UserRol).where(UserRol.rol == Rol.BEHEERDER, User.actief.is_(True))
    return list(db.session.scalars(query.order_by(User.naam)))


@taak_aangemaakt.connect
def _bij_nieuwe_taak(task: HumanTask, door: User | None = None) -> None:
    if task_candidates(task):
        return
    if door is not None and has_request_context():
        g.setdefault(_G_KEY, []).append(niemand_melding(task))
    h = task.hulpvraag
    nummer = h.aanvraagnummer if h is not None else None
    for beheerder in beheerders():
        if not beheerder.email:
            continue
        stuur("taak_zonder_eigenaar", beheerder.email,
              f"Taak zonder iemand die haar kan doen: {task.titel}" + (f" (hulpvraag {nummer})" if nummer else ""),
              sleutel=f"taak-zonder-eigenaar-{task.id}-{beheerder.id}", user=beheerder, hulpvraag_id=task.hulpvraag_id,
              taak=task, aanvraagnummer=nummer, wie=wie_ontbreekt(task),
              link=link("beheer.taak_toewijzen", task_id=task.id))  # fmt: skip


def waarschuwingen() -> list[str]:
    """The messages for this request's user about tasks nobody can do (each once), and forget them."""
    if not has_request_context():
        return []
    return list(dict.fromkeys(g.pop(_G_KEY, [])))


# --- the lists of /beheer/taken ---------------------------------------------------------------
@dataclass(frozen=True)
class OpenTaak:
    task: HumanTask
    kandidaten: int
    wie: str  # who it waits for, when nobody can do it

    @property
    def te_laat(self) -> bool:
        return self.task.due_at is not None and self.task.due_at < utcnow()


def _open_taken(extra: sa.ColumnElement[bool] | None = None) -> list[HumanTask]:
    query = sa.select(HumanTask).where(HumanTask.completed_at.is_(None))
    if extra is not None:
        query = query.where(extra)
    return list(db.session.scalars(query.order_by(HumanTask.created_at, HumanTask.id)))


def zonder_eigenaar() -> list[OpenTaak]:
    """Open tasks no active account can do, oldest first."""
    result = []
    for task in _open_taken():
        if not task_candidates(task):
            result.append(OpenTaak(task, 0, wie_ontbreekt(task)))
    return result


def te_laat(now: datetime | None = None) -> list[OpenTaak]:
    """Open tasks past their deadline, the most overdue first."""
    now = now or utcnow()
    rows = sorted(_open_taken(HumanTask.due_at < now), key=lambda t: (t.due_at, t.id))
    return [OpenTaak(t, len(c := task_candidates(t)), "" if c else wie_ontbreekt(t)) for t in rows]


def open_taken_van_hulpvraag(aanvraagnummer: str) -> list[OpenTaak]:
    """The open tasks of the hulpvraag with this number (a beheerder may reassign any of them)."""
    hulpvraag = db.session.scalar(sa.select(Hulpvraag).where(Hulpvraag.aanvraagnummer == aanvraagnummer.strip()))
    if hulpvraag is None:
        return []
    rows = _open_taken(HumanTask.hulpvraag_id == hulpvraag.id)
    return [OpenTaak(t, len(c := task_candidates(t)), "" if c else wie_ontbreekt(t)) for t in rows]


# --- reassignment -----------------------------------------------------------------------------
def kandidaten(task: HumanTask) -> list[User]:
    """Who the beheerder may give this task to: the active users the task's rol, functie and
    school allow, whoever it is assigned to now."""
    return eligible_users(task)


def wijs_toe(task: HumanTask, user_id: int | str | None, door: User) -> User:
    """Give an open task to one person who may do it (audited, mailed); the claim is cleared."""
    if task.completed_at is not None:
        raise ToewijzingOngeldig("Deze taak is al afgehandeld; toewijzen kan alleen bij een open taak.")
    try:
        nieuw = db.session.get(User, int(user_id)) if user_id not in (None, "") else None
    except (TypeError, ValueError):
        nieuw = None
    if nieuw is None:
        raise ToewijzingOngeldig("Kies de persoon aan wie u de taak toewijst.")
    if nieuw not in kandidaten(task):
        raise ToewijzingOngeldig(f"{nieuw.naam} mag deze taak niet doen: {_waarom_niet(task, nieuw)}")
    vorige = task.assigned_user.naam if task.assigned_user else None
    task.assigned_user_id, task.claimed_by_id = nieuw.id, None
    db.session.flush()
    h = task.hulpvraag
    detail = f"{task.titel}: toegewezen aan {nieuw.naam}" + (f" (was {vorige})" if vorige else "")
    audit.record(door, "wijzigen", "taak", task.id, dossier_id=h.dossier_id if h else None, detail=detail)
    if nieuw.email:
        stuur("taak_toegewezen", nieuw.email,
              f"Taak aan u toegewezen: {task.titel}" + (f" (hulpvraag {h.aanvraagnummer})" if h else ""),
              sleutel=f"taak-toegewezen-{task.id}-{nieuw.id}-{_keer_toegewezen(task)}", user=nieuw,
              hulpvraag_id=task.hulpvraag_id, taak=task, h=h, door=door,
              link=link("taken.show", task_id=task.id))  # fmt: skip
    return nieuw


def _keer_toegewezen(task: HumanTask) -> int:
    """How often the task was reassigned (the mail key: a second assignment to the same person mails again)."""
    from models import AuditEntry

    query = sa.select(sa.func.count(AuditEntry.id)).where(
        AuditEntry.object_type == "taak", AuditEntry.object_id == task.id, AuditEntry.detail.contains("toegewezen aan")
    )
    return int(db.session.scalar(query) or 0)


def _waarom_niet(task: HumanTask, user: User) -> str:
    if not user.actief:
        return "het account is uitgeschakeld."
    if not user.heeft_rol(task.rol):
        return f"de taak hoort bij de rol {_rol_label(task.rol)}."
    if task.rol == Rol.FUNCTIONARIS and task.functie and task.functie not in user.functie_namen:
        return f"de taak vraagt de functie {task.functie}."
    if task.rol == Rol.SCP:
        return "die persoon is niet de schoolcontactpersoon van deze school of hulpvraag."
    return "die persoon werkt niet voor de school van deze hulpvraag."
