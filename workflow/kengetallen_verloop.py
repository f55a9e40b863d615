"""Kengetallen over time: hulpvragen new, closed and open per month, thuiszitters, doorlooptijden.

All of it is read from the status history (``Statuswijziging``), one row per change:

- *nieuw* in a month: a change from nothing or from a status the SWV may not see (Voorlopige
  aanmelding) into one it may see: the hulpvraag was aangemeld;
- *afgehandeld*: a change into an end status (``eind: ja``) from a status that is not one;
- *open aan het eind van de maand*: every change adds (open after) - (open before), where open
  means visible to the SWV and not an end status; the running sum up to the month's end is the
  number open then. A Voorlopige aanmelding is never open, so it is never counted; a hulpvraag
  that is reopened counts again. The same running sum with "status is Thuiszitter" gives the
  thuiszitters at each month's end.

Doorlooptijd: whole days from the aanmelding (the first change into a status the SWV sees) to
the *eerste besluit*, and to *afgehandeld* (the first end status). The eerste besluit is the
first status whose LVS short-list status says a decision was taken: Gearrangeerd, In behandeling
(the ESIS manual: "er is een besluit genomen"), Afgerond or Afgewezen, and every end status. So
Toegekend, Wacht, TLV afgegeven, Afgewezen and Thuiszitter count; Doorzetten, Dossier
(in)compleet and In beraad do not. Which statuses those are follows statussen.yaml.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from models import Hulpvraag, Statuswijziging, User, db
from workflow import aanpakken, statussen
from workflow.kengetallen import (
    THUISZITTER,
    Figuur,
    Filters,
    als_getal,
    dagen_sql,
    hulpvraag_scope,
    in_periode,
    maand_label,
    maand_sql,
    percentiel,
)

BESLUIT_LVS = ("Gearrangeerd", "In behandeling", "Afgerond", "Afgewezen")
SW = Statuswijziging


def _zichtbaar(column: Any) -> sa.ColumnElement[bool]:
    return sa.and_(column.is_not(None), statussen.zichtbaar_voor_swv_sql(column))


def _eind(column: Any) -> sa.ColumnElement[bool]:
    return sa.and_(column.is_not(None), statussen.eindstatus_sql(column))


def _open(column: Any) -> sa.ColumnElement[int]:
    return als_getal(sa.and_(_zichtbaar(column), sa.not_(statussen.eindstatus_sql(column))))


def besluit_sql(column: Any) -> sa.ColumnElement[bool]:
    gekozen = [s for s in statussen.statuslijst().statussen if s.eind or s.lvs in BESLUIT_LVS]
    return statussen.status_in(column, gekozen)


# --- per month: nieuw, afgehandeld, open; thuiszitters ---------------------------------------------
def _maandtelling(user: User, filters: Filters) -> dict[str, tuple[int, int, int, int]]:
    """{month: (nieuw, afgehandeld, change in open, change in thuiszitters)} up to the period's end."""
    nieuw = sa.and_(_zichtbaar(SW.naar), sa.or_(SW.van.is_(None), sa.not_(statussen.zichtbaar_voor_swv_sql(SW.van))))
    klaar = sa.and_(_eind(SW.naar), sa.or_(SW.van.is_(None), sa.not_(statussen.eindstatus_sql(SW.van))))
    thuis = als_getal(SW.naar == THUISZITTER) - als_getal(sa.and_(SW.van.is_not(None), SW.van == THUISZITTER))
    maand = maand_sql(SW.created_at)
    query = (sa.select(maand, sa.func.sum(als_getal(nieuw)), sa.func.sum(als_getal(klaar)),
                       sa.func.sum(_open(SW.naar) - _open(SW.van)), sa.func.sum(thuis))
             .join(Hulpvraag, SW.hulpvraag_id == Hulpvraag.id)
             .where(SW.created_at < filters.einde, hulpvraag_scope(user, filters)).group_by(maand))  # fmt: skip
    return {m: (int(a or 0), int(b or 0), int(c or 0), int(d or 0)) for m, a, b, c, d in db.session.execute(query)}


