"""The hulpvragen list: search while typing, filters, sorting, pages, a column chooser and Export naar Excel.

Built on the table component (web/tabel.py). Every query starts from ``_basis``, which applies
``hulpvraag_filter``: the rows, their count, the search and the export never hold more than the
user may see (no Voorlopige aanmelding for SWV staff, only their own schools for school staff).
The free search text may name a pupil, so it never goes into a URL the browser keeps.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, make_response, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy.engine import Row
from sqlalchemy.orm import aliased
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from models import Dossier, Hulpvraag, School, User, UserRol, db
from models.hulpvraag import TITELS
from models.user import Rol
from web import policy
from web.hulpvragen.views import bp
from web.tabel import XLSX, Kolom, Tabel, Weergave, filterdatum
from web.ui import AMSTERDAM, status_class
from workflow import audit, statussen
from workflow.access import hulpvraag_filter

Coordinator = aliased(User, name="coordinator")
MAX_ZOEKTEKST = 100
MAX_WOORDEN = 5
TELLEN_TOT = 500  # a free-text search counts this far: "meer dan 500" says enough while typing


# --- the columns ------------------------------------------------------------------------
def _leerling(row: Row[Any]) -> str:
    """Roepnaam tussenvoegsel achternaam (the column's own field, ``row.leerling``, is the achternaam)."""
    if row.niveau == "school":
        return f"Schooldossier {row.schoolnaam}"
    return " ".join(p for p in (row.roepnaam, row.tussenvoegsel, row.leerling) if p)


def _link(row: Row[Any]) -> Markup:
    href = url_for("hulpvragen.show", hulpvraag_id=row.id)
    return Markup('<a href="{}">{}</a>').format(href, row.aanvraagnummer or row.id)


def _status(row: Row[Any]) -> Markup:
    return Markup('<span class="status {}">{}</span>').format(status_class(row.status), escape(row.status))


TABEL = Tabel("hulpvragen", [
    Kolom("aanvraagnummer", "Aanvraagnummer", Hulpvraag.aanvraagnummer, html=_link, vast=True, breedte=16),
    Kolom("leerling", "Leerling", Dossier.achternaam, html=_leerling, excel=_leerling, breedte=28,
          velden=(Dossier.roepnaam.label("roepnaam"), Dossier.tussenvoegsel.label("tussenvoegsel"),
                  Dossier.niveau.label("niveau"), School.naam.label("schoolnaam")),
          sorteer=(sa.func.lower(Dossier.achternaam), sa.func.lower(Dossier.roepnaam))),
    Kolom("school", "School", School.naam, sorteer=(sa.func.lower(School.naam),), breedte=30),
    Kolom("titel", "Titel", Hulpvraag.titel, breedte=32),
    Kolom("status", "Status", Hulpvraag.status, html=_status, breedte=26),
    Kolom("coordinator", "Coördinator", Coordinator.naam, breedte=22),
    Kolom("contactpersoon", "Contactpersoon", Hulpvraag.contactpersoon_naam, standaard=False, breedte=22),
    Kolom("bron", "Bron", Hulpvraag.bron, standaard=False, breedte=10),
    Kolom("aangemaakt", "Aangemaakt", Hulpvraag.created_at, standaard=False),
    Kolom("gewijzigd", "Gewijzigd", Hulpvraag.updated_at),
], bron=sa.join(Hulpvraag, Dossier, Hulpvraag.dossier_id == Dossier.id)
     .join(School, Hulpvraag.school_id == School.id)
     .outerjoin(Coordinator, Hulpvraag.coordinator_id == Coordinator.id),
   id_veld=Hulpvraag.id, standaard_sortering="gewijzigd", standaard_richting="desc")  # fmt: skip


# --- the filters ------------------------------------------------------------------------
@dataclass
class Filters:
    """What the list is narrowed to; ``q`` is the free text, the rest may go into a URL."""

    q: str = ""
    statussen: list[str] = field(default_factory=list)
    titel: str = ""
    school_id: int | None = None
    coordinator_id: int | None = None
    van: date | None = None
    tot: date | None = None  # inclusive
    meldingen: list[str] = field(default_factory=list)

    def url_args(self) -> dict[str, Any]:
        args = {"status": self.statussen, "titel": self.titel, "school": self.school_id,
                "scp": self.coordinator_id, "van": self.van, "tot": self.tot}  # fmt: skip
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in args.items() if v}

    def samenvatting(self) -> str:
        """For the audit trail: which filters, never the search text (it may name a pupil)."""
        parts = ["zoektekst (niet vastgelegd)"] if self.q else []
        parts += [f"{k} {', '.join(v) if isinstance(v, list) else v}" for k, v in self.url_args().items()]
        return "; ".join(parts) or "geen filter"


