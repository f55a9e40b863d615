"""Who may see which hulpvraag and do which task: the scope rules of domain.md §1 and §9.

Every list query and every task completion goes through these functions, so the rules live
in one place (the security issue grows this into the full authorization policy).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from models import Functie, Hulpvraag, HumanTask, Rol, School, User, utcnow
from models.hulpvraag import VOORLOPIGE_AANMELDING
from models.overlegronde import OVERLEGRONDE_TITEL, Deelnemer, Overlegronde
from models.user import SCHOOL_ROLLEN, SWV_ROLLEN, user_school
from workflow.engine.expressions import register_lookup_helper
from workflow.statussen import zichtbaar_voor_swv, zichtbaar_voor_swv_sql

# Lane name in a diagram -> the role whose users work its tasks.
LANE_ROLES: dict[str, str] = {
    "School": Rol.AANVRAGER,
    "Aanvrager": Rol.AANVRAGER,
    "Directeur": Rol.DIRECTEUR,
    "SCP": Rol.SCP,
    "Functionaris": Rol.FUNCTIONARIS,
    "Beheerder": Rol.BEHEERDER,
    "Procesbeheerder": Rol.PROCESBEHEERDER,
}


def _my_schools(user: User) -> Any:
    return sa.select(user_school.c.school_id).where(user_school.c.user_id == user.id)


def _coordinated_schools(user: User) -> Any:
    return sa.select(School.id).where(School.scp_id == user.id)


def hulpvraag_filter(user: User) -> ColumnElement[bool]:
    """SQL condition for the hulpvragen this user may see."""
    rollen = user.rollen
    if Rol.BEHEERDER in rollen:
        return sa.true()
    clauses: list[ColumnElement[bool]] = []
    if rollen & {Rol.AANVRAGER, Rol.DIRECTEUR}:
        clauses.append(Hulpvraag.school_id.in_(_my_schools(user)))
    voor_swv = zichtbaar_voor_swv_sql(Hulpvraag.status)  # statussen.yaml "swv: nee" (Voorlopige aanmelding)
    if Rol.SCP in rollen:
        mine = sa.or_(Hulpvraag.school_id.in_(_coordinated_schools(user)), Hulpvraag.coordinator_id == user.id)
        clauses.append(sa.and_(voor_swv, mine))
    if Rol.FUNCTIONARIS in rollen and user.functie_namen:
        passed_on = sa.select(HumanTask.hulpvraag_id).where(HumanTask.functie.in_(user.functie_namen))
        clauses.append(sa.and_(voor_swv, Hulpvraag.id.in_(passed_on)))
    return sa.or_(*clauses) if clauses else sa.false()


def visible_hulpvragen(user: User) -> sa.Select[tuple[Hulpvraag]]:
    return sa.select(Hulpvraag).where(hulpvraag_filter(user))


def task_filter(user: User) -> ColumnElement[bool]:
    """SQL condition for the open tasks this user may work on (Mijn taken)."""
    return sa.and_(HumanTask.completed_at.is_(None), task_scope(user))


def task_scope(user: User) -> ColumnElement[bool]:
    """SQL condition for the tasks (open or done) that fall to this user's roles and schools."""
    rollen = user.rollen
    clauses: list[ColumnElement[bool]] = []
    assigned_ok = sa.or_(HumanTask.assigned_user_id.is_(None), HumanTask.assigned_user_id == user.id)
    for rol in rollen & {Rol.AANVRAGER, Rol.DIRECTEUR}:
        clauses.append(sa.and_(HumanTask.rol == rol, HumanTask.school_id.in_(_my_schools(user))))
    if Rol.SCP in rollen:
        coordinated = sa.select(Hulpvraag.id).where(Hulpvraag.coordinator_id == user.id)
        clauses.append(
            sa.and_(
                HumanTask.rol == Rol.SCP,
                sa.or_(
                    HumanTask.school_id.in_(_coordinated_schools(user)),
                    HumanTask.hulpvraag_id.in_(coordinated),
                ),
            )
        )
    if Rol.FUNCTIONARIS in rollen and user.functie_namen:
        clauses.append(sa.and_(HumanTask.rol == Rol.FUNCTIONARIS, HumanTask.functie.in_(user.functie_namen)))
    for rol in rollen & {Rol.BEHEERDER, Rol.PROCESBEHEERDER}:
        clauses.append(HumanTask.rol == rol)
    if not clauses:
        return sa.false()
    return sa.and_(assigned_ok, sa.or_(*clauses))


