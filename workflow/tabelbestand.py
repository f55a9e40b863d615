"""Reading an uploaded table (CSV or Excel .xlsx) for the imports: rows of text, a header that
names its columns in any order, Dutch messages for a file that cannot be read.

    tabel = lees_tabel("scholen.xlsx", data, max_regels=2000)          # list of rows of str
    kolommen = kop(tabel[0], KOLOMMEN, verplicht=("naam", "brin"))       # {"naam": 0, "brin": 2}
    rijen = regels(tabel, kolommen)                                      # [(2, {"naam": "…"}), …]

A CSV is UTF-8 (with or without BOM) separated by commas or semicolons (Dutch Excel writes
semicolons); an .xlsx is read from its first sheet with openpyxl.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any


class BestandFout(Exception):  # noqa: N818 - the file as a whole cannot be read; the message is Dutch
    pass


def lees_tabel(bestandsnaam: str, data: bytes, max_regels: int) -> list[list[str]]:
    """The rows of an uploaded .csv or .xlsx; BestandFout when it is neither or cannot be read."""
    naam = bestandsnaam.lower()
    if naam.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        tabel = _xlsx(data, max_regels)
    elif naam.endswith((".csv", ".txt")) or not naam:
        tabel = _csv(data)
    else:
        raise BestandFout("Kies een CSV-bestand (.csv) of een Excel-bestand (.xlsx).")
    if not tabel:
        raise BestandFout("Het bestand is leeg.")
    return tabel


def _csv(data: bytes) -> list[list[str]]:
    try:
        tekst = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BestandFout("Het bestand is geen UTF-8-tekst. Sla het in Excel op als ‘CSV UTF-8 (door komma's "
                          "gescheiden)’ en probeer het opnieuw.") from None  # fmt: skip
    if "\x00" in tekst:
        raise BestandFout("Dit is geen CSV-bestand. Kies een CSV-bestand (.csv) of een Excel-bestand (.xlsx).")
    eerste = tekst.splitlines()[0] if tekst.strip() else ""
    scheiding = ";" if eerste.count(";") >= eerste.count(",") and ";" in eerste else ","
    try:
        return list(csv.reader(io.StringIO(tekst, newline=""), delimiter=scheiding))
    except csv.Error as fout:
        raise BestandFout(f"Het CSV-bestand kan niet gelezen worden: {fout}.") from None


def _xlsx(data: bytes, max_regels: int) -> list[list[str]]:
    from openpyxl import load_workbook  # only an import needs it

    try:
        boek = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise BestandFout("Het Excel-bestand kan niet gelezen worden. Sla het op als .xlsx en probeer het "
                          "opnieuw.") from None  # fmt: skip
    try:
        blad = boek.worksheets[0]
        return [[_tekst(w) for w in rij] for rij in blad.iter_rows(values_only=True, max_row=max_regels + 2)]
    finally:
        boek.close()


def _tekst(waarde: Any) -> str:
    if waarde is None:
        return ""
    if isinstance(waarde, float) and waarde.is_integer():
        return str(int(waarde))
    return str(waarde)


def kop(rij: Sequence[str], kolommen: Mapping[str, Sequence[str]], verplicht: Sequence[str]) -> dict[str, int]:
    """Which column holds which key (``kolommen``: key -> the header texts it may have, first is its
    name); BestandFout names the required columns that are missing."""
    gevonden: dict[str, int] = {}
    for index, cel in enumerate(rij):
        tekst = cel.strip().lower().lstrip("\ufeff")
        for key, namen in kolommen.items():
            if tekst in namen and key not in gevonden:
                gevonden[key] = index
    ontbreekt = [kolommen[k][0] for k in verplicht if k not in gevonden]
    if ontbreekt:
        raise BestandFout(f"De kopregel mist de kolom{'men' if len(ontbreekt) > 1 else ''} {', '.join(ontbreekt)}. "
                          f"Verwacht: {', '.join(namen[0] for namen in kolommen.values())}.")  # fmt: skip
    return gevonden


def regels(tabel: list[list[str]], kolommen: dict[str, int]) -> list[tuple[int, dict[str, str]]]:
    """The data rows under the header as (line number as a spreadsheet shows it, {key: text}); blank rows skipped."""
    def cel(rij: list[str], index: int) -> str:
        return rij[index].strip() if index < len(rij) else ""

    return [(nummer, {key: cel(rij, i) for key, i in kolommen.items()})
            for nummer, rij in enumerate(tabel[1:], start=2) if any(w.strip() for w in rij)]  # fmt: skip