def lees_filters(args: MultiDict[str, str]) -> Filters:
    filters = Filters(q=" ".join(args.get("q", "").split())[:MAX_ZOEKTEKST], titel=args.get("titel", "")[:120])
    for status in args.getlist("status")[:40]:
        if statussen.is_bekende_status(status):
            filters.statussen.append(status)
        elif status:
            filters.meldingen.append(f"Onbekende status ‘{status[:40]}’ genegeerd.")
    filters.school_id = _getal(args, "school", "school", filters.meldingen)
    filters.coordinator_id = _getal(args, "scp", "coördinator", filters.meldingen)
    filters.van = _datum(args, "van", "aangemaakt van", filters.meldingen)
    filters.tot = _datum(args, "tot", "aangemaakt tot en met", filters.meldingen)
    if filters.van and filters.tot and filters.van > filters.tot:
        filters.meldingen.append("De periode was omgekeerd: ‘van’ en ‘tot en met’ zijn verwisseld.")
        filters.van, filters.tot = filters.tot, filters.van
    return filters


def _getal(args: MultiDict[str, str], name: str, label: str, meldingen: list[str]) -> int | None:
    value = args.get(name, "").strip()
    if value.isdigit() and len(value) < 10:
        return int(value)
    if value:
        meldingen.append(f"Onbekende {label} ‘{value[:40]}’: dit filter is niet toegepast.")
    return None


def _datum(args: MultiDict[str, str], name: str, label: str, meldingen: list[str]) -> date | None:
    value = args.get(name, "").strip()
    if not value:
        return None
    try:
        return filterdatum(value)
    except ValueError as reden:
        meldingen.append(f"Ongeldige datum ‘{value[:20]}’ bij {label}: {reden}. Dit filter is niet toegepast.")
    return None


# --- the query --------------------------------------------------------------------------
def _basis(user: User, filters: Filters) -> sa.Select[Any]:
    """The rows this user may see, narrowed by ``filters``; the table adds columns, joins and order.

    It reads the hulpvraag table alone (the search looks into dossier and school through
    EXISTS), so counting the rows joins nothing.
    """
    query = sa.select(Hulpvraag.id).where(hulpvraag_filter(user))
    for word in filters.q.lower().split()[:MAX_WOORDEN]:
        query = query.where(_zoek(word))
    if filters.statussen:
        query = query.where(sa.or_(*(_status_is(s) for s in filters.statussen)))
    if filters.titel:
        query = query.where(Hulpvraag.titel == filters.titel)
    if filters.school_id is not None:
        query = query.where(Hulpvraag.school_id == filters.school_id)
    if filters.coordinator_id is not None:
        query = query.where(Hulpvraag.coordinator_id == filters.coordinator_id)
    if filters.van is not None:
        query = query.where(Hulpvraag.created_at >= _begin_van(filters.van))
    if filters.tot is not None:
        query = query.where(Hulpvraag.created_at < _begin_van(filters.tot + timedelta(days=1)))
    return query


def _zoek(word: str) -> sa.ColumnElement[bool]:
    """One typed word, found anywhere in the pupil's name, the school, the title or the aanvraagnummer.

    Dossier and school are searched once each (IN, not a join), so each hulpvraag row costs a
    lookup, and the rows are read newest first until a page is full. On PostgreSQL every part
    comes from a trigram index (models/zoeken.py) and ILIKE. SQLite has no such index; its LIKE
    already ignores case (its lower() knows ASCII only), and a lower() per field would double a scan.
    """
    pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    postgres = db.engine.dialect.name == "postgresql"

    def bevat(*fields: Any) -> sa.ColumnElement[bool]:
        return sa.or_(*((f.ilike if postgres else f.like)(pattern, escape="\\") for f in fields))

    leerlingen = sa.select(Dossier.id).where(bevat(Dossier.roepnaam, Dossier.tussenvoegsel, Dossier.achternaam))
    scholen = sa.select(School.id).where(bevat(School.naam))
    h = aliased(Hulpvraag)
    eigen = Hulpvraag.id.in_(sa.select(h.id).where(bevat(h.aanvraagnummer, h.titel))) if postgres else bevat(
        Hulpvraag.aanvraagnummer, Hulpvraag.titel)  # fmt: skip
    return sa.or_(eigen, Hulpvraag.dossier_id.in_(leerlingen), Hulpvraag.school_id.in_(scholen))


