"""The table component of the main lists: columns defined once, drawn by ``_tabel.html``, exported to Excel.

A list (hulpvragen today; taken, formulieren, kengetallen later) declares its columns and
builds its own base query (joins, scope, filters) selecting nothing but the rows' identity:

    TABEL = Tabel("hulpvragen", [
        Kolom("titel", "Titel", Hulpvraag.titel),
        Kolom("gewijzigd", "Gewijzigd", Hulpvraag.updated_at, html=datum_html, standaard=True),
    ], tiebreaker=Hulpvraag.id, standaard_sortering="gewijzigd", standaard_richting="desc")

    stand = TABEL.stand(request.args, TABEL.kolomkeuze(current_user))
    pagina = TABEL.pagina(basis, stand, size)          # rows of the chosen columns, one page
    TABEL.excel(bestand, basis, stand)                 # the same rows, all of them, streamed

The sort order always ends with the unique ``tiebreaker``, so pages never repeat or skip a row.
Which columns a user shows is stored per user and list in ``Voorkeur``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

import sqlalchemy as sa
import xlsxwriter
from flask import url_for
from markupsafe import Markup
from sqlalchemy.engine import Row
from sqlalchemy.sql.elements import ColumnElement

from models import User, db
from models.voorkeur import Voorkeur
from web.ui import AMSTERDAM, datum

RICHTINGEN = ("asc", "desc")
DATUM_FORMATEN = ("%Y-%m-%d", "%d-%m-%Y")
# A filter date outside these is a typo; beyond them a period cannot even be computed (9999-12-31 + 1 day).
EERSTE_DATUM, LAATSTE_DATUM = date(1900, 1, 1), date(2999, 12, 31)
MAX_PAGINA = 1_000_000  # a page number beyond this is a typo: it is read as the last page
EXCEL_MAX_RIJEN = 1_048_575  # one sheet holds 1,048,576 rows including the header
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Weergeven = Callable[[Row[Any]], "str | Markup"]
Exporteren = Callable[[Row[Any]], object]


@dataclass(frozen=True)
class Kolom:
    """One column: ``expressie`` is selected under the name ``key`` and sorts and filters the list.

    ``velden`` are further labelled expressions the renderers read (``row.roepnaam``);
    ``sorteer`` overrides the sort expressions ((), for a column that cannot be sorted).
    ``html`` gives the cell's content (plain text is escaped; return Markup for a link),
    ``excel`` the cell's value in the export (str, number, date or datetime; None is blank).
    """

    key: str
    label: str
    expressie: ColumnElement[Any]
    html: Weergeven | None = None
    excel: Exporteren | None = None
    velden: tuple[ColumnElement[Any], ...] = ()
    sorteer: tuple[ColumnElement[Any], ...] | None = None
    standaard: bool = True  # shown until the user chooses otherwise
    vast: bool = False  # always shown: the column that links to the row
    breedte: int = 18  # Excel column width, in characters

    @property
    def sorteerbaar(self) -> bool:
        return self.sorteer != ()

    def sorteer_op(self) -> tuple[ColumnElement[Any], ...]:
        return self.sorteer if self.sorteer is not None else (self.expressie,)

    def cel(self, row: Row[Any]) -> str | Markup:
        if self.html is not None:
            return self.html(row)
        value = getattr(row, self.key)
        return datum(value) if isinstance(value, date) else ("" if value is None else str(value))

    def waarde(self, row: Row[Any]) -> object:
        return self.excel(row) if self.excel is not None else getattr(row, self.key)


@dataclass
class Stand:
    """What the user asked of the table: columns, sort order and page (already checked)."""

    kolommen: list[Kolom]
    sortering: str
    richting: str
    pagina: int = 1
    meldingen: list[str] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        return [k.key for k in self.kolommen]


@dataclass
class Pagina:
    rows: list[Row[Any]]
    totaal: int
    nummer: int
    aantal: int  # number of pages, at least 1
    meer: bool = False  # counting stopped early: there are more than ``totaal`` rows (and pages)


@dataclass
class Weergave:
    """Everything ``_tabel.html`` draws: the table, what was asked, one page of rows, and where links go.

    ``filter_args`` are the list's filters that may appear in a URL; ``zoektekst`` (free text
    that may name a pupil) never does: it only travels in the forms' bodies and htmx requests.
    """

    tabel: Tabel
    stand: Stand
    pagina: Pagina
    endpoint: str  # the list page
    filter_args: dict[str, Any]
    zoektekst: str
    meldingen: list[str]
    enkelvoud: str  # "hulpvraag"
    meervoud: str  # "hulpvragen"
    kolommen_url: str
    export_url: str
    form_id: str = "filters"  # the filter form
    doel_id: str = "resultaten"  # the element the results replace

    def url(self, **wijzig: Any) -> str:
        """The list's address with the current filters, columns aside; defaults are left out."""
        args = {**self.filter_args, "sort": self.stand.sortering, "richting": self.stand.richting,
                "pagina": self.stand.pagina, **wijzig}  # fmt: skip
        if args["sort"] == self.tabel.standaard_sortering and args["richting"] == self.tabel.standaard_richting:
            del args["sort"], args["richting"]
        if args.get("pagina") == 1:
            del args["pagina"]
        return url_for(self.endpoint, **args)

    @property
    def telling(self) -> str:
        totaal = self.pagina.totaal
        woord = self.enkelvoud if totaal == 1 and not self.pagina.meer else self.meervoud
        aantal = f"{totaal:,}".replace(",", ".")
        if self.pagina.meer:
            return f"Meer dan {aantal} {woord} gevonden: typ verder om te verfijnen"
        return f"{aantal} {woord} gevonden"

    @property
    def leeg(self) -> str:
        gefilterd = self.zoektekst or self.filter_args
        return f"Geen {self.meervoud} gevonden" + (" met deze zoekopdracht." if gefilterd else ".")

    def export_velden(self) -> list[tuple[str, str]]:
        """The current state as form fields, so the export button works without JavaScript too."""
        velden = [("q", self.zoektekst)] if self.zoektekst else []
        args = {**self.filter_args, "sort": self.stand.sortering, "richting": self.stand.richting}
        for name, value in args.items():
            velden += [(name, str(v)) for v in (value if isinstance(value, list) else [value])]
        return velden


