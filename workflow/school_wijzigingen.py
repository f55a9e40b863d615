"""The school changes of the incumbent's FAQ (domain.md §8), each one action with a preview:
a merge, a new BRIN or vestigingscode, a new bestuur, a new name, closing (and reopening).

Every change first writes a ``SchoolHistorie`` row with what the school was called until then,
so a hulpvraag keeps showing the school it was made for ("voorheen …"). Nothing is deleted: a
merged school is closed and names the school it went into. Each change is audited; the functions
flush and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from models import Bestuur, Budget, Dossier, Hulpvraag, HumanTask, Koppeling, School, Schoolgegevens, Toekenning, User
from models.base import db, utcnow
from models.budget import REGELINGEN
from models.school import HISTORIE_SOORTEN, SchoolHistorie
from models.user import user_school
from workflow import audit
from workflow.budget import euro
from workflow.scholen import Ongeldig, bestuur_fout, brin_bezet, brin_fout, naam_fout
from workflow.statussen import eindstatus_sql

SOORTEN = {
    "naam": "Nieuwe naam",
    "brin": "Nieuwe BRIN of vestigingscode",
    "bestuur": "Nieuw bestuur",
    "samenvoegen": "Samenvoegen met een andere school",
    "sluiten": "School sluiten",
    "heropenen": "School heropenen",
}


@dataclass
class Wijziging:
    """What the beheerder typed for one change (only the fields of its soort count)."""

    naam: str = ""
    brin: str = ""
    vestigingscode: str = ""
    bestuur_id: int | None = None
    doel_id: int | None = None  # samenvoegen: the surviving school


@dataclass
class Voorbeeld:
    """What a change will do, for the page before the confirm button."""

    soort: str
    titel: str
    aantallen: dict[str, int]
    regels: list[str] = field(default_factory=list)
    waarschuwingen: list[str] = field(default_factory=list)


# --- what hangs on a school ------------------------------------------------------------------
def _tel(query: sa.Select[tuple[int]]) -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0)


def aantallen(school: School) -> dict[str, int]:
    """Dossiers, hulpvragen, open tasks, koppelingen and accounts of one school."""
    return {
        "dossiers": _tel(sa.select(Dossier.id).where(Dossier.school_id == school.id)),
        "hulpvragen": _tel(sa.select(Hulpvraag.id).where(Hulpvraag.school_id == school.id)),
        "open hulpvragen": _tel(sa.select(Hulpvraag.id).where(
            Hulpvraag.school_id == school.id, sa.not_(eindstatus_sql(Hulpvraag.status)))),
        "open taken": _tel(sa.select(HumanTask.id).where(
            HumanTask.school_id == school.id, HumanTask.completed_at.is_(None))),
        "LVS-koppelingen": _tel(sa.select(Koppeling.id).where(Koppeling.school_id == school.id)),
        "accounts": _tel(sa.select(user_school.c.user_id).where(user_school.c.school_id == school.id)),
        "budgetten": _tel(sa.select(Budget.id).where(Budget.school_id == school.id)),
    }  # fmt: skip


# --- previews --------------------------------------------------------------------------------
def voorbeeld(soort: str, school: School, invoer: Wijziging) -> Voorbeeld:
    """What ``soort`` with ``invoer`` would do; Ongeldig (Dutch, per field) when it cannot."""
    if soort not in SOORTEN:
        raise Ongeldig({"soort": "Onbekende wijziging."})
    if school.opgegaan_in_id is not None:
        raise Ongeldig({"soort": f"{school.naam} is opgegaan in een andere school en wijzigt niet meer."})
    return _VOORBEELDEN[soort](school, invoer)


def _naam_voorbeeld(school: School, invoer: Wijziging) -> Voorbeeld:
    naam = invoer.naam.strip()
    melding = naam_fout(naam) or ("Dit is al de naam van de school." if naam == school.naam else None)
    if melding:
        raise Ongeldig({"naam": melding})
    tellingen = aantallen(school)
    return Voorbeeld("naam", f"{school.naam} heet voortaan {naam}", tellingen, [
        f"{tellingen['dossiers']} dossiers en {tellingen['hulpvragen']} hulpvragen tonen de nieuwe naam; "
        f"hun geschiedenis toont dat de school tot vandaag {school.naam} heette.",
        "BRIN, bestuur, koppelingen, accounts en taken blijven zoals ze zijn.",
    ])


def _brin_voorbeeld(school: School, invoer: Wijziging) -> Voorbeeld:
    fouten = brin_fout(invoer.brin, invoer.vestigingscode)
    nieuw = f"{invoer.brin}{invoer.vestigingscode}"
    if not fouten and nieuw == school.brin6:
        fouten["brin"] = "Dit zijn al het BRIN en de vestigingscode van de school."
    if not fouten and (bestaand := brin_bezet(invoer.brin, invoer.vestigingscode, behalve=school.id)):
        fouten["brin"] = f"BRIN {nieuw} is al van {bestaand.naam}."
    if fouten:
        raise Ongeldig(fouten)
    tellingen = aantallen(school)
    return Voorbeeld("brin", f"{school.naam}: {school.brin6} wordt {nieuw}", tellingen, [
        f"{tellingen['LVS-koppelingen']} LVS-koppeling(en) blijven werken met hun verificatiecode; het LVS mag "
        f"OSO-dossiers sturen met het oude BRIN ({school.brin6}) en met het nieuwe ({nieuw}).",
        f"{tellingen['dossiers']} dossiers en {tellingen['hulpvragen']} hulpvragen blijven bij de school; "
        "hun geschiedenis toont het oude BRIN.",
    ])


def _bestuur_voorbeeld(school: School, invoer: Wijziging) -> Voorbeeld:
    melding = bestuur_fout(school.swv_id, invoer.bestuur_id)
    if melding is None and invoer.bestuur_id == school.bestuur_id:
        melding = "De school valt al onder dit bestuur."
    if melding:
        raise Ongeldig({"bestuur_id": melding})
    nieuw = db.session.get(Bestuur, invoer.bestuur_id)
    assert nieuw is not None
    tellingen = aantallen(school)
    regels = [
        f"Nieuwe budgetaanvragen van de school gaan op het budget van {nieuw.naam} (tenzij de school een eigen "
        "schoolbudget heeft). Wat al is toegekend, blijft op het budget van het oude bestuur staan.",
        f"{tellingen['dossiers']} dossiers, {tellingen['hulpvragen']} hulpvragen, koppelingen en accounts blijven "
        "bij de school.",
    ]
    return Voorbeeld("bestuur", f"{school.naam} gaat van {school.bestuur.naam} naar {nieuw.naam}", tellingen,
                     regels + _budget_regels(school, nieuw))  # fmt: skip


def _budget_regels(school: School, nieuw: Bestuur) -> list[str]:
    oud_budgetten = sa.select(Budget.id).where(Budget.bestuur_id == school.bestuur_id)
    toegekend = db.session.execute(
        sa.select(sa.func.count(Toekenning.id), sa.func.coalesce(sa.func.sum(Toekenning.bedrag), 0))
        .join(Hulpvraag, Toekenning.hulpvraag_id == Hulpvraag.id)
        .where(Toekenning.budget_id.in_(oud_budgetten), Hulpvraag.school_id == school.id,
               Toekenning.ingetrokken_at.is_(None))
    ).one()  # fmt: skip
    regels = [f"Op de budgetten van {school.bestuur.naam} staan {toegekend[0]} toekenning(en) voor deze school "
              f"({euro(toegekend[1])}); die blijven daar."]  # fmt: skip
    for budget in db.session.scalars(sa.select(Budget).where(Budget.bestuur_id == nieuw.id)
                                     .order_by(Budget.schooljaar.desc())):  # fmt: skip
        regels.append(f"{REGELINGEN.get(budget.regeling, budget.regeling)} {nieuw.naam} {budget.schooljaar}: "
                      f"{euro(budget.bedrag)}, nog {euro(budget.resterend)} beschikbaar.")  # fmt: skip
    if len(regels) == 1:
        regels.append(f"{nieuw.naam} heeft nog geen budget: stel het in onder Budgetten.")
    return regels


def doel_fout(school: School, doel: School | None) -> str | None:
    if doel is None or doel.swv_id != school.swv_id:
        return "Kies de school die blijft bestaan."
    if doel.id == school.id:
        return "Een school kan niet met zichzelf samengaan."
    if doel.is_gesloten:
        return f"{doel.naam} is gesloten; kies een open school."
    return None


def _samenvoegen_voorbeeld(school: School, invoer: Wijziging) -> Voorbeeld:
    doel = db.session.get(School, invoer.doel_id) if invoer.doel_id else None
    if melding := doel_fout(school, doel):
        raise Ongeldig({"doel_id": melding})
    assert doel is not None
    t = aantallen(school)
    regels = [
        f"{t['dossiers']} dossiers, {t['hulpvragen']} hulpvragen ({t['open hulpvragen']} open) en {t['open taken']} "
        f"open taken gaan naar {doel.naam}; de SCP van {doel.naam} ziet ze voortaan, de coördinator van een "
        "hulpvraag blijft dezelfde.",
        f"{t['LVS-koppelingen']} LVS-koppeling(en) gaan mee en blijven werken met hun verificatiecode; het LVS "
        f"mag OSO-dossiers met BRIN {school.brin6} blijven sturen.",
        f"{t['accounts']} account(s) van {school.naam} werken voortaan voor {doel.naam}.",
        f"{school.naam} wordt gesloten (niet verwijderd); hulpvragen tonen dat ze voor {school.naam} zijn gemaakt.",
    ]
    for budget in _budgetten(school):
        regels.append(_budget_samenvoegen_regel(budget, doel))
    return Voorbeeld("samenvoegen", f"{school.naam} ({school.brin6}) gaat op in {doel.naam} ({doel.brin6})", t,
                     regels)  # fmt: skip


def _budgetten(school: School) -> list[Budget]:
    return list(db.session.scalars(sa.select(Budget).where(Budget.school_id == school.id).order_by(Budget.id)))


def _dubbel_budget(budget: Budget, doel: School) -> Budget | None:
    query = sa.select(Budget).where(Budget.school_id == doel.id, Budget.regeling == budget.regeling,
                                    Budget.schooljaar == budget.schooljaar)  # fmt: skip
    return db.session.scalar(query)


def _budget_samenvoegen_regel(budget: Budget, doel: School) -> str:
    regeling = REGELINGEN.get(budget.regeling, budget.regeling)
    naam = f"Schoolbudget {regeling} {budget.schooljaar} ({euro(budget.bedrag)})"
    if (bestaand := _dubbel_budget(budget, doel)) is not None:
        return (f"{naam} wordt opgeteld bij dat van {doel.naam} ({euro(bestaand.bedrag)} → "
                f"{euro(bestaand.bedrag + budget.bedrag)}); de toekenningen gaan mee.")  # fmt: skip
    return f"{naam} gaat naar {doel.naam}."


def _sluiten_voorbeeld(school: School, invoer: Wijziging) -> Voorbeeld:
    if school.is_gesloten:
        raise Ongeldig({"soort": f"{school.naam} is al gesloten."})
    t = aantallen(school)
    return Voorbeeld("sluiten", f"{school.naam} ({school.brin6}) sluiten", t, [
        "Voor de school kunnen geen nieuwe hulpvragen meer worden gestart, niet op het web en niet via het LVS.",
        f"Alles blijft leesbaar: {t['dossiers']} dossiers en {t['hulpvragen']} hulpvragen; {t['open hulpvragen']} "
        f"open hulpvragen en {t['open taken']} open taken lopen gewoon door.",
        "De school verdwijnt uit de keuzelijsten voor nieuw werk. U kunt haar later heropenen.",
    ])


def _heropenen_voorbeeld(school: School, invoer: Wijziging) -> Voorbeeld:
    if not school.is_gesloten:
        raise Ongeldig({"soort": f"{school.naam} is niet gesloten."})
    return Voorbeeld("heropenen", f"{school.naam} ({school.brin6}) heropenen", aantallen(school), [
        "Voor de school kunnen weer nieuwe hulpvragen worden gestart.",
    ])


_VOORBEELDEN = {
    "naam": _naam_voorbeeld, "brin": _brin_voorbeeld, "bestuur": _bestuur_voorbeeld,
    "samenvoegen": _samenvoegen_voorbeeld, "sluiten": _sluiten_voorbeeld, "heropenen": _heropenen_voorbeeld,
}  # fmt: skip


# --- carrying them out -----------------------------------------------------------------------
def voer_uit(soort: str, school: School, invoer: Wijziging, door: User) -> str:
    """Carry out a change after the same checks as its preview; returns the Dutch confirmation."""
    preview = voorbeeld(soort, school, invoer)
    melding = _UITVOEREN[soort](school, invoer, door)
    audit.record(door, "wijzigen", "school", school.id, detail=f"{SOORTEN[soort]}: {preview.titel}")
    return melding


def _historie(school: School, soort: str, door: User, identiteit: School | None = None) -> SchoolHistorie:
    """A history row of ``school`` holding the name, BRIN and bestuur of ``identiteit`` (itself by default)."""
    was = identiteit or school
    rij = SchoolHistorie(
        school_id=school.id, soort=soort, naam=was.naam, brin=was.brin, vestigingscode=was.vestigingscode,
        bestuur_id=was.bestuur_id, door_id=door.id, hulpvraag_ids=[],
    )  # fmt: skip
    db.session.add(rij)
    db.session.flush()
    return rij


def _hernoem(school: School, invoer: Wijziging, door: User) -> str:
    oud = school.naam
    _historie(school, "naam", door)
    school.naam = invoer.naam.strip()
    return f"{oud} heet voortaan {school.naam}."


def _nieuwe_brin(school: School, invoer: Wijziging, door: User) -> str:
    oud = school.brin6
    _historie(school, "brin", door)
    school.brin, school.vestigingscode = invoer.brin, invoer.vestigingscode
    return f"{school.naam} heeft voortaan BRIN {school.brin6} (was {oud}); de LVS-koppelingen blijven werken."


def _nieuw_bestuur(school: School, invoer: Wijziging, door: User) -> str:
    _historie(school, "bestuur", door)
    school.bestuur_id = invoer.bestuur_id  # type: ignore[assignment]  # checked by the preview
    db.session.flush()
    db.session.refresh(school)
    return f"{school.naam} valt voortaan onder {school.bestuur.naam}."


def _sluit(school: School, invoer: Wijziging, door: User) -> str:
    _historie(school, "sluiting", door)
    school.gesloten_op = utcnow()
    return f"{school.naam} is gesloten: er kunnen geen nieuwe hulpvragen meer voor worden gestart."


def _heropen(school: School, invoer: Wijziging, door: User) -> str:
    _historie(school, "heropening", door)
    school.gesloten_op = None
    return f"{school.naam} is heropend."


def _voeg_samen(school: School, invoer: Wijziging, door: User) -> str:
    doel = db.session.get(School, invoer.doel_id)
    assert doel is not None
    hulpvragen = list(db.session.scalars(sa.select(Hulpvraag).where(Hulpvraag.school_id == school.id)))
    rij = _historie(doel, "samenvoeging", door, identiteit=school)
    rij.van_school_id, rij.hulpvraag_ids = school.id, [h.id for h in hulpvragen]
    _verhuis(school, doel)
    for hulpvraag in hulpvragen:
        audit.record(door, "wijzigen", "hulpvraag", hulpvraag.id, dossier_id=hulpvraag.dossier_id,
                     detail=f"school {school.naam} ({school.brin6}) opgegaan in {doel.naam} ({doel.brin6})")
    audit.record(door, "wijzigen", "school", doel.id, detail=f"{school.naam} ({school.brin6}) is hierin opgegaan")
    _historie(school, "sluiting", door)
    school.gesloten_op, school.opgegaan_in_id = utcnow(), doel.id
    return f"{school.naam} is opgegaan in {doel.naam}: {len(hulpvragen)} hulpvragen en hun dossiers zijn verplaatst."


def _verhuis(school: School, doel: School) -> None:
    """Everything with this school's id moves to ``doel``; past school periods of pupils stay."""
    for model in (Dossier, Hulpvraag, HumanTask, Koppeling):
        db.session.execute(sa.update(model).where(model.school_id == school.id).values(school_id=doel.id))
    huidig = sa.or_(Schoolgegevens.tot.is_(None), Schoolgegevens.tot >= utcnow().date())
    db.session.execute(sa.update(Schoolgegevens).where(Schoolgegevens.school_id == school.id, huidig)
                       .values(school_id=doel.id))  # fmt: skip
    al_bij_doel = sa.select(user_school.c.user_id).where(user_school.c.school_id == doel.id)
    db.session.execute(sa.update(user_school).where(user_school.c.school_id == school.id,
                                                     user_school.c.user_id.not_in(al_bij_doel))
                       .values(school_id=doel.id))  # fmt: skip
    db.session.execute(sa.delete(user_school).where(user_school.c.school_id == school.id))
    for budget in _budgetten(school):
        _verhuis_budget(budget, doel)
    db.session.flush()
    db.session.expire_all()  # the bulk updates bypassed the session's objects