def _status_is(status: str) -> sa.ColumnElement[bool]:
    """A status with its optional suffix: "Doorzetten" also finds "Doorzetten orthopedagoog"."""
    gevonden = statussen.zoek(status)
    if gevonden is not None and gevonden.naam == status:
        return statussen.status_in(Hulpvraag.status, [gevonden])
    return Hulpvraag.status == status


def _begin_van(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=AMSTERDAM)


# --- the pages --------------------------------------------------------------------------
def _args() -> MultiDict[str, str]:
    return request.form if request.method == "POST" else request.args


def _weergave(filters: Filters, kolommen: list[Kolom]) -> Weergave:
    stand = TABEL.stand(_args(), kolommen)
    tel_tot = TELLEN_TOT if filters.q else None
    pagina = TABEL.pagina(_basis(current_user, filters), stand, current_app.config["PAGE_SIZE"], tel_tot)
    return Weergave(
        TABEL, stand, pagina, endpoint="hulpvragen.index", filter_args=filters.url_args(), zoektekst=filters.q,
        meldingen=filters.meldingen + stand.meldingen, enkelvoud="hulpvraag", meervoud="hulpvragen",
        kolommen_url=url_for("hulpvragen.kolommen"), export_url=url_for("hulpvragen.export"),
    )  # fmt: skip


def _resultaten(weergave: Weergave) -> Response:
    """The results alone, for htmx; the browser's address shows the filters but never the search text."""
    response = make_response(render_template("hulpvragen/_table.html", w=weergave, oob=True))
    response.headers["HX-Replace-Url"] = weergave.url()
    return response


def _htmx() -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


@bp.get("")
@policy.authenticated
def index() -> str | Response:
    filters = lees_filters(request.args)
    weergave = _weergave(filters, TABEL.kolomkeuze(current_user))
    if _htmx():
        return _resultaten(weergave)
    return render_template("hulpvragen/index.html", w=weergave, f=filters, **_keuzes())


@bp.post("/kolommen")
@policy.authenticated
def kolommen() -> Response:
    """The column chooser: stored for this user, then the list as it was (filters and search kept)."""
    gekozen = TABEL.bewaar_kolomkeuze(current_user, request.form.getlist("kolom"))
    db.session.commit()
    filters = lees_filters(request.form)
    weergave = _weergave(filters, gekozen)
    return _resultaten(weergave) if _htmx() else redirect(weergave.url())


@bp.route("/export.xlsx", methods=["GET", "POST"])
@policy.authenticated
def export() -> Response:
    """Export naar Excel: exactly the rows, order and columns of the list. The page posts, so the
    search text stays out of URLs; a GET with the same parameters gives the same file."""
    filters = lees_filters(_args())
    stand = TABEL.stand(_args(), TABEL.kolomkeuze(current_user))
    bestand = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - send_file closes it
    aantal = TABEL.excel(bestand, _basis(current_user, filters), stand, blad="Hulpvragen")
    detail = f"hulpvragen: {aantal} rijen; {filters.samenvatting()}; kolommen {', '.join(stand.keys)}"
    audit.record(current_user, "exporteren", "export", None, detail=detail)
    db.session.commit()  # the file leaves only once its audit entry is stored
    bestand.seek(0)
    naam = f"hulpvragen-{datetime.now(AMSTERDAM):%Y-%m-%d}.xlsx"
    return send_file(bestand, mimetype=XLSX, as_attachment=True, download_name=naam, max_age=0)


def _keuzes() -> dict[str, Any]:
    """The options of the filter fields, within what this user may see."""
    user = current_user
    scholen = sa.select(School).order_by(School.naam)
    if not user.heeft_rol(Rol.BEHEERDER, Rol.FUNCTIONARIS, Rol.PROCESBEHEERDER):
        scholen = scholen.where(sa.or_(School.id.in_(user.school_ids or {0}), School.scp_id == user.id))
    scps = sa.select(User).join(UserRol).where(UserRol.rol == Rol.SCP, User.actief.is_(True)).order_by(User.naam)
    toon_voorlopig = user.heeft_rol(Rol.BEHEERDER, Rol.AANVRAGER, Rol.DIRECTEUR)
    return {
        "alle_statussen": statussen.filterstatussen(met_verborgen=toon_voorlopig),
        "titels": TITELS, "scholen": db.session.scalars(scholen).all(), "scps": db.session.scalars(scps).all(),
    }  # fmt: skip
