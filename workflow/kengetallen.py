"""Kengetallen: counts and lead times over the hulpvragen a user may see, aggregated in SQL.

Every figure is a ``Figuur``: what the chart draws (labels, series) and the rows of the table
beneath it. The queries GROUP BY in the database; Python only adds up or orders the few
aggregated rows (a percentile is read from a per-day histogram the database counted).

Who sees what: SWV staff (SCP, functionaris, beheerder) count every school, school staff
(aanvrager, directeur) their own schools (``hulpvraag_filter``). A Voorlopige aanmelding is never
counted, not even for a beheerder: only statuses the vocabulary shows to the SWV count (the
``swv`` column of statussen.yaml). Months are calendar months in UTC.

The period (``van`` .. ``tot``) selects the hulpvragen aangemaakt in it and the months the charts
show; school, bestuur, wijk and titel narrow the hulpvragen further.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from models import Bestuur, Hulpvraag, HumanTask, Rol, School, User, Wijk, db, utcnow
from models.user import ROL_LABELS
from workflow import statussen
from workflow.access import hulpvraag_filter

ALLE_SCHOLEN = frozenset({Rol.SCP, Rol.FUNCTIONARIS, Rol.BEHEERDER})  # SWV staff count every school
ROLLEN = (Rol.AANVRAGER, Rol.DIRECTEUR, *sorted(ALLE_SCHOLEN))
THUISZITTER = "Thuiszitter"
MAANDNAMEN = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


@dataclass(frozen=True)
class Filters:
    """What the figures are narrowed to (already checked): ``van`` and ``tot`` inclusive."""

    van: date
    tot: date
    school_id: int | None = None
    bestuur_id: int | None = None
    wijk_id: int | None = None
    titel: str = ""

    @property
    def begin(self) -> datetime:
        return datetime.combine(self.van, time.min, tzinfo=UTC)

    @property
    def einde(self) -> datetime:
        """The moment just after the period."""
        return datetime.combine(self.tot + timedelta(days=1), time.min, tzinfo=UTC)

    def maanden(self) -> list[str]:
        """Every month of the period as "2026-03"."""
        jaar, maand, result = self.van.year, self.van.month, []
        while (jaar, maand) <= (self.tot.year, self.tot.month):
            result.append(f"{jaar:04d}-{maand:02d}")
            jaar, maand = (jaar + 1, 1) if maand == 12 else (jaar, maand + 1)
        return result


def standaard_filters(vandaag: date | None = None) -> Filters:
    """The last twelve months up to today."""
    vandaag = vandaag or utcnow().date()
    jaar, maand = (vandaag.year, vandaag.month - 11) if vandaag.month == 12 else (vandaag.year - 1, vandaag.month + 1)
    return Filters(van=date(jaar, maand, 1), tot=vandaag)


@dataclass
class Figuur:
    """One chart and its table: ``series`` maps a series' name to one value per label."""

    key: str
    titel: str
    uitleg: str
    soort: str  # "bar", "line" or "bar-horizontaal"
    labels: list[str]
    series: dict[str, list[float | int | None]]
    rijen: list[dict[str, Any]]
    eenheid: str = ""  # "dagen", "€": said beside the values
    lijn: set[str] = field(default_factory=set)  # series drawn as a line over bars
    gestapeld: bool = False  # the series add up (open + afgehandeld = all)

    def grafiek(self) -> dict[str, Any]:
        """The chart as JSON for web/static/kengetallen.js."""
        return {"soort": self.soort, "labels": self.labels, "eenheid": self.eenheid, "titel": self.titel,
                "gestapeld": self.gestapeld,
                "series": [{"naam": naam, "waarden": waarden, "lijn": naam in self.lijn}
                           for naam, waarden in self.series.items()]}  # fmt: skip


# --- scope and filters -------------------------------------------------------------------------
def mag_zien(user: User) -> bool:
    return bool(user.rollen & set(ROLLEN))


def zichtbaar(user: User) -> ColumnElement[bool]:
    """The hulpvragen this user's figures count, whatever their status now."""
    return sa.true() if user.rollen & ALLE_SCHOLEN else hulpvraag_filter(user)