def _verhuis_budget(budget: Budget, doel: School) -> None:
    bestaand = _dubbel_budget(budget, doel)
    if bestaand is None:
        budget.school_id = doel.id
        return
    bestaand.bedrag = bestaand.bedrag + budget.bedrag
    db.session.execute(sa.update(Toekenning).where(Toekenning.budget_id == budget.id)
                       .values(budget_id=bestaand.id))  # fmt: skip
    db.session.flush()
    db.session.delete(budget)


_UITVOEREN = {
    "naam": _hernoem, "brin": _nieuwe_brin, "bestuur": _nieuw_bestuur,
    "samenvoegen": _voeg_samen, "sluiten": _sluit, "heropenen": _heropen,
}  # fmt: skip


# --- history, as a hulpvraag shows it ----------------------------------------------------------
@dataclass
class SchoolMoment:
    """One change of the school a hulpvraag belongs to, since the hulpvraag was made."""

    created_at: datetime
    soort: str  # SchoolHistorie.soort
    oud: str  # "De Linde (01AB00)"
    nieuw: str
    door: User | None

    @property
    def soort_label(self) -> str:
        return HISTORIE_SOORTEN.get(self.soort, self.soort)


def _label(naam: str, brin6: str) -> str:
    return f"{naam} ({brin6})"


