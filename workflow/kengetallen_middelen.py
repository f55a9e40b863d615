"""Kengetallen of what was granted: TLVs per soort and categorie, TLVs ending soon, budgets.

A school year runs from 1 August to 31 July ("2026-2027"). TLVs count when toegekend; their
hulpvraag decides who sees them (the same scope as every figure). Budgets: SWV staff see every
budget, school staff only their own school's; the school, bestuur and wijk filters keep the
budgets of that school, bestuur or wijk and those of the schools in it (the titel filter does not
apply: a budget has no title).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from models import TLV, Bestuur, Budget, Hulpvraag, School, User, Wijk, db, utcnow
from models.budget import REGELINGEN, SOORTEN
from models.tlv import CATEGORIEEN
from models.tlv import SOORTEN as TLV_SOORTEN
from workflow import statussen
from workflow.kengetallen import ALLE_SCHOLEN, Figuur, Filters, hulpvraag_scope, maand_label

KOMENDE_MAANDEN = 6  # TLVs ending within this many months: verlenging due
GRAFIEK_BUDGETTEN = 20  # more bars than this no one reads; the table has them all


def schooljaar(dag: date) -> str:
    begin = dag.year if dag.month >= 8 else dag.year - 1
    return f"{begin}-{begin + 1}"


def _datum_maand(column: Any) -> sa.ColumnElement[str]:
    """ "2026-03" of a date column."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.to_char(column, "YYYY-MM")
    return sa.func.strftime("%Y-%m", column)


def _tlv_scope(user: User, filters: Filters) -> sa.ColumnElement[bool]:
    return sa.and_(TLV.besluit == "toekennen", hulpvraag_scope(user, filters),
                   statussen.zichtbaar_voor_swv_sql(Hulpvraag.status))  # fmt: skip


# --- TLVs ----------------------------------------------------------------------------------------
def tlvs(user: User, filters: Filters, vandaag: date | None = None) -> list[Figuur]:
    return [_tlvs_afgegeven(user, filters), _tlvs_einde(user, filters, vandaag or utcnow().date())]


def _tlvs_afgegeven(user: User, filters: Filters) -> Figuur:
    maand = _datum_maand(TLV.afgiftedatum)
    query = (sa.select(maand, TLV.soort, TLV.categorie, sa.func.count())
             .join(Hulpvraag, TLV.hulpvraag_id == Hulpvraag.id)
             .where(_tlv_scope(user, filters), TLV.afgiftedatum >= filters.van, TLV.afgiftedatum <= filters.tot)
             .group_by(maand, TLV.soort, TLV.categorie))  # fmt: skip
    telling: dict[tuple[str, str, str], int] = defaultdict(int)
    for m, soort, categorie, aantal in db.session.execute(query):
        jaar = schooljaar(date(int(m[:4]), int(m[5:7]), 1))
        telling[(jaar, soort or "onbekend", categorie or "onbekend")] += int(aantal)
    jaren = sorted({j for j, _s, _c in telling})
    volgorde = {s: i for i, s in enumerate((*TLV_SOORTEN, *CATEGORIEEN))}
    paren = sorted({(s, c) for _j, s, c in telling}, key=lambda p: (volgorde.get(p[0], 99), volgorde.get(p[1], 99)))
    rijen = [{"schooljaar": j, "soort": s, "categorie": c, "aantal": telling[(j, s, c)]}
             for j in jaren for s, c in paren if telling.get((j, s, c))]  # fmt: skip
    return Figuur("tlv", "TLV's afgegeven per soort en bekostigingscategorie",
                  "Toegekende TLV's met een afgiftedatum in de periode, per schooljaar (1 augustus tot 31 juli).",
                  "bar", [f"{s} {c}" for s, c in paren],
                  {j: [telling.get((j, s, c), 0) for s, c in paren] for j in jaren}, rijen)  # fmt: skip


def _tlvs_einde(user: User, filters: Filters, vandaag: date) -> Figuur:
    jaar, maand = vandaag.year, vandaag.month
    maanden = []
    for _ in range(KOMENDE_MAANDEN):
        maanden.append(f"{jaar:04d}-{maand:02d}")
        jaar, maand = (jaar + 1, 1) if maand == 12 else (jaar, maand + 1)
    tot = date(jaar, maand, 1)
    m = _datum_maand(TLV.einddatum)
    query = (sa.select(m, TLV.soort, sa.func.count()).join(Hulpvraag, TLV.hulpvraag_id == Hulpvraag.id)
             .where(_tlv_scope(user, filters), TLV.einddatum >= vandaag, TLV.einddatum < tot)
             .group_by(m, TLV.soort))  # fmt: skip
    telling = {(maand_, soort or "onbekend"): int(aantal) for maand_, soort, aantal in db.session.execute(query)}
    soorten = [s for s in (*TLV_SOORTEN, "onbekend") if any(k[1] == s for k in telling)]
    rijen = [{"maand": maand_label(mm), "soort": s, "aantal": telling[(mm, s)]}
             for mm in maanden for s in soorten if telling.get((mm, s))]  # fmt: skip
    return Figuur("tlv_einde", "TLV's die binnenkort eindigen (verlenging)",
                  f"Toegekende TLV's met een einddatum in de komende {KOMENDE_MAANDEN} maanden, vanaf vandaag "
                  "(de periode telt hier niet).", "bar", [maand_label(mm) for mm in maanden],
                  {s: [telling.get((mm, s), 0) for mm in maanden] for s in soorten}, rijen, gestapeld=True)  # fmt: skip