def per_maand(user: User, filters: Filters) -> list[Figuur]:
    telling = _maandtelling(user, filters)
    open_nu = thuis_nu = 0
    eerder = sorted(m for m in telling if m < filters.maanden()[0])
    for m in eerder:
        open_nu += telling[m][2]
        thuis_nu += telling[m][3]
    rijen: list[dict[str, Any]] = []
    thuisrijen: list[dict[str, Any]] = []
    for m in filters.maanden():
        nieuw, klaar, open_erbij, thuis_erbij = telling.get(m, (0, 0, 0, 0))
        open_nu, thuis_nu = open_nu + open_erbij, thuis_nu + thuis_erbij
        rijen.append({"maand": maand_label(m), "nieuw": nieuw, "afgehandeld": klaar, "open": open_nu})
        thuisrijen.append({"maand": maand_label(m), "thuiszitters": thuis_nu})
    labels = [r["maand"] for r in rijen]
    verloop = Figuur("maand", "Hulpvragen per maand",
                     "Nieuw: aangemeld bij het SWV in de maand. Afgehandeld: naar een eindstatus. "
                     "Open: aangemeld en nog niet afgehandeld op de laatste dag van de maand.",
                     "bar", labels, {"Nieuw": [r["nieuw"] for r in rijen],
                                     "Afgehandeld": [r["afgehandeld"] for r in rijen],
                                     "Open aan het eind van de maand": [r["open"] for r in rijen]}, rijen,
                     lijn={"Open aan het eind van de maand"})  # fmt: skip
    thuis = Figuur("thuiszitters", "Thuiszitters",
                   "Hulpvragen met de status Thuiszitter op de laatste dag van elke maand.", "line", labels,
                   {"Thuiszitters": [r["thuiszitters"] for r in thuisrijen]}, thuisrijen)  # fmt: skip
    return [verloop, thuis]


# --- doorlooptijden ---------------------------------------------------------------------------------
def _histogrammen(user: User, filters: Filters) -> dict[tuple[str, str, str], dict[int, int]]:
    """{(per, groep, tot): {dagen: aantal}}: per "maand" (of the aanmelding) or "titel", tot
    "besluit" or "afgehandeld"; counted by the database."""
    per_hulpvraag = (
        sa.select(Hulpvraag.titel.label("titel"),
                  sa.func.min(sa.case((_zichtbaar(SW.naar), SW.created_at))).label("aangemeld"),
                  sa.func.min(sa.case((besluit_sql(SW.naar), SW.created_at))).label("besluit"),
                  sa.func.min(sa.case((_eind(SW.naar), SW.created_at))).label("afgehandeld"))
        .join(Hulpvraag, SW.hulpvraag_id == Hulpvraag.id)
        .where(in_periode(user, filters)).group_by(SW.hulpvraag_id, Hulpvraag.titel)
    ).cte("per_hulpvraag")  # fmt: skip
    delen = []
    for per, groep in (("maand", maand_sql(per_hulpvraag.c.aangemeld)), ("titel", per_hulpvraag.c.titel)):
        for tot in ("besluit", "afgehandeld"):
            dagen = dagen_sql(per_hulpvraag.c.aangemeld, per_hulpvraag.c[tot])
            delen.append(sa.select(sa.literal(per).label("per"), sa.literal(tot).label("tot"), groep.label("groep"),
                                   dagen.label("dagen"), sa.func.count().label("aantal"))
                         .where(per_hulpvraag.c[tot].is_not(None), per_hulpvraag.c.aangemeld.is_not(None))
                         .group_by(groep, dagen))  # fmt: skip
    histogrammen: dict[tuple[str, str, str], dict[int, int]] = defaultdict(dict)
    for per, tot, groep, dagen, aantal in db.session.execute(sa.union_all(*delen)):
        histogrammen[(per, str(groep), tot)][max(int(dagen), 0)] = int(aantal)
    return histogrammen


