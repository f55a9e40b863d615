"""Vergaderingen (issue 19): an SCP or beheerder plans an SWV meeting, puts hulpvragen on its agenda
(status In beraad, the school is mailed) and the chair records each item's outcome (Gearrangeerd
with the arrangement agreed, or another status from the small list below).

Who sees what: a meeting is seen by its members, its chair, whoever planned it and beheerders;
within it, each agenda item only by those who may see its hulpvraag (workflow/access.py). Like
every use case these flush and never commit; the web request commits once.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from models import Hulpvraag, Rol, User, UserRol, db, utcnow
from models.vergadering import SOORTEN, Agendapunt, Vergadering, VergaderingLid
from workflow import audit
from workflow.access import hulpvraag_filter
from workflow.engine.runtime import set_status
from workflow.statussen import is_eindstatus, statuslijst, zichtbaar_voor_swv

IN_BERAAD = "In beraad"
GEARRANGEERD = "Gearrangeerd"
# The outcomes a chair may record; only those the vocabulary (bpmn/statussen.yaml) knows are offered.
UITKOMSTEN = (GEARRANGEERD, "Dossier incompleet", "Wacht", "Afgewezen")
BRON = "vergadering"
PLANNERS = frozenset({Rol.SCP, Rol.BEHEERDER})
LEDEN_ROLLEN = (Rol.SCP, Rol.FUNCTIONARIS, Rol.BEHEERDER)
MAX_TEKST = 5000


class VergaderingFout(Exception):
    """Something the user can correct; ``str()`` is the Dutch message."""


# --- who may see and do what --------------------------------------------------------------
def is_planner(user: User) -> bool:
    return bool(user.rollen & PLANNERS)


def vergadering_filter(user: User) -> ColumnElement[bool]:
    """SQL condition for the meetings ``user`` takes part in (beheerders: all)."""
    if Rol.BEHEERDER in user.rollen:
        return sa.true()
    lid = sa.select(VergaderingLid.vergadering_id).where(VergaderingLid.user_id == user.id)
    return sa.or_(Vergadering.id.in_(lid), Vergadering.voorzitter_id == user.id,
                  Vergadering.aangemaakt_door_id == user.id)  # fmt: skip


def may_see_vergadering(user: User, vergadering: Vergadering) -> bool:
    query = sa.select(Vergadering.id).where(Vergadering.id == vergadering.id, vergadering_filter(user))
    return db.session.scalar(query) is not None


def may_plan(user: User, vergadering: Vergadering) -> bool:
    return is_planner(user) and may_see_vergadering(user, vergadering)


def is_voorzitter(user: User, vergadering: Vergadering) -> bool:
    return Rol.BEHEERDER in user.rollen or vergadering.voorzitter_id == user.id


def zichtbare_punten(user: User, vergadering: Vergadering) -> list[Agendapunt]:
    """The agenda items whose hulpvraag ``user`` may see, in agenda order."""
    query = (
        sa.select(Agendapunt).join(Hulpvraag, Hulpvraag.id == Agendapunt.hulpvraag_id)
        .where(Agendapunt.vergadering_id == vergadering.id, hulpvraag_filter(user)).order_by(Agendapunt.id)
    )  # fmt: skip
    return list(db.session.scalars(query))


def zichtbaar_punt(user: User, vergadering: Vergadering, punt_id: int) -> Agendapunt | None:
    return next((p for p in zichtbare_punten(user, vergadering) if p.id == punt_id), None)


def kandidaten() -> list[User]:
    """The active SWV staff and beheerders a meeting may have as chair or members."""
    ids = sa.select(UserRol.user_id).where(UserRol.rol.in_(LEDEN_ROLLEN))
    query = sa.select(User).where(User.actief.is_(True), User.id.in_(ids)).order_by(User.naam)
    return list(db.session.scalars(query))


def uitkomsten() -> list[str]:
    lijst = statuslijst()
    return [u for u in UITKOMSTEN if lijst.is_bekend(u)]


# --- planning -------------------------------------------------------------------------------
def maak_vergadering(user: User, datum: date | None, soort: str, voorzitter_id: int | None,
                     lid_ids: list[int]) -> Vergadering:  # fmt: skip
    if not is_planner(user):
        raise PermissionError("only an SCP or beheerder plans a meeting")
    if datum is None:
        raise VergaderingFout("Vul een geldige datum in (dd-mm-jjjj).")
    if soort not in SOORTEN:
        raise VergaderingFout("Kies de soort vergadering.")
    toegestaan = {u.id for u in kandidaten()}
    if voorzitter_id not in toegestaan:
        raise VergaderingFout("Kies een voorzitter uit de lijst.")
    if any(i not in toegestaan for i in lid_ids):
        raise VergaderingFout("Een gekozen lid kan niet deelnemen aan een vergadering.")
    vergadering = Vergadering(datum=datum, soort=soort, voorzitter_id=voorzitter_id, aangemaakt_door_id=user.id)
    ids = dict.fromkeys([voorzitter_id, *lid_ids])
    vergadering.leden = [VergaderingLid(user_id=i) for i in ids if i is not None]
    db.session.add(vergadering)
    db.session.flush()
    audit.record(user, "aanmaken", "vergadering", vergadering.id, detail=f"{vergadering.soort_label} {datum:%d-%m-%Y}")
    return vergadering


def agenderen(vergadering: Vergadering, user: User, aanvraagnummer: str, reden: str) -> Agendapunt:
    """Put a hulpvraag ``user`` may see on the agenda: its status becomes In beraad with ``reden``."""
    if not may_plan(user, vergadering):
        raise PermissionError("only a planner of this meeting adds agenda items")
    hulpvraag = _zichtbare_hulpvraag(user, aanvraagnummer)
    reden = _tekst(reden, "Vul de reden in waarom de hulpvraag op de agenda komt.")
    if not zichtbaar_voor_swv(hulpvraag.status):  # a beheerder sees a Voorlopige aanmelding; the SWV may not
        nummer = hulpvraag.aanvraagnummer
        raise VergaderingFout(f"Hulpvraag {nummer} is nog niet ingediend bij het samenwerkingsverband.")
    if is_eindstatus(hulpvraag.status):
        raise VergaderingFout(f"Hulpvraag {hulpvraag.aanvraagnummer} is al afgehandeld ({hulpvraag.status}).")
    if _open_punt(hulpvraag) is not None:
        raise VergaderingFout(f"Hulpvraag {hulpvraag.aanvraagnummer} staat al op een agenda zonder uitkomst.")
    punt = Agendapunt(vergadering_id=vergadering.id, hulpvraag_id=hulpvraag.id, reden=reden, geplaatst_door_id=user.id)
    db.session.add(punt)
    db.session.flush()
    set_status(hulpvraag, IN_BERAAD, reden, user, BRON)
    audit.record(user, "wijzigen", "hulpvraag", hulpvraag.id, dossier_id=hulpvraag.dossier_id,
                 detail=f"vergadering {vergadering.id}: op de agenda")  # fmt: skip
    return punt


def _zichtbare_hulpvraag(user: User, aanvraagnummer: str) -> Hulpvraag:
    nummer = aanvraagnummer.strip()
    if not nummer:
        raise VergaderingFout("Vul het aanvraagnummer van de hulpvraag in.")
    query = sa.select(Hulpvraag).where(Hulpvraag.aanvraagnummer == nummer, hulpvraag_filter(user))
    hulpvraag = db.session.scalar(query)
    if hulpvraag is None:
        raise VergaderingFout(f"Geen hulpvraag met aanvraagnummer {nummer[:20]} gevonden die u mag zien.")
    return hulpvraag


def _open_punt(hulpvraag: Hulpvraag) -> Agendapunt | None:
    query = sa.select(Agendapunt).where(Agendapunt.hulpvraag_id == hulpvraag.id, Agendapunt.uitkomst.is_(None))
    return db.session.scalars(query).first()


def _tekst(tekst: str, melding: str) -> str:
    tekst = tekst.strip()
    if not tekst:
        raise VergaderingFout(melding)
    if len(tekst) > MAX_TEKST:
        raise VergaderingFout(f"De tekst is te lang: hoogstens {MAX_TEKST} tekens.")
    return tekst


# --- at the meeting ------------------------------------------------------------------------
def leg_uitkomst_vast(punt: Agendapunt, user: User, uitkomst: str, arrangement: str) -> None:
    """The chair's outcome for one item: the hulpvraag gets that status, the text as its reason."""
    if not is_voorzitter(user, punt.vergadering):
        raise PermissionError("only the chair records an outcome")
    if punt.uitkomst is not None:
        raise VergaderingFout("De uitkomst van dit agendapunt is al vastgelegd.")
    if uitkomst not in uitkomsten():
        raise VergaderingFout("Kies een uitkomst uit de lijst.")
    nodig = "Beschrijf het afgesproken arrangement." if uitkomst == GEARRANGEERD else "Licht de uitkomst toe."
    tekst = _tekst(arrangement, nodig)
    punt.uitkomst, punt.arrangement = uitkomst, tekst
    punt.vastgelegd_door_id, punt.vastgelegd_op = user.id, utcnow()
    db.session.flush()
    hulpvraag = punt.hulpvraag
    set_status(hulpvraag, uitkomst, tekst, user, BRON)
    audit.record(user, "wijzigen", "hulpvraag", hulpvraag.id, dossier_id=hulpvraag.dossier_id,
                 detail=f"vergadering {punt.vergadering_id}: uitkomst {uitkomst}")  # fmt: skip