def may_do_task(user: User, task: HumanTask) -> bool:
    """Whether this task falls to ``user`` (open-ness and claims are checked by the caller)."""
    from models import db

    query = sa.select(HumanTask.id).where(HumanTask.id == task.id, task_scope(user))
    return db.session.scalar(query) is not None


def may_see_hulpvraag(user: User, hulpvraag_id: int) -> bool:
    from models import db

    query = sa.select(Hulpvraag.id).where(Hulpvraag.id == hulpvraag_id, hulpvraag_filter(user))
    return db.session.scalar(query) is not None


def task_candidates(task: HumanTask) -> list[User]:
    """The active users who may work on this task: shown on the hulpvraag page."""
    if task.assigned_user_id is not None:
        users = [task.assigned_user] if task.assigned_user else []
        return [u for u in users if u.actief]
    return eligible_users(task)


def eligible_users(task: HumanTask) -> list[User]:
    """The active users the task's rol, functie and school allow, whoever it is assigned to now
    (a beheerder reassigns among them: workflow/taken_toewijzing.py)."""
    from models import UserRol, db

    query = sa.select(User).join(UserRol).where(UserRol.rol == task.rol, User.actief.is_(True))
    if task.rol in (Rol.AANVRAGER, Rol.DIRECTEUR):
        query = query.where(
            User.id.in_(sa.select(user_school.c.user_id).where(user_school.c.school_id == task.school_id))
        )
    elif task.rol == Rol.SCP:
        school_scp = sa.select(School.scp_id).where(School.id == task.school_id)
        coordinator = sa.select(Hulpvraag.coordinator_id).where(Hulpvraag.id == task.hulpvraag_id)
        query = query.where(sa.or_(User.id.in_(school_scp), User.id.in_(coordinator)))
    elif task.rol == Rol.FUNCTIONARIS:
        query = query.where(User.functies.any(sa.and_(Functie.naam == task.functie, Functie.actief.is_(True))))
    return list(db.session.scalars(query.order_by(User.naam)))


def dossier_filter(user: User) -> ColumnElement[bool]:
    """SQL condition for the dossiers this user may see: school staff of the dossier's school,
    anyone who may see one of its hulpvragen, and beheerders."""
    from models import Dossier

    if Rol.BEHEERDER in user.rollen:
        return sa.true()
    clauses: list[ColumnElement[bool]] = [
        Dossier.id.in_(sa.select(Hulpvraag.dossier_id).where(hulpvraag_filter(user)))
    ]
    if user.rollen & {Rol.AANVRAGER, Rol.DIRECTEUR}:
        clauses.append(Dossier.school_id.in_(_my_schools(user)))
    return sa.or_(*clauses)


def may_edit_dossier(user: User, school_id: int) -> bool:
    """Basisgegevens, adressen and schoolgegevens: the school's own staff and beheerders."""
    return Rol.BEHEERDER in user.rollen or (
        bool(user.rollen & {Rol.AANVRAGER, Rol.DIRECTEUR}) and school_id in user.school_ids
    )