# --- budgets -------------------------------------------------------------------------------------
def schooljaren(filters: Filters) -> list[str]:
    eerste, laatste = schooljaar(filters.van), schooljaar(filters.tot)
    return [f"{j}-{j + 1}" for j in range(int(eerste[:4]), int(laatste[:4]) + 1)]


def _budget_scope(user: User, filters: Filters) -> sa.ColumnElement[bool]:
    eigen_scholen = sa.true() if user.rollen & ALLE_SCHOLEN else Budget.school_id.in_(user.school_ids or {0})
    clauses: list[sa.ColumnElement[bool]] = [eigen_scholen]
    if filters.school_id is not None:
        school = sa.select(School).where(School.id == filters.school_id).subquery()
        clauses.append(sa.or_(Budget.school_id == filters.school_id,
                              Budget.bestuur_id.in_(sa.select(school.c.bestuur_id)),
                              Budget.wijk_id.in_(sa.select(school.c.wijk_id))))  # fmt: skip
    for eigen, kolom in ((filters.bestuur_id, "bestuur_id"), (filters.wijk_id, "wijk_id")):
        if eigen is not None:
            scholen = sa.select(School.id).where(getattr(School, kolom) == eigen)
            clauses.append(sa.or_(getattr(Budget, kolom) == eigen, Budget.school_id.in_(scholen)))
    return sa.and_(*clauses)


def budgetten(user: User, filters: Filters) -> Figuur:
    from models.budget import Toekenning

    toegekend = (sa.select(Toekenning.budget_id, sa.func.sum(Toekenning.bedrag).label("som"))
                 .where(Toekenning.ingetrokken_at.is_(None)).group_by(Toekenning.budget_id).subquery())  # fmt: skip
    naam = sa.func.coalesce(Bestuur.naam, School.naam, Wijk.naam)
    query = (sa.select(Budget.schooljaar, Budget.regeling, Budget.soort, naam, Budget.bedrag, toegekend.c.som)
             .outerjoin(toegekend, toegekend.c.budget_id == Budget.id)
             .outerjoin(Bestuur, Budget.bestuur_id == Bestuur.id).outerjoin(School, Budget.school_id == School.id)
             .outerjoin(Wijk, Budget.wijk_id == Wijk.id)
             .where(_budget_scope(user, filters), Budget.schooljaar.in_(schooljaren(filters)))
             .order_by(Budget.schooljaar.desc(), Budget.regeling, Budget.soort, naam))  # fmt: skip
    rijen = []
    for jaar, regeling, soort, eigenaar, bedrag, som in db.session.execute(query):
        gebruikt = Decimal(som or 0)
        rijen.append({"schooljaar": jaar, "regeling": REGELINGEN.get(regeling, regeling),
                      "soort": SOORTEN.get(soort, soort), "naam": eigenaar or "", "beschikbaar": Decimal(bedrag),
                      "toegekend": gebruikt, "resterend": Decimal(bedrag) - gebruikt})  # fmt: skip
    grootste = sorted(rijen, key=lambda r: (-r["beschikbaar"], r["naam"]))[:GRAFIEK_BUDGETTEN]
    labels = [f"{r['naam']} ({r['soort'].lower()}, {r['schooljaar']})" for r in grootste]
    return Figuur("budget", "Budgetten: toegekend en beschikbaar",
                  "Per bestuur, school en wijk, voor de schooljaren in de periode; resterend is beschikbaar min "
                  f"toegekend (ingetrokken toekenningen tellen niet). De grafiek toont de {GRAFIEK_BUDGETTEN} "
                  "grootste budgetten; de tabel alle. Het titelfilter geldt hier niet.",
                  "bar-horizontaal", labels,
                  {"Toegekend": [float(r["toegekend"]) for r in grootste],
                   "Resterend": [float(r["resterend"]) for r in grootste]}, rijen, eenheid="€",
                  gestapeld=True)  # fmt: skip
