"""Formulieren: a list with search while typing, filters, the column chooser and Exporteren naar
Excel (on the table component, web/tabel.py, as the hulpvragen list), and a Formulier's own page.

Every query starts from ``formulier_filter``: a user sees exactly the Formulieren of the hulpvragen
they may see. The search text may name a pupil, so it never goes into a URL (as in the hulpvragen list).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy.engine import Row
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from models import Bestuur, Dossier, Formulier, Hulpvraag, School, db
from web import policy
from web.tabel import XLSX, Kolom, Tabel, Weergave
from web.ui import AMSTERDAM, status_class
from workflow import audit
from workflow.antwoorden import van_aanpak
from workflow.budget import euro
from workflow.formulieren import SOORTEN, formulier_filter, zichtbaar

bp = Blueprint("formulieren", __name__, url_prefix="/formulieren")
bp.add_app_template_filter(euro, "euro")
ROLLEN = ("aanvrager", "directeur", "scp", "functionaris", "beheerder")
MAX_ZOEKTEKST = 100
MAX_WOORDEN = 5


# --- the columns ------------------------------------------------------------------------
def _link(row: Row[Any]) -> Markup:
    href = url_for("formulieren.show", formulier_id=row.id)
    return Markup('<a href="{}">{}</a>').format(href, row.aanvraagnummer or f"Formulier {row.id}")


def _status(row: Row[Any]) -> Markup:
    return Markup('<span class="status {}">{}</span>').format(status_class(row.status), escape(row.status))


def _leerling(row: Row[Any]) -> str:
    if row.niveau == "school":
        return "Schooldossier"
    return " ".join(p for p in (row.roepnaam, row.tussenvoegsel, row.leerling) if p)


def _euro(key: str) -> Any:
    return lambda row: euro(getattr(row, key)) if getattr(row, key) is not None else ""


def _getal(key: str) -> Any:
    return lambda row: float(getattr(row, key)) if isinstance(getattr(row, key), Decimal) else getattr(row, key)


TABEL = Tabel("formulieren", [
    Kolom("aanvraagnummer", "Aanvraagnummer", Hulpvraag.aanvraagnummer, html=_link, vast=True, breedte=16),
    Kolom("soort", "Soort", Formulier.soort, breedte=26),
    Kolom("leerling", "Leerling", Dossier.achternaam, html=_leerling, excel=_leerling, standaard=False, breedte=28,
          velden=(Dossier.roepnaam.label("roepnaam"), Dossier.tussenvoegsel.label("tussenvoegsel"),
                  Dossier.niveau.label("niveau")),
          sorteer=(sa.func.lower(Dossier.achternaam), sa.func.lower(Dossier.roepnaam))),
    Kolom("school", "School", School.naam, sorteer=(sa.func.lower(School.naam),), breedte=30),
    Kolom("bestuur", "Bestuur", Bestuur.naam, breedte=26),
    Kolom("bestuur_formulier", "Bestuur (ingevuld)", Formulier.bestuur, standaard=False, breedte=26),
    Kolom("schooljaar", "Schooljaar", Formulier.schooljaar, breedte=11),
    Kolom("status", "Status", Formulier.status, html=_status, breedte=30),
    Kolom("aangevraagd", "Aangevraagd", Formulier.aangevraagd_bedrag, html=_euro("aangevraagd"),
          excel=_getal("aangevraagd"), breedte=14),
    Kolom("advies", "Advies SCP", Formulier.advies, standaard=False, breedte=22),
    Kolom("besluit", "Besluit", Formulier.besluit, breedte=14),
    Kolom("toegekend", "Toegekend", Formulier.toegekend_bedrag, html=_euro("toegekend"),
          excel=_getal("toegekend"), breedte=14),
    Kolom("gewijzigd", "Gewijzigd", Formulier.updated_at),
], bron=sa.join(Formulier, Hulpvraag, Formulier.hulpvraag_id == Hulpvraag.id)
     .join(Dossier, Hulpvraag.dossier_id == Dossier.id)
     .join(School, Hulpvraag.school_id == School.id)
     .outerjoin(Bestuur, School.bestuur_id == Bestuur.id),
   id_veld=Formulier.id, standaard_sortering="gewijzigd", standaard_richting="desc")  # fmt: skip


# --- the filters ------------------------------------------------------------------------
@dataclass
class Filters:
    q: str = ""
    soort: str = ""
    status: str = ""
    school_id: int | None = None
    bestuur_id: int | None = None
    schooljaar: str = ""
    meldingen: list[str] = field(default_factory=list)

    def url_args(self) -> dict[str, Any]:
        args = {"soort": self.soort, "status": self.status, "school": self.school_id,
                "bestuur": self.bestuur_id, "schooljaar": self.schooljaar}  # fmt: skip
        return {k: v for k, v in args.items() if v}

    def samenvatting(self) -> str:
        parts = ["zoektekst (niet vastgelegd)"] if self.q else []
        parts += [f"{k} {v}" for k, v in self.url_args().items()]
        return "; ".join(parts) or "geen filter"


def lees_filters(args: MultiDict[str, str]) -> Filters:
    filters = Filters(q=" ".join(args.get("q", "").split())[:MAX_ZOEKTEKST])
    soort = args.get("soort", "")
    if soort in SOORTEN:
        filters.soort = soort
    elif soort:
        filters.meldingen.append(f"Onbekende soort ‘{soort[:40]}’: dit filter is niet toegepast.")
    filters.status = args.get("status", "")[:200]
    filters.schooljaar = args.get("schooljaar", "")[:9]
    filters.school_id = _id(args, "school", "school", filters.meldingen)
    filters.bestuur_id = _id(args, "bestuur", "bestuur", filters.meldingen)
    return filters


def _id(args: MultiDict[str, str], name: str, label: str, meldingen: list[str]) -> int | None:
    value = args.get(name, "").strip()
    if value.isdigit() and len(value) < 10:
        return int(value)
    if value:
        meldingen.append(f"Onbekend {label} ‘{value[:40]}’: dit filter is niet toegepast.")
    return None


def _basis(filters: Filters) -> sa.Select[Any]:
    query = sa.select(Formulier.id).where(formulier_filter(current_user))
    for word in filters.q.lower().split()[:MAX_WOORDEN]:
        query = query.where(_zoek(word))
    if filters.soort:
        query = query.where(Formulier.soort == filters.soort)
    if filters.status:
        query = query.where(Formulier.status == filters.status)
    if filters.schooljaar:
        query = query.where(Formulier.schooljaar == filters.schooljaar)
    hulpvragen = sa.select(Hulpvraag.id)
    if filters.school_id is not None:
        query = query.where(Formulier.hulpvraag_id.in_(hulpvragen.where(Hulpvraag.school_id == filters.school_id)))
    if filters.bestuur_id is not None:
        scholen = sa.select(School.id).where(School.bestuur_id == filters.bestuur_id)
        query = query.where(Formulier.hulpvraag_id.in_(hulpvragen.where(Hulpvraag.school_id.in_(scholen))))
    return query


def _zoek(word: str) -> sa.ColumnElement[bool]:
    """One typed word in the aanvraagnummer, soort, bestuur, school or the pupil's name."""
    pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

    def bevat(*fields: Any) -> sa.ColumnElement[bool]:
        return sa.or_(*(f.ilike(pattern, escape="\\") for f in fields))

    leerlingen = sa.select(Dossier.id).where(bevat(Dossier.roepnaam, Dossier.tussenvoegsel, Dossier.achternaam))
    scholen = sa.select(School.id).where(bevat(School.naam))
    hulpvragen = sa.select(Hulpvraag.id).where(sa.or_(
        bevat(Hulpvraag.aanvraagnummer), Hulpvraag.dossier_id.in_(leerlingen), Hulpvraag.school_id.in_(scholen)
    ))  # fmt: skip
    return sa.or_(bevat(Formulier.soort, Formulier.bestuur, Formulier.status), Formulier.hulpvraag_id.in_(hulpvragen))


