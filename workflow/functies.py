"""The list of functies (orthopedagoog, financiën, …): what diagrams name and accounts have.

A task's functie (``HumanTask.functie``) is the name as the diagram writes it, and an account
may do it when one of its active functies has that name (workflow/access.py). So a name is
load-bearing: renaming a functie that a live diagram or an open task uses is refused (the
tasks would fall to nobody, the diagram would no longer pass ``bpmn check``); so is switching
it off. The description can always change. A new installation starts with the standard list
(``models.functie.STANDAARD_FUNCTIES``): the migration inserts it, the demo seeds it, and the
check treats an empty table (a database made without the migrations) as that list.

Every change is audited; like every use case here these functions flush and never commit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from models import Functie, HumanTask, ProcessDefinition, User, db
from models.functie import STANDAARD_FUNCTIES, user_functie
from workflow import audit
from workflow.engine.check_functies import functie_gebruik_in

MAX_NAAM = 80
MAX_OMSCHRIJVING = 500


class FunctieOngeldig(Exception):
    """A change the list refuses; ``str()`` is the Dutch message."""


@dataclass
class Gebruik:
    """Where one functie is used: live diagrams (aanpak labels), open tasks, accounts."""

    diagrammen: list[str] = field(default_factory=list)
    open_taken: int = 0
    accounts: int = 0

    @property
    def in_processen(self) -> bool:
        return bool(self.diagrammen or self.open_taken)

    def beschrijving(self) -> str:
        delen = []
        if self.diagrammen:
            delen.append("de gepubliceerde aanpak " + ", ".join(self.diagrammen))
        if self.open_taken:
            delen.append(f"{self.open_taken} open {'taak' if self.open_taken == 1 else 'taken'}")
        return " en ".join(delen)


# --- reading ------------------------------------------------------------------------------
def functies(alleen_actief: bool = False) -> list[Functie]:
    """The list by name."""
    query = sa.select(Functie).order_by(sa.func.lower(Functie.naam))
    if alleen_actief:
        query = query.where(Functie.actief.is_(True))
    return list(db.session.scalars(query))


def bekende_functies() -> frozenset[str]:
    """The active names, the vocabulary ``bpmn check`` and the publish gate check diagrams against
    (an empty table counts as the standard list, which the migration inserts)."""
    namen = db.session.execute(sa.select(Functie.naam, Functie.actief)).all()
    if not namen:
        return frozenset(STANDAARD_FUNCTIES)
    return frozenset(naam for naam, actief in namen if actief)


def functie_met_naam(naam: str, swv_id: int | None = None) -> Functie:
    """The functie with this name, created (active) when the list lacks it (seed, tests)."""
    functie = db.session.scalar(sa.select(Functie).where(Functie.naam == naam))
    if functie is None:
        functie = Functie(swv_id=swv_id, naam=naam, omschrijving="", actief=True)
        db.session.add(functie)
        db.session.flush()
    elif functie.swv_id is None and swv_id is not None:
        functie.swv_id = swv_id
    return functie


def live_diagrammen() -> list[ProcessDefinition]:
    """The live (newest) version of every aanpak."""
    nummer = sa.func.max(ProcessDefinition.nummer).label("nummer")
    live = sa.select(ProcessDefinition.process_key, nummer).group_by(ProcessDefinition.process_key).subquery()
    query = sa.select(ProcessDefinition).join(
        live, sa.and_(live.c.process_key == ProcessDefinition.process_key, live.c.nummer == ProcessDefinition.nummer)
    )
    return list(db.session.scalars(query.order_by(ProcessDefinition.process_key)))


def functies_in(definition: ProcessDefinition) -> set[str]:
    """The functies one published version names (its tasks and its forms' choices)."""
    forms: Mapping[str, Any] = definition.forms or {}

    def lees(naam: str) -> str | None:
        return json.dumps(forms[naam], ensure_ascii=False, indent=2) if naam in forms else None

    return {g.naam for g in functie_gebruik_in(definition.bpmn_xml, lees)}


def gebruik() -> dict[str, Gebruik]:
    """Per functie name: the live diagrams that name it, its open tasks and its accounts."""
    result: dict[str, Gebruik] = {}
    for definition in live_diagrammen():
        for naam in functies_in(definition):
            result.setdefault(naam, Gebruik()).diagrammen.append(definition.naam or definition.process_key)
    open_taken = sa.select(HumanTask.functie, sa.func.count(HumanTask.id)).where(
        HumanTask.completed_at.is_(None), HumanTask.functie.is_not(None)
    )
    for naam, aantal in db.session.execute(open_taken.group_by(HumanTask.functie)):
        result.setdefault(naam, Gebruik()).open_taken = int(aantal)
    accounts = (
        sa.select(Functie.naam, sa.func.count(User.id))
        .join(user_functie, user_functie.c.functie_id == Functie.id)
        .join(User, User.id == user_functie.c.user_id)
        .where(User.actief.is_(True))
        .group_by(Functie.naam)
    )
    for naam, aantal in db.session.execute(accounts):
        result.setdefault(naam, Gebruik()).accounts = int(aantal)
    return result


# --- changing -----------------------------------------------------------------------------
def _schoon(naam: str | None) -> str:
    naam = " ".join((naam or "").split())
    if len(naam) < 2 or len(naam) > MAX_NAAM:
        raise FunctieOngeldig(f"Geef de functie een naam van 2 tot {MAX_NAAM} tekens.")
    if naam.startswith("="):
        raise FunctieOngeldig("Een functie begint niet met ‘=’: dat teken leest in een diagram een veld.")
    return naam


def _omschrijving(tekst: str | None) -> str:
    tekst = (tekst or "").strip()
    if len(tekst) > MAX_OMSCHRIJVING:
        raise FunctieOngeldig(f"De omschrijving is te lang: ten hoogste {MAX_OMSCHRIJVING} tekens.")
    return tekst


def _dubbel(naam: str, behalve: Functie | None = None) -> None:
    for bestaand in functies():
        if bestaand is not behalve and bestaand.naam.lower() == naam.lower():
            raise FunctieOngeldig(f"De functie ‘{bestaand.naam}’ bestaat al.")


def voeg_toe(naam: str | None, omschrijving: str | None, door: User) -> Functie:
    """A new, active functie (audited)."""
    naam = _schoon(naam)
    tekst = _omschrijving(omschrijving)
    _dubbel(naam)
    functie = Functie(swv_id=door.swv_id, naam=naam, omschrijving=tekst, actief=True)
    db.session.add(functie)
    db.session.flush()
    audit.record(door, "aanmaken", "functie", functie.id, detail=naam)
    return functie


def wijzig(functie: Functie, naam: str | None, omschrijving: str | None, door: User) -> None:
    """Rename and/or describe a functie (audited). A rename of a functie that a live diagram or an
    open task uses is refused: they name it, and would fall to nobody."""
    nieuw = _schoon(naam)
    tekst = _omschrijving(omschrijving)
    wijzigingen = []
    if nieuw != functie.naam:
        _dubbel(nieuw, behalve=functie)
        in_gebruik = gebruik().get(functie.naam)
        if in_gebruik is not None and in_gebruik.in_processen:
            raise FunctieOngeldig(
                f"‘{functie.naam}’ kan niet worden hernoemd: {in_gebruik.beschrijving()} "
                f"{'noemt' if not in_gebruik.open_taken else 'noemen'} deze naam. Laat de procesbeheerder "
                f"eerst de diagrammen aanpassen, of voeg ‘{nieuw}’ toe als nieuwe functie."
            )
        wijzigingen.append(f"naam {functie.naam} → {nieuw}")
        functie.naam = nieuw
    if tekst != functie.omschrijving:
        wijzigingen.append("omschrijving")
        functie.omschrijving = tekst
    if wijzigingen:
        db.session.flush()
        audit.record(door, "wijzigen", "functie", functie.id, detail=f"{functie.naam}: {', '.join(wijzigingen)}")


def zet_actief(functie: Functie, actief: bool, door: User) -> None:
    """Offer a functie again, or no longer (audited). Switching off a functie that a live diagram
    or an open task uses is refused; accounts keep it but cannot do its tasks while it is off."""
    if functie.actief == actief:
        return
    if not actief:
        in_gebruik = gebruik().get(functie.naam)
        if in_gebruik is not None and in_gebruik.in_processen:
            raise FunctieOngeldig(
                f"‘{functie.naam}’ kan niet worden uitgezet: {in_gebruik.beschrijving()} "
                f"{'noemt' if not in_gebruik.open_taken else 'noemen'} deze functie, en die taken "
                "zouden bij niemand terechtkomen."
            )
    functie.actief = actief
    db.session.flush()
    audit.record(door, "wijzigen", "functie", functie.id, detail=f"{functie.naam}: {'aan' if actief else 'uit'}")