def _cijfers(besluit: dict[int, int], klaar: dict[int, int]) -> dict[str, Any]:
    return {"besluit_aantal": sum(besluit.values()), "besluit_mediaan": percentiel(besluit, 0.5),
            "besluit_p90": percentiel(besluit, 0.9), "afgehandeld_aantal": sum(klaar.values()),
            "afgehandeld_mediaan": percentiel(klaar, 0.5), "afgehandeld_p90": percentiel(klaar, 0.9)}  # fmt: skip


def _samen(histogrammen: list[dict[int, int]]) -> dict[int, int]:
    totaal: dict[int, int] = defaultdict(int)
    for histogram in histogrammen:
        for dagen, aantal in histogram.items():
            totaal[dagen] += aantal
    return totaal


def doorlooptijden(user: User, filters: Filters) -> list[Figuur]:
    h = _histogrammen(user, filters)
    maanden = filters.maanden()
    rijen = [{"maand": maand_label(m), **_cijfers(h.get(("maand", m, "besluit"), {}),
                                                  h.get(("maand", m, "afgehandeld"), {}))}
             for m in maanden]  # fmt: skip
    per_maand = Figuur("doorlooptijd_maand", "Doorlooptijden per maand",
                       "Dagen van de aanmelding tot het eerste besluit en tot afgehandeld (mediaan en 90e percentiel), "
                       "naar de maand van de aanmelding.", "line", [r["maand"] for r in rijen],
                       {"Mediaan tot besluit": [r["besluit_mediaan"] for r in rijen],
                        "P90 tot besluit": [r["besluit_p90"] for r in rijen],
                        "Mediaan tot afgehandeld": [r["afgehandeld_mediaan"] for r in rijen],
                        "P90 tot afgehandeld": [r["afgehandeld_p90"] for r in rijen]},
                       rijen, eenheid="dagen")  # fmt: skip
    return [per_maand, _per_aanpak(h)]


def _per_aanpak(h: dict[tuple[str, str, str], dict[int, int]]) -> Figuur:
    titels = sorted({groep for per, groep, _tot in h if per == "titel"})
    aanpak_van = {t: aanpak_naam(t) for t in titels}
    rijen: list[dict[str, Any]] = []
    for aanpak in sorted(set(aanpak_van.values())):
        eigen = [t for t in titels if aanpak_van[t] == aanpak]
        besluit = _samen([h.get(("titel", t, "besluit"), {}) for t in eigen])
        klaar = _samen([h.get(("titel", t, "afgehandeld"), {}) for t in eigen])
        rijen.append({"aanpak": aanpak, "titel": "(alle titels)", **_cijfers(besluit, klaar)})
        for t in eigen:
            cijfers = _cijfers(h.get(("titel", t, "besluit"), {}), h.get(("titel", t, "afgehandeld"), {}))
            rijen.append({"aanpak": aanpak, "titel": t, **cijfers})
    totalen = [r for r in rijen if r["titel"] == "(alle titels)"]
    return Figuur("doorlooptijd_aanpak", "Doorlooptijden per aanpaktype en titel",
                  "Dagen van de aanmelding tot het eerste besluit en tot afgehandeld, voor de hulpvragen aangemaakt "
                  "in de periode. De grafiek toont de aanpaktypes; de tabel ook elke titel.", "bar",
                  [r["aanpak"] for r in totalen],
                  {"Mediaan tot besluit": [r["besluit_mediaan"] for r in totalen],
                   "Mediaan tot afgehandeld": [r["afgehandeld_mediaan"] for r in totalen],
                   "P90 tot afgehandeld": [r["afgehandeld_p90"] for r in totalen]}, rijen, eenheid="dagen")  # fmt: skip


def aanpak_naam(titel: str) -> str:
    """The aanpaktype a title goes to (the beheerder's choice, else bpmn/aanpakken.yaml)."""
    from flask import current_app

    key = aanpakken.gekozen_aanpak(titel) or aanpakken.koppeling(current_app.config["BPMN_DIR"])["standaard"]
    return str(key)