def hulpvraag_scope(user: User, filters: Filters) -> ColumnElement[bool]:
    """Scope plus school, bestuur, wijk and titel (not the period: each figure applies it itself)."""
    clauses = [zichtbaar(user)]
    if filters.school_id is not None:
        clauses.append(Hulpvraag.school_id == filters.school_id)
    if filters.bestuur_id is not None:
        clauses.append(Hulpvraag.school_id.in_(sa.select(School.id).where(School.bestuur_id == filters.bestuur_id)))
    if filters.wijk_id is not None:
        clauses.append(Hulpvraag.school_id.in_(sa.select(School.id).where(School.wijk_id == filters.wijk_id)))
    if filters.titel:
        clauses.append(Hulpvraag.titel == filters.titel)
    return sa.and_(*clauses)


def alles(user: User, filters: Filters) -> bool:
    """Whether the figures count every hulpvraag (SWV staff, no school, bestuur, wijk or titel filter)."""
    beperkt = filters.school_id or filters.bestuur_id or filters.wijk_id or filters.titel
    return bool(user.rollen & ALLE_SCHOLEN) and not beperkt


def in_periode(user: User, filters: Filters) -> ColumnElement[bool]:
    """Counted hulpvragen aangemaakt in the period that the SWV may see now."""
    return sa.and_(hulpvraag_scope(user, filters), statussen.zichtbaar_voor_swv_sql(Hulpvraag.status),
                   Hulpvraag.created_at >= filters.begin, Hulpvraag.created_at < filters.einde)  # fmt: skip


# --- SQL that differs per database ---------------------------------------------------------------
def _postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def maand_sql(column: Any) -> ColumnElement[str]:
    """ "2026-03": the UTC calendar month of a timestamp."""
    if _postgres():
        return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM")
    return sa.func.substr(column, 1, 7)  # SQLite keeps UTC timestamps as "2026-03-05 12:00:00.000000"


def dagen_sql(van: Any, tot: Any) -> ColumnElement[int]:
    """Whole days from ``van`` to ``tot`` (rounded down)."""
    if _postgres():
        return sa.cast(sa.func.floor(sa.extract("epoch", tot - van) / 86400), sa.Integer)
    return sa.cast(sa.func.julianday(tot) - sa.func.julianday(van), sa.Integer)


