"""The columns of each kengetallen table, on the table component (web/tabel.py).

The rows are aggregates the figure computed already, so a column reads a row's field by name
(``literal_column`` only names it) and none sorts: the rows keep the figure's own order.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from models import Hulpvraag
from web.tabel import Kolom, Tabel
from workflow.budget import euro


def _dagen_html(key: str) -> Any:
    def html(row: Any) -> str:
        value = getattr(row, key)
        return "–" if value is None else f"{value:g}".replace(".", ",")

    return html


def _euro_html(key: str) -> Any:
    return lambda row: euro(getattr(row, key))


def _euro_excel(key: str) -> Any:
    return lambda row: float(Decimal(getattr(row, key)))


def kolom(key: str, label: str, soort: str = "", standaard: bool = True, breedte: int = 14) -> Kolom:
    extra: dict[str, Any] = {}
    if soort == "dagen":
        extra["html"] = _dagen_html(key)
    elif soort == "euro":
        extra = {"html": _euro_html(key), "excel": _euro_excel(key)}
    return Kolom(key, label, sa.literal_column(key), sorteer=(), standaard=standaard, breedte=breedte, **extra)


def _tabel(naam: str, kolommen: list[Kolom]) -> Tabel:
    # bron and id_veld are never queried: these tables are drawn from rows already computed.
    kolommen = [replace(kolommen[0], vast=True), *kolommen[1:]]  # what a row is about stays shown
    return Tabel(f"kengetallen-{naam}", kolommen, bron=Hulpvraag.__table__, id_veld=Hulpvraag.id,
                 standaard_sortering=kolommen[0].key)  # fmt: skip


def _telling(eerste: Kolom, *meer: Kolom) -> list[Kolom]:
    return [eerste, *meer, kolom("aantal", "Aantal"), kolom("open", "Open"), kolom("afgehandeld", "Afgehandeld")]


def _doorloop(*eerste: Kolom) -> list[Kolom]:
    return [*eerste, kolom("besluit_aantal", "Aantal met besluit"),
            kolom("besluit_mediaan", "Mediaan dagen tot besluit", "dagen"),
            kolom("besluit_p90", "P90 dagen tot besluit", "dagen"),
            kolom("afgehandeld_aantal", "Aantal afgehandeld"),
            kolom("afgehandeld_mediaan", "Mediaan dagen tot afgehandeld", "dagen"),
            kolom("afgehandeld_p90", "P90 dagen tot afgehandeld", "dagen")]  # fmt: skip


TABELLEN: dict[str, Tabel] = {
    "status": _tabel("status", [kolom("status", "Status", breedte=30), kolom("aantal", "Aantal")]),
    "titel": _tabel("titel", _telling(kolom("titel", "Titel", breedte=40))),
    "school": _tabel("school", _telling(kolom("school", "School", breedte=36), kolom("brin", "BRIN", breedte=10),
                                        kolom("bestuur", "Bestuur", standaard=False, breedte=30),
                                        kolom("wijk", "Wijk", standaard=False, breedte=24))),
    "bestuur": _tabel("bestuur", _telling(kolom("bestuur", "Bestuur", breedte=36), kolom("scholen", "Scholen"))),
    "wijk": _tabel("wijk", _telling(kolom("wijk", "Wijk", breedte=30), kolom("scholen", "Scholen"))),
    "maand": _tabel("maand", [kolom("maand", "Maand"), kolom("nieuw", "Nieuw"), kolom("afgehandeld", "Afgehandeld"),
                              kolom("open", "Open aan het eind van de maand")]),
    "thuiszitters": _tabel("thuiszitters", [kolom("maand", "Maand"), kolom("thuiszitters", "Thuiszitters")]),
    "doorlooptijd_maand": _tabel("doorlooptijd-maand", _doorloop(kolom("maand", "Maand"))),
    "doorlooptijd_aanpak": _tabel("doorlooptijd-aanpak", _doorloop(kolom("aanpak", "Aanpaktype", breedte=24),
                                                                  kolom("titel", "Titel", breedte=40))),
    "tlv": _tabel("tlv", [kolom("schooljaar", "Schooljaar"), kolom("soort", "Soort"),
                          kolom("categorie", "Bekostigingscategorie"), kolom("aantal", "Aantal")]),
    "tlv_einde": _tabel("tlv-einde", [kolom("maand", "Einddatum in"), kolom("soort", "Soort"),
                                      kolom("aantal", "Aantal")]),
    "budget": _tabel("budget", [kolom("schooljaar", "Schooljaar"), kolom("regeling", "Regeling", breedte=28),
                                kolom("soort", "Soort"), kolom("naam", "Naam", breedte=36),
                                kolom("beschikbaar", "Beschikbaar", "euro"), kolom("toegekend", "Toegekend", "euro"),
                                kolom("resterend", "Resterend", "euro")]),
    "taken": _tabel("taken", [kolom("functie", "Functie", breedte=28), kolom("open", "Open taken"),
                              kolom("te_laat", "Over de termijn")]),
}