class Tabel:
    """The columns of one list and what can be done with them."""

    def __init__(self, naam: str, kolommen: list[Kolom], *, bron: sa.FromClause, id_veld: ColumnElement[Any],
                 standaard_sortering: str, standaard_richting: str = "asc") -> None:  # fmt: skip
        self.naam = naam
        self.kolommen = kolommen
        self.bron = bron  # the joins the columns read from; the list's own query stays on the main table
        self.id_veld = id_veld  # unique: identifies the row in links and ends every sort order
        self.standaard_sortering = standaard_sortering
        self.standaard_richting = standaard_richting
        self._per_key = {k.key: k for k in kolommen}

    # --- reading the request ------------------------------------------------------------
    def kies(self, keys: Iterable[str]) -> list[Kolom]:
        """The known columns among ``keys`` plus the fixed ones, in the table's order."""
        wanted = set(keys)
        return [k for k in self.kolommen if k.vast or k.key in wanted]

    def standaard_kolommen(self) -> list[Kolom]:
        return [k for k in self.kolommen if k.standaard or k.vast]

    def stand(self, args: Mapping[str, str], kolommen: list[Kolom]) -> Stand:
        """Sort order and page from ``sort``, ``richting`` and ``pagina``; nonsense gets a default and a note."""
        stand = Stand(kolommen, self.standaard_sortering, self.standaard_richting)
        sortering = args.get("sort", "")
        kolom = self._per_key.get(sortering)
        if kolom is not None and kolom.sorteerbaar:
            stand.sortering = sortering
            stand.richting = args.get("richting", "asc") if args.get("richting") in RICHTINGEN else "asc"
        elif sortering:
            stand.meldingen.append(f"Onbekende sortering ‘{sortering[:40]}’: de lijst staat in de standaardvolgorde.")
        pagina = args.get("pagina", "1") or "1"
        if not pagina.isdigit() or int(pagina) < 1:
            stand.meldingen.append(f"Ongeldig paginanummer ‘{pagina[:20]}’: pagina 1 getoond.")
        else:
            stand.pagina = min(int(pagina), MAX_PAGINA)
        return stand

    # --- the column chooser, remembered per user ----------------------------------------
    def kolomkeuze(self, user: User) -> list[Kolom]:
        voorkeur = self._voorkeur(user)
        keys = voorkeur.instellingen.get("kolommen") if voorkeur else None
        return self.kies(keys) if isinstance(keys, list) else self.standaard_kolommen()

    def bewaar_kolomkeuze(self, user: User, keys: Iterable[str]) -> list[Kolom]:
        """Store the chosen columns (flushed, never committed); unknown keys are dropped."""
        kolommen = self.kies(keys)
        voorkeur = self._voorkeur(user) or Voorkeur(user_id=user.id, lijst=self.naam, instellingen={})
        voorkeur.instellingen = {**voorkeur.instellingen, "kolommen": [k.key for k in kolommen]}
        db.session.add(voorkeur)
        db.session.flush()
        return kolommen

    def _voorkeur(self, user: User) -> Voorkeur | None:
        query = sa.select(Voorkeur).where(Voorkeur.user_id == user.id, Voorkeur.lijst == self.naam)
        return db.session.scalar(query)

    # --- queries ------------------------------------------------------------------------
    def select(self, basis: sa.Select[Any], stand: Stand) -> sa.Select[Any]:
        """``basis`` with the chosen columns' fields and the sort order (unique tiebreaker last)."""
        velden: dict[str, ColumnElement[Any]] = {"id": self.id_veld.label("id")}
        for kolom in stand.kolommen:
            velden.setdefault(kolom.key, kolom.expressie.label(kolom.key))
            for veld in kolom.velden:
                velden.setdefault(veld.key or "", veld)
        kolom = self._per_key[stand.sortering]
        orde = [*kolom.sorteer_op(), self.id_veld]
        richting = sa.desc if stand.richting == "desc" else sa.asc
        query = basis.with_only_columns(*velden.values()).select_from(self.bron)
        return query.order_by(*(richting(e) for e in orde))

    def tel(self, basis: sa.Select[Any]) -> int:
        return db.session.scalar(basis.with_only_columns(sa.func.count(), maintain_column_froms=True)) or 0

    def pagina(self, basis: sa.Select[Any], stand: Stand, grootte: int, tel_tot: int | None = None) -> Pagina:
        """One page; a page past the end shows the last page (and says so).

        ``tel_tot``: count at most this many rows, for a search over free text, where an exact
        count of a long list costs a full scan and helps nobody (the pager then says "meer dan").
        """
        if tel_tot is None:
            return self._pagina(basis, stand, grootte, self.tel(basis), meer=False)
        grens = max(tel_tot, stand.pagina * grootte)
        # One pass in storage order that stops after grens + 1 hits: a handful of ids, or "many".
        ids = list(db.session.scalars(basis.with_only_columns(self.id_veld).order_by(None).limit(grens + 1)))
        if len(ids) > grens:  # many hits: the ordered query finds its page quickly
            return self._pagina(basis, stand, grootte, grens, meer=True)
        # These ids passed scope and filters already: the page needs nothing but them.
        alleen = sa.select(self.id_veld).where(self.id_veld.in_(ids))
        return self._pagina(alleen, stand, grootte, len(ids), meer=False)

    def _pagina(self, basis: sa.Select[Any], stand: Stand, grootte: int, totaal: int, meer: bool) -> Pagina:
        aantal = max((totaal + grootte - 1) // grootte, 1)
        if stand.pagina > aantal:
            stand.meldingen.append(f"Pagina {stand.pagina} bestaat niet: de laatste pagina ({aantal}) wordt getoond.")
            stand.pagina = aantal
        query = self.select(basis, stand).limit(grootte).offset((stand.pagina - 1) * grootte)
        return Pagina(list(db.session.execute(query)), totaal, stand.pagina, aantal, meer)

    # --- Excel --------------------------------------------------------------------------
    def excel(self, bestand: IO[bytes], basis: sa.Select[Any], stand: Stand, blad: str) -> int:
        """Write every row of ``basis`` (chosen columns, sort order) as .xlsx to ``bestand``; returns the count.

        Rows are fetched in batches and written in XlsxWriter's constant-memory mode, so memory
        stays flat however long the list is.
        """
        query = self.select(basis, stand).limit(EXCEL_MAX_RIJEN)
        rows = db.session.execute(query.execution_options(yield_per=2000))
        return schrijf_xlsx(bestand, blad, stand.kolommen, rows)


def schrijf_xlsx(bestand: IO[bytes], blad: str, kolommen: list[Kolom], rows: Iterable[Row[Any]]) -> int:
    # Text stays text: a name starting with "=" must never become a formula (formula injection).
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
               "strings_to_numbers": False}  # fmt: skip
    workbook = xlsxwriter.Workbook(bestand, options)
    sheet = workbook.add_worksheet(blad[:31])
    formats = {"kop": workbook.add_format({"bold": True}),
               "datum": workbook.add_format({"num_format": "dd-mm-yyyy"}),
               "tijd": workbook.add_format({"num_format": "dd-mm-yyyy hh:mm"})}  # fmt: skip
    for index, kolom in enumerate(kolommen):
        sheet.set_column(index, index, kolom.breedte)
        sheet.write_string(0, index, kolom.label, formats["kop"])
    sheet.freeze_panes(1, 0)
    schrijvers = [kolom.waarde for kolom in kolommen]
    nummer = 0
    for nummer, row in enumerate(rows, start=1):
        for index, waarde in enumerate(schrijvers):
            _schrijf_cel(sheet, nummer, index, waarde(row), formats)
    sheet.autofilter(0, 0, max(nummer, 1), max(len(kolommen) - 1, 0))
    workbook.close()
    return nummer