# --- the list ---------------------------------------------------------------------------
def _args() -> MultiDict[str, str]:
    return request.form if request.method == "POST" else request.args


def _weergave(filters: Filters, kolommen: list[Kolom]) -> Weergave:
    stand = TABEL.stand(_args(), kolommen)
    pagina = TABEL.pagina(_basis(filters), stand, current_app.config["PAGE_SIZE"])
    return Weergave(
        TABEL, stand, pagina, endpoint="formulieren.index", filter_args=filters.url_args(), zoektekst=filters.q,
        meldingen=filters.meldingen + stand.meldingen, enkelvoud="formulier", meervoud="formulieren",
        kolommen_url=url_for("formulieren.kolommen"), export_url=url_for("formulieren.export"),
    )  # fmt: skip


def _resultaten(weergave: Weergave) -> Response:
    response = make_response(render_template("formulieren/_table.html", w=weergave, oob=True))
    response.headers["HX-Replace-Url"] = weergave.url()
    return response


def _htmx() -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


@bp.get("")
@policy.roles(*ROLLEN)
def index() -> str | Response:
    filters = lees_filters(request.args)
    weergave = _weergave(filters, TABEL.kolomkeuze(current_user))
    if _htmx():
        return _resultaten(weergave)
    return render_template("formulieren/index.html", w=weergave, f=filters, **_keuzes())


