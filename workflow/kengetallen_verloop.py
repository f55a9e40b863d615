"""Kengetallen over time: hulpvragen new, closed and open per month, thuiszitters, doorlooptijden.

All of it is read from the status history (``Statuswijziging``), one row per change:

- *nieuw* in a month: a change from nothing or from a status the SWV may not see (Voorlopige
  aanmelding) into one it may see: the hulpvraag was aangemeld;
- *afgehandeld*: a change into an end status (``eind: ja``) from a status that is not one;
- *open aan het eind van de maand*: every change adds (open after) - (open before), where open
  means visible to the SWV and not an end status. The number open now minus what the changes
  after a month's end added is the number open then (so only the changes since the period
  began are read). A Voorlopige aanmelding is never open, so it is never counted; a hulpvraag
  that is reopened counts again. The same with "status is Thuiszitter" gives the thuiszitters
  at each month's end.

The database counts the changes per (month, van, naar) and the hulpvragen per status; each
status string is then classified once with the vocabulary (``Indeling``), never per row.

Doorlooptijd: whole days from the aanmelding (the first change into a status the SWV sees) to
the *eerste besluit*, and to *afgehandeld* (the first end status). The eerste besluit is the
first status whose LVS short-list status says a decision was taken: Gearrangeerd, In behandeling
(the ESIS manual: "er is een besluit genomen"), Afgerond or Afgewezen, and every end status. So
Toegekend, Wacht, TLV afgegeven, Afgewezen and Thuiszitter count; Doorzetten, Dossier
(in)compleet and In beraad do not. Which statuses those are follows statussen.yaml.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from models import Hulpvraag, Statuswijziging, User, db
from workflow import aanpakken, statussen
from workflow.kengetallen import (
    THUISZITTER,
    Figuur,
    Filters,
    Indeling,
    alles,
    dagen_sql,
    hulpvraag_scope,
    in_periode,
    maand_label,
    maand_sql,
    percentiel,
)

BESLUIT_LVS = ("Gearrangeerd", "In behandeling", "Afgerond", "Afgewezen")
SW = Statuswijziging


def is_besluit(status: str) -> bool:
    gevonden = statussen.zoek(status)
    return gevonden is not None and (gevonden.eind or gevonden.lvs in BESLUIT_LVS)


@dataclass
class Wijzigingen:
    """The status changes since the period began, counted per (month, van, naar) by the database,
    and the hulpvragen per status now: what the monthly figures are worked out from."""

    per_maand: dict[str, list[tuple[str | None, str, int]]]
    nu: dict[str, int]  # status -> hulpvragen now

    @property
    def statussen(self) -> set[str]:
        """Every status a change since the period began went to."""
        return {naar for rijen in self.per_maand.values() for _van, naar, _n in rijen}


def wijzigingen(user: User, filters: Filters) -> Wijzigingen:
    maand = maand_sql(SW.created_at)
    query = (sa.select(maand, SW.van, SW.naar, sa.func.count()).where(SW.created_at >= filters.begin)
             .group_by(maand, SW.van, SW.naar))  # fmt: skip
    nu = sa.select(Hulpvraag.status, sa.func.count()).group_by(Hulpvraag.status)
    if not alles(user, filters):  # every hulpvraag: no join needed
        query = query.join(Hulpvraag, SW.hulpvraag_id == Hulpvraag.id).where(hulpvraag_scope(user, filters))
        nu = nu.where(hulpvraag_scope(user, filters))
    per_maand: dict[str, list[tuple[str | None, str, int]]] = defaultdict(list)
    for m, van, naar, aantal in db.session.execute(query):
        per_maand[str(m)].append((van, naar, int(aantal)))
    return Wijzigingen(per_maand, {status: int(n) for status, n in db.session.execute(nu)})


# --- per month: nieuw, afgehandeld, open; thuiszitters ---------------------------------------------
def per_maand(filters: Filters, w: Wijzigingen) -> list[Figuur]:
    """Open and thuiszitters at each month's end: the number now minus what changed after it."""
    ind = Indeling()
    open_nu = sum(n for status, n in w.nu.items() if ind.open(status))
    thuis_nu = w.nu.get(THUISZITTER, 0)
    telling: dict[str, list[int]] = {}
    for m, paren in w.per_maand.items():
        telling[m] = [
            sum(n for van, naar, n in paren if ind.zichtbaar(naar) and not ind.zichtbaar(van)),
            sum(n for van, naar, n in paren if ind.eind(naar) and not ind.eind(van)),
            sum(n * (ind.open(naar) - ind.open(van)) for van, naar, n in paren),
            sum(n * ((naar == THUISZITTER) - (van == THUISZITTER)) for van, naar, n in paren),
        ]
    rijen: list[dict[str, Any]] = []
    thuisrijen: list[dict[str, Any]] = []
    for m in reversed(filters.maanden()):
        later = [t for maand, t in telling.items() if maand > m]
        open_eind = open_nu - sum(t[2] for t in later)
        thuis_eind = thuis_nu - sum(t[3] for t in later)
        nieuw, klaar, _o, _t = telling.get(m, [0, 0, 0, 0])
        rijen.insert(0, {"maand": maand_label(m), "nieuw": nieuw, "afgehandeld": klaar, "open": open_eind})
        thuisrijen.insert(0, {"maand": maand_label(m), "thuiszitters": thuis_eind})
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
def _histogrammen(user: User, filters: Filters, gezien: set[str]) -> dict[tuple[str, str, str], dict[int, int]]:
    """{(per, groep, tot): {dagen: aantal}}: per "maand" (of the aanmelding) or "titel", tot
    "besluit" or "afgehandeld"; counted by the database.

    ``gezien``: the statuses changes went to since the period began (every change of a hulpvraag
    aangemaakt in the period is among them), so each is classified once, here, not per row."""
    ind = Indeling()
    verborgen = sorted(s for s in gezien if not ind.zichtbaar(s))  # usually Voorlopige aanmelding alone
    besluit = sorted(s for s in gezien if is_besluit(s))
    eind = sorted(s for s in gezien if ind.eind(s))
    momenten = (
        sa.select(Hulpvraag.titel.label("titel"),
                  sa.func.min(sa.case((SW.naar.not_in(verborgen), SW.created_at))).label("aangemeld"),
                  sa.func.min(sa.case((SW.naar.in_(besluit), SW.created_at))).label("besluit"),
                  sa.func.min(sa.case((SW.naar.in_(eind), SW.created_at))).label("afgehandeld"))
        .select_from(Hulpvraag).join(SW, SW.hulpvraag_id == Hulpvraag.id)
        # created_at first: the rows come in that index's order, so the groups need no sort
        .where(in_periode(user, filters)).group_by(Hulpvraag.created_at, Hulpvraag.id, Hulpvraag.titel)
    ).subquery()  # fmt: skip
    per_hulpvraag = (
        sa.select(momenten.c.titel, maand_sql(momenten.c.aangemeld).label("maand"),
                  dagen_sql(momenten.c.aangemeld, momenten.c.besluit).label("besluit"),
                  dagen_sql(momenten.c.aangemeld, momenten.c.afgehandeld).label("afgehandeld"))
        .where(momenten.c.aangemeld.is_not(None))
    ).cte("per_hulpvraag").prefix_with("MATERIALIZED")  # fmt: skip
    delen = [sa.select(sa.literal(per).label("per"), sa.literal(tot).label("tot"), per_hulpvraag.c[per].label("groep"),
                       per_hulpvraag.c[tot].label("dagen"), sa.func.count().label("aantal"))
             .where(per_hulpvraag.c[tot].is_not(None)).group_by(per_hulpvraag.c[per], per_hulpvraag.c[tot])
             for per in ("maand", "titel") for tot in ("besluit", "afgehandeld")]  # fmt: skip
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


def doorlooptijden(user: User, filters: Filters, w: Wijzigingen) -> list[Figuur]:
    h = _histogrammen(user, filters, w.statussen)
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
    namen = aanpak_namen()
    aanpak_van = {t: namen.get(t) or namen[""] for t in titels}
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


def aanpak_namen() -> dict[str, str]:
    """Title → the aanpaktype it goes to (the beheerder's choice, else bpmn/aanpakken.yaml), read once."""
    from flask import current_app

    from models import AanpakKoppeling

    bestand = aanpakken.koppeling(current_app.config["BPMN_DIR"])
    gekozen = dict(db.session.execute(sa.select(AanpakKoppeling.titel, AanpakKoppeling.process_key)).tuples().all())
    return {**{str(t): str(k) for t, k in bestand["titels"].items()}, **gekozen, "": str(bestand["standaard"])}