def may_edit_contact(user: User, hulpvraag: Hulpvraag) -> bool:
    """Contactpersoon details: the school's staff, its SCP (coordinator) and beheerders."""
    if Rol.BEHEERDER in user.rollen:
        return True
    if user.rollen & {Rol.AANVRAGER, Rol.DIRECTEUR} and hulpvraag.school_id in user.school_ids:
        return True
    mine = hulpvraag.coordinator_id == user.id or hulpvraag.school.scp_id == user.id
    return Rol.SCP in user.rollen and mine and zichtbaar_voor_swv(hulpvraag.status)


# --- procesbeheerders and stuck cases (issue 12) ----------------------------------------------
# Why: a procesbeheerder is not SWV case staff, so hulpvraag_filter shows them no hulpvraag. When
# the engine cannot move a case on (an incident, workflow/incidenten.py), it is their diagram that
# must be repaired, and for that they need to see where the case stands: need-to-know, limited to
# the hulpvragen with an incident that is open or was closed less than INCIDENT_INZAGE_DAGEN ago.
# What: read-only, only on the incident's case page (web/processen/incidenten.py): aanvraagnummer,
# title, school and status, the status history (reasons without the pupil's name), and each aanpak
# with its diagram, open and completed tasks. Not the dossier (name, birth date, addresses,
# parents), not the omschrijving or contact details, not the bijlagen (neither names nor contents),
# not the data typed into tasks. Every opening is audited like any other read of a dossier.
# This grant deliberately stays outside hulpvraag_filter: lists, the hulpvraag and dossier pages,
# downloads and mails do not widen with it.
INCIDENT_INZAGE_DAGEN = 7


def incident_hulpvragen(user: User, now: datetime | None = None) -> Any:
    """SELECT of the hulpvraag ids ``user`` may inspect read-only because of an incident."""
    from models import Incident

    if Rol.PROCESBEHEERDER not in user.rollen:
        return sa.select(Incident.hulpvraag_id).where(sa.false())
    sinds = (now or utcnow()) - timedelta(days=INCIDENT_INZAGE_DAGEN)
    recent = sa.or_(Incident.status == "open", Incident.opgelost_op >= sinds)
    return sa.select(Incident.hulpvraag_id).where(Incident.hulpvraag_id.is_not(None), recent)


def may_inspect_hulpvraag(user: User, hulpvraag_id: int, now: datetime | None = None) -> bool:
    """Whether a procesbeheerder may open this hulpvraag's case page (see the comment above)."""
    from models import db

    mogelijk = incident_hulpvragen(user, now)
    query = sa.select(Hulpvraag.id).where(Hulpvraag.id == hulpvraag_id, Hulpvraag.id.in_(mogelijk))
    return db.session.scalar(query) is not None


# --- overlegronde (domain.md §5, §9; verification S4) ---------------------------------------
# Deelnemers see the round's dossier, bijlagen and reacties only while the deadline lies ahead
# and the hulpvraag is still a voorlopige aanmelding. Every check compares with the stored
# deadline itself, so a session opened (or a download link fetched) before it stops working at
# that moment; the diagram's timer only records the closing. SWV staff never see a round.
def nu() -> datetime:
    """The moment access checks compare with (tests freeze it)."""
    return utcnow()


def _lopend(now: datetime) -> ColumnElement[bool]:
    return sa.and_(Overlegronde.deadline > now, Overlegronde.gesloten_at.is_(None))


def deelnemer_hulpvragen(user: User, now: datetime | None = None) -> Any:
    """SELECT of the hulpvraag ids ``user`` may see now as a deelnemer of a running round."""
    if user.rollen & SWV_ROLLEN:
        return sa.select(Overlegronde.hulpvraag_id).where(sa.false())
    return (
        sa.select(Overlegronde.hulpvraag_id)
        .join(Deelnemer, Deelnemer.overlegronde_id == Overlegronde.id)
        .join(Hulpvraag, Hulpvraag.id == Overlegronde.hulpvraag_id)
        .where(Deelnemer.user_id == user.id, Hulpvraag.status == VOORLOPIGE_AANMELDING, _lopend(now or nu()))
    )