@bp.post("/kolommen")
@policy.roles(*ROLLEN)
def kolommen() -> Response:
    gekozen = TABEL.bewaar_kolomkeuze(current_user, request.form.getlist("kolom"))
    db.session.commit()
    weergave = _weergave(lees_filters(request.form), gekozen)
    return _resultaten(weergave) if _htmx() else redirect(weergave.url())


@bp.route("/export.xlsx", methods=["GET", "POST"])
@policy.roles(*ROLLEN)
def export() -> Response:
    """Exporteren naar Excel: exactly the rows, order and columns of the list (audited)."""
    filters = lees_filters(_args())
    stand = TABEL.stand(_args(), TABEL.kolomkeuze(current_user))
    bestand = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - send_file closes it
    aantal = TABEL.excel(bestand, _basis(filters), stand, blad="Formulieren")
    detail = f"formulieren: {aantal} rijen; {filters.samenvatting()}; kolommen {', '.join(stand.keys)}"
    audit.record(current_user, "exporteren", "export", None, detail=detail)
    db.session.commit()
    bestand.seek(0)
    naam = f"formulieren-{datetime.now(AMSTERDAM):%Y-%m-%d}.xlsx"
    return send_file(bestand, mimetype=XLSX, as_attachment=True, download_name=naam, max_age=0)


def _keuzes() -> dict[str, Any]:
    """The options of the filters, from the Formulieren this user may see."""
    zichtbare = sa.select(Formulier).where(formulier_filter(current_user)).subquery()
    hulpvragen = sa.select(Hulpvraag.school_id).join(zichtbare, zichtbare.c.hulpvraag_id == Hulpvraag.id)
    scholen = db.session.scalars(sa.select(School).where(School.id.in_(hulpvragen)).order_by(School.naam)).all()
    besturen = db.session.scalars(
        sa.select(Bestuur).where(Bestuur.id.in_({s.bestuur_id for s in scholen if s.bestuur_id})).order_by(Bestuur.naam)
    ).all()
    waarden = db.session.execute(sa.select(zichtbare.c.status, zichtbare.c.schooljaar).distinct()).all()
    return {
        "soorten": SOORTEN, "scholen": scholen, "besturen": besturen,
        "statussen": sorted({s for s, _j in waarden if s}), "schooljaren": sorted({j for _s, j in waarden if j}),
    }  # fmt: skip


# --- one Formulier ----------------------------------------------------------------------
@bp.get("/<int:formulier_id>")
@policy.roles(*ROLLEN)
def show(formulier_id: int) -> str:
    formulier = zichtbaar(current_user, formulier_id)
    if formulier is None:
        abort(404)
    html = render_template(
        "formulieren/show.html", formulier=formulier, h=formulier.hulpvraag,
        stappen=van_aanpak(formulier.instance_id, current_user),
    )  # fmt: skip
    h = formulier.hulpvraag
    audit.record(current_user, "bekijken", "hulpvraag", h.id, dossier_id=h.dossier_id,
                 detail=f"formulier {formulier.id}: {formulier.soort}")  # fmt: skip
    db.session.commit()  # a read is only shown once its audit entry is stored (workflow/audit.py)
    return html