def schoolgeschiedenis(hulpvraag: Hulpvraag) -> list[SchoolMoment]:
    """The changes of the hulpvraag's school after it was made, oldest first: renames, new BRINs and
    bestuur, closing, and the merge that brought the hulpvraag to this school."""
    school = hulpvraag.school
    rijen = [r for r in school.historie if r.created_at >= hulpvraag.created_at]
    eigen = [r for r in school.historie if r.soort != "samenvoeging"]  # the school's own names, in order
    momenten = []
    for rij in rijen:
        if rij.soort == "samenvoeging" and hulpvraag.id not in (rij.hulpvraag_ids or []):
            continue
        daarna = next((r for r in eigen if r.id > rij.id), None)
        nieuw = _label(daarna.naam, daarna.brin6) if daarna else _label(school.naam, school.brin6)
        if rij.soort == "bestuur":
            oud = rij.bestuur.naam if rij.bestuur else "?"
            nieuw = daarna.bestuur.naam if daarna and daarna.bestuur else school.bestuur.naam
        else:
            oud = _label(rij.naam, rij.brin6)
        momenten.append(SchoolMoment(rij.created_at, rij.soort, oud, nieuw, rij.door))
    return momenten


def voorheen(hulpvraag: Hulpvraag) -> str | None:
    """The school's name and BRIN when the hulpvraag was made, when it differs from today's."""
    namen = [m for m in schoolgeschiedenis(hulpvraag) if m.soort in ("naam", "brin", "samenvoeging")]
    nu = _label(hulpvraag.school.naam, hulpvraag.school.brin6)
    return namen[0].oud if namen and namen[0].oud != nu else None