def _schrijf_cel(sheet: Any, rij: int, kolom: int, value: object, formats: dict[str, Any]) -> None:
    if value is None or value == "":
        return
    if isinstance(value, str):
        sheet.write_string(rij, kolom, value)
    elif isinstance(value, datetime):  # Excel has no time zones: the Dutch wall-clock time
        local = value.astimezone(AMSTERDAM) if value.tzinfo else value
        sheet.write_datetime(rij, kolom, local.replace(tzinfo=None), formats["tijd"])
    elif isinstance(value, date):
        sheet.write_datetime(rij, kolom, datetime(value.year, value.month, value.day), formats["datum"])
    elif isinstance(value, bool):
        sheet.write_string(rij, kolom, "ja" if value else "nee")
    elif isinstance(value, int | float):
        sheet.write_number(rij, kolom, value)
    else:
        sheet.write_string(rij, kolom, str(value))


class DatumBuitenBereik(ValueError):
    """A real date, but one no list can filter on (before 1900 or after 2999)."""


def filterdatum(value: str) -> date:
    """A date typed in a list's filter (jjjj-mm-dd or dd-mm-jjjj); ValueError with a Dutch reason."""
    for pattern in DATUM_FORMATEN:
        try:
            day = datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
        if not EERSTE_DATUM <= day <= LAATSTE_DATUM:
            raise DatumBuitenBereik(f"kies een datum tussen {EERSTE_DATUM.year} en {LAATSTE_DATUM.year}")
        return day
    raise ValueError("gebruik dd-mm-jjjj")