def overlegronde_deelnemer(user: User, ronde: Overlegronde, now: datetime | None = None) -> bool:
    """Whether ``user`` takes part in this round and may see it at ``now``."""
    from models import db

    query = deelnemer_hulpvragen(user, now).where(Overlegronde.id == ronde.id)
    return db.session.scalar(query) is not None


def is_school_van(user: User, hulpvraag: Hulpvraag) -> bool:
    """School staff of the hulpvraag's own school."""
    return bool(user.rollen & SCHOOL_ROLLEN) and hulpvraag.school_id in user.school_ids


def may_start_overlegronde(user: User, hulpvraag: Hulpvraag) -> bool:
    """Only for 'Informatieuitwisseling overig' in Voorlopige aanmelding, by the school's own staff."""
    return (
        hulpvraag.titel == OVERLEGRONDE_TITEL and hulpvraag.status == VOORLOPIGE_AANMELDING
        and is_school_van(user, hulpvraag)
    )  # fmt: skip


def may_see_overlegronde(user: User, ronde: Overlegronde, now: datetime | None = None) -> bool:
    """The school's own staff and beheerders always; deelnemers until the deadline; SWV staff never."""
    if Rol.BEHEERDER in user.rollen or is_school_van(user, ronde.hulpvraag):
        return True
    return overlegronde_deelnemer(user, ronde, now)


def may_react(user: User, ronde: Overlegronde, now: datetime | None = None) -> bool:
    if is_school_van(user, ronde.hulpvraag):
        return ronde.deadline > (now or nu())
    return overlegronde_deelnemer(user, ronde, now)


def overlegronde_filter(user: User, now: datetime | None = None) -> ColumnElement[bool]:
    """SQL condition for the rounds ``user`` may see (see may_see_overlegronde)."""
    if Rol.BEHEERDER in user.rollen:
        return sa.true()
    clauses: list[ColumnElement[bool]] = []
    if user.rollen & SCHOOL_ROLLEN:
        own = sa.select(Hulpvraag.id).where(Hulpvraag.school_id.in_(_my_schools(user)))
        clauses.append(Overlegronde.hulpvraag_id.in_(own))
    mine = sa.select(Deelnemer.overlegronde_id).where(Deelnemer.user_id == user.id)
    clauses.append(sa.and_(Overlegronde.id.in_(mine), Overlegronde.hulpvraag_id.in_(deelnemer_hulpvragen(user, now))))
    return sa.or_(*clauses)


def _nieuwste_ronde(hulpvraag_id: int) -> Overlegronde | None:
    from models import db

    query = sa.select(Overlegronde).where(Overlegronde.hulpvraag_id == hulpvraag_id)
    return db.session.scalars(query.order_by(Overlegronde.id.desc()).limit(1)).first()


def overlegronde_deadline(hulpvraag_id: int) -> str:
    """For the diagram's timer: the deadline of the hulpvraag's newest round (ISO, UTC)."""
    ronde = _nieuwste_ronde(int(hulpvraag_id))
    if ronde is None:
        raise LookupError("deze hulpvraag heeft geen overlegronde")
    return ronde.deadline.isoformat()


def overlegronde_verlengd(hulpvraag_id: int) -> bool:
    """For the diagram, when its timer went off: has the school moved the deadline meanwhile?"""
    ronde = _nieuwste_ronde(int(hulpvraag_id))
    return ronde is not None and ronde.deadline > nu()


def overlegronde_sluiten(hulpvraag_id: int) -> None:
    """For the diagram: record that the newest round closed (access already ended at the deadline)."""
    ronde = _nieuwste_ronde(int(hulpvraag_id))
    if ronde is not None and ronde.gesloten_at is None:
        ronde.gesloten_at = nu()


register_lookup_helper("overlegronde_deadline", overlegronde_deadline)
register_lookup_helper("overlegronde_verlengd", overlegronde_verlengd)
register_lookup_helper("overlegronde_sluiten", overlegronde_sluiten)