def als_getal(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return sa.case((condition, 1), else_=0)


# --- small helpers for the figures ---------------------------------------------------------------
def maand_label(maand: str) -> str:
    """ "2026-03" → "mrt 2026"."""
    jaar, nummer = maand.split("-")
    return f"{MAANDNAMEN[int(nummer) - 1]} {jaar}"


def percentiel(histogram: dict[int, int], p: float) -> float | None:
    """The p-th percentile (0..1) of values given as {value: count}, interpolated as PostgreSQL's
    percentile_cont does; None without values."""
    totaal = sum(histogram.values())
    if not totaal:
        return None
    positie = (totaal - 1) * p
    onder, boven = _rang(histogram, int(positie)), _rang(histogram, min(int(positie) + 1, totaal - 1))
    return round(onder + (boven - onder) * (positie - int(positie)), 1)


def _rang(histogram: dict[int, int], index: int) -> int:
    """The value at 0-based position ``index`` of the sorted values."""
    gezien = 0
    for waarde in sorted(histogram):
        gezien += histogram[waarde]
        if index < gezien:
            return waarde
    return max(histogram)


def statusnaam(status: str) -> str:
    """The vocabulary entry of a status: "Doorzetten orthopedagoog" counts under "Doorzetten"."""
    gevonden = statussen.zoek(status)
    return gevonden.naam if gevonden is not None else status


def optellen(rijen: Iterable[tuple[Any, int]]) -> dict[Any, int]:
    totaal: dict[Any, int] = defaultdict(int)
    for sleutel, aantal in rijen:
        totaal[sleutel] += int(aantal or 0)
    return totaal


# --- hulpvragen per status, titel, school, bestuur and wijk ----------------------------------------
class Indeling:
    """What the vocabulary says of each status string met, asked once per string."""

    def __init__(self) -> None:
        self._eind: dict[str, bool] = {}
        self._zichtbaar: dict[str, bool] = {}

    def eind(self, status: str | None) -> bool:
        if status is None:
            return False
        if status not in self._eind:
            self._eind[status] = statussen.is_eindstatus(status)
        return self._eind[status]

    def zichtbaar(self, status: str | None) -> bool:
        if status is None:
            return False
        if status not in self._zichtbaar:
            self._zichtbaar[status] = statussen.zichtbaar_voor_swv(status)
        return self._zichtbaar[status]

    def open(self, status: str | None) -> bool:
        return self.zichtbaar(status) and not self.eind(status)


def per_status_en_titel(user: User, filters: Filters) -> list[Figuur]:
    query = (sa.select(Hulpvraag.titel, Hulpvraag.status, sa.func.count())
             .where(in_periode(user, filters)).group_by(Hulpvraag.titel, Hulpvraag.status))  # fmt: skip
    rows = db.session.execute(query).all()
    indeling = Indeling()
    namen = {status: statusnaam(status) for status in {s for _t, s, _n in rows}}  # each string once
    per_status = optellen((namen[status], aantal) for _t, status, aantal in rows)
    volgorde = [s for s in statussen.filterstatussen(met_verborgen=False) if per_status.get(s)]
    volgorde += sorted(set(per_status) - set(volgorde))
    status = Figuur("status", "Hulpvragen per status", "Aangemaakt in de periode, naar hun status nu.",
                    "bar-horizontaal", volgorde, {"Hulpvragen": [per_status[s] for s in volgorde]},
                    [{"status": s, "aantal": per_status[s]} for s in volgorde])  # fmt: skip
    totaal = optellen((t, aantal) for t, _s, aantal in rows)
    klaar = optellen((t, aantal if indeling.eind(s) else 0) for t, s, aantal in rows)
    titels = sorted(totaal, key=lambda t: (-totaal[t], t))
    titel = Figuur("titel", "Hulpvragen per titel", "Aangemaakt in de periode; open en afgehandeld naar hun status nu.",
                   "bar-horizontaal", titels, {"Open": [totaal[t] - klaar[t] for t in titels],
                                               "Afgehandeld": [klaar[t] for t in titels]},
                   [{"titel": t, "aantal": totaal[t], "open": totaal[t] - klaar[t], "afgehandeld": klaar[t]}
                    for t in titels], gestapeld=True)  # fmt: skip
    return [status, titel]


def per_school(user: User, filters: Filters) -> list[Figuur]:
    """Per school, and added up per bestuur and per wijk."""
    query = (sa.select(Hulpvraag.school_id, Hulpvraag.status, sa.func.count()).where(in_periode(user, filters))
             .group_by(Hulpvraag.school_id, Hulpvraag.status))  # fmt: skip
    indeling = Indeling()
    rows = db.session.execute(query).all()
    aantallen = optellen((sid, aantal) for sid, _s, aantal in rows)
    klaar = optellen((sid, aantal if indeling.eind(s) else 0) for sid, s, aantal in rows)
    namen = (sa.select(School.id, School.naam, School.brin, School.vestigingscode, Bestuur.naam, Wijk.naam)
             .join(Bestuur, School.bestuur_id == Bestuur.id).outerjoin(Wijk, School.wijk_id == Wijk.id)
             .where(School.id.in_(list(aantallen) or [0])))  # fmt: skip
    scholen = [{"school": naam, "brin": f"{brin}{vestiging}", "bestuur": bestuur, "wijk": wijk or "(geen wijk)",
                "aantal": aantallen[sid], "open": aantallen[sid] - klaar[sid], "afgehandeld": klaar[sid]}
               for sid, naam, brin, vestiging, bestuur, wijk in db.session.execute(namen)]  # fmt: skip
    scholen.sort(key=lambda r: (-r["aantal"], r["school"]))
    figuren = [_optelling("bestuur", "Hulpvragen per bestuur", scholen),
               _optelling("wijk", "Hulpvragen per wijk", scholen)]
    top = scholen[:15]
    school = Figuur("school", "Hulpvragen per school",
                    "Aangemaakt in de periode. De grafiek toont de 15 scholen met de meeste hulpvragen; de tabel alle.",
                    "bar-horizontaal", [r["school"] for r in top],
                    {"Open": [r["open"] for r in top], "Afgehandeld": [r["afgehandeld"] for r in top]}, scholen,
                    gestapeld=True)  # fmt: skip
    return [school, *figuren]


def _optelling(key: str, titel: str, scholen: list[dict[str, Any]]) -> Figuur:
    groepen: dict[str, dict[str, Any]] = {}
    for rij in scholen:
        groep = groepen.setdefault(rij[key], {key: rij[key], "scholen": 0, "aantal": 0, "open": 0, "afgehandeld": 0})
        groep["scholen"] += 1
        for veld in ("aantal", "open", "afgehandeld"):
            groep[veld] += rij[veld]
    rijen = sorted(groepen.values(), key=lambda r: (-r["aantal"], r[key]))
    return Figuur(key, titel, "Aangemaakt in de periode, opgeteld over de scholen.", "bar-horizontaal",
                  [r[key] for r in rijen], {"Open": [r["open"] for r in rijen],
                                            "Afgehandeld": [r["afgehandeld"] for r in rijen]}, rijen,
                  gestapeld=True)  # fmt: skip


# --- open tasks past their deadline ---------------------------------------------------------------
def taken_te_laat(user: User, filters: Filters, nu: datetime | None = None) -> Figuur:
    """Open tasks now, per functie (or the role for a task without one): how many, how many too late."""
    nu = nu or utcnow()
    wie = sa.func.coalesce(HumanTask.functie, HumanTask.rol)
    te_laat = sa.and_(HumanTask.due_at.is_not(None), HumanTask.due_at < nu)
    query = (sa.select(wie, sa.func.count(), sa.func.sum(als_getal(te_laat)))
             .join(Hulpvraag, HumanTask.hulpvraag_id == Hulpvraag.id)
             .where(HumanTask.completed_at.is_(None), hulpvraag_scope(user, filters),
                    statussen.zichtbaar_voor_swv_sql(Hulpvraag.status))
             .group_by(wie))  # fmt: skip
    rijen: list[dict[str, Any]] = [{"functie": _functie_label(naam), "open": int(aantal), "te_laat": int(laat or 0)}
                                   for naam, aantal, laat in db.session.execute(query)]  # fmt: skip
    rijen.sort(key=lambda r: (-r["te_laat"], -r["open"], r["functie"]))
    return Figuur("taken", "Open taken over de termijn, per functie",
                  "Taken die nu openstaan; 'over de termijn' is na de deadline van de taak "
                  "(de periode telt hier niet).",
                  "bar-horizontaal", [r["functie"] for r in rijen],
                  {"Over de termijn": [r["te_laat"] for r in rijen],
                   "Binnen de termijn": [r["open"] - r["te_laat"] for r in rijen]}, rijen, gestapeld=True)  # fmt: skip


def _functie_label(naam: str) -> str:
    """A task's functie as is; a task for a role (no functie) under the role's name."""
    return str(ROL_LABELS.get(naam, naam))  # type: ignore[call-overload]


def figuren(user: User, filters: Filters, alleen: str | None = None) -> list[Figuur]:
    """Every figure of the page, in its order; ``alleen``: just the group that holds that figure."""
    from workflow.kengetallen_middelen import budgetten, tlvs
    from workflow.kengetallen_verloop import doorlooptijden, per_maand, wijzigingen

    groepen: list[tuple[tuple[str, ...], Callable[[], list[Figuur]]]] = [
        (("status", "titel"), lambda: per_status_en_titel(user, filters)),
        (("school", "bestuur", "wijk"), lambda: per_school(user, filters)),
        (("maand", "thuiszitters"), lambda: per_maand(filters, wijzigingen(user, filters))),
        (("doorlooptijd_maand", "doorlooptijd_aanpak"),
         lambda: doorlooptijden(user, filters, wijzigingen(user, filters))),
        (("tlv", "tlv_einde"), lambda: tlvs(user, filters)),
        (("budget",), lambda: [budgetten(user, filters)]),
        (("taken",), lambda: [taken_te_laat(user, filters)]),
    ]
    if alleen is not None:
        return [f for keys, maak in groepen if alleen in keys for f in maak()]
    w = wijzigingen(user, filters)  # read once for the monthly figures and the doorlooptijden
    return [*per_status_en_titel(user, filters), *per_school(user, filters), *per_maand(filters, w),
            *doorlooptijden(user, filters, w), *tlvs(user, filters), budgetten(user, filters),
            taken_te_laat(user, filters)]  # fmt: skip
