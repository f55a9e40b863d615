"""Kengetallen (/kengetallen): every figure of workflow/kengetallen*.py as a chart with its table.

The charts are drawn by web/static/kengetallen.js from a JSON block beside each canvas (no
inline script: the CSP allows scripts from our own origin only). Each table is the table
component (web/tabel.py) over the figure's aggregated rows: the same column chooser, remembered
per user and figure, and Exporteren naar Excel with exactly the rows and columns shown.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from models import Bestuur, School, Wijk, db
from models.hulpvraag import TITELS
from web import policy
from web.kengetallen.kolommen import TABELLEN
from web.tabel import XLSX, Pagina, Weergave, filterdatum, schrijf_xlsx
from web.ui import AMSTERDAM
from workflow import audit, kengetallen
from workflow.kengetallen import ALLE_SCHOLEN, ROLLEN, Figuur, Filters

bp = Blueprint("kengetallen", __name__, url_prefix="/kengetallen")
MAX_MAANDEN = 120  # a longer period makes charts nobody can read


@dataclass
class Keuze:
    """The filters as read from the request, with a Dutch note for every value that was not used."""

    filters: Filters
    meldingen: list[str] = field(default_factory=list)

    def url_args(self) -> dict[str, Any]:
        f = self.filters
        args = {"van": f.van.isoformat(), "tot": f.tot.isoformat(), "school": f.school_id,
                "bestuur": f.bestuur_id, "wijk": f.wijk_id, "titel": f.titel}  # fmt: skip
        return {k: v for k, v in args.items() if v}

    def samenvatting(self) -> str:
        return "; ".join(f"{k} {v}" for k, v in self.url_args().items())


def lees_filters(args: MultiDict[str, str]) -> Keuze:
    standaard = kengetallen.standaard_filters()
    meldingen: list[str] = []
    van = _datum(args, "van", "van", meldingen) or standaard.van
    tot = _datum(args, "tot", "tot en met", meldingen) or standaard.tot
    if van > tot:
        meldingen.append("De periode was omgekeerd: ‘van’ en ‘tot en met’ zijn verwisseld.")
        van, tot = tot, van
    if (tot.year - van.year) * 12 + tot.month - van.month >= MAX_MAANDEN:
        jaar, maand = divmod(tot.year * 12 + tot.month - MAX_MAANDEN, 12)
        van = date(jaar, maand + 1, 1)
        meldingen.append(f"De periode is ingekort tot {MAX_MAANDEN // 12} jaar: vanaf {van:%d-%m-%Y}.")
    titel = args.get("titel", "").strip()[:120]
    if titel and titel not in TITELS:
        meldingen.append(f"Onbekende titel ‘{titel[:40]}’: dit filter is niet toegepast.")
        titel = ""
    filters = Filters(van=van, tot=tot, school_id=_getal(args, "school", meldingen),
                      bestuur_id=_getal(args, "bestuur", meldingen), wijk_id=_getal(args, "wijk", meldingen),
                      titel=titel)  # fmt: skip
    return Keuze(filters, meldingen)


def _getal(args: MultiDict[str, str], name: str, meldingen: list[str]) -> int | None:
    value = args.get(name, "").strip()
    if value.isdigit() and len(value) < 10:
        return int(value)
    if value:
        meldingen.append(f"Onbekende {name} ‘{value[:40]}’: dit filter is niet toegepast.")
    return None


def _datum(args: MultiDict[str, str], name: str, label: str, meldingen: list[str]) -> Any:
    value = args.get(name, "").strip()
    if not value:
        return None
    try:
        return filterdatum(value)
    except ValueError as reden:
        meldingen.append(f"Ongeldige datum ‘{value[:20]}’ bij {label}: {reden}. De standaardperiode is gebruikt.")
    return None


# --- tables ---------------------------------------------------------------------------------------
def _weergave(figuur: Figuur, keuze: Keuze, kolommen: list[Any] | None = None) -> Weergave:
    tabel = TABELLEN[figuur.key]
    stand = tabel.stand({}, kolommen if kolommen is not None else tabel.kolomkeuze(current_user))
    rijen = [SimpleNamespace(**rij) for rij in figuur.rijen]
    return Weergave(tabel, stand, Pagina(rijen, len(rijen), 1, 1), endpoint="kengetallen.index",  # type: ignore[arg-type]
                    filter_args=keuze.url_args(), zoektekst="", meldingen=[], enkelvoud="rij", meervoud="rijen",
                    kolommen_url=url_for("kengetallen.kolommen", figuur=figuur.key),
                    export_url=url_for("kengetallen.export", figuur=figuur.key), doel_id=f"tabel-{figuur.key}",
                    form_id="toegepast")  # fmt: skip


def _figuur(key: str, keuze: Keuze) -> Figuur:
    """One figure (404 for a name that is none), computed as the page does."""
    if key not in TABELLEN:
        abort(404)
    gevonden = next((f for f in kengetallen.figuren(current_user, keuze.filters, key) if f.key == key), None)
    if gevonden is None:
        abort(404)
    return gevonden


def _args() -> MultiDict[str, str]:
    return request.form if request.method == "POST" else request.args


@bp.get("")
@policy.roles(*ROLLEN)
def index() -> str:
    keuze = lees_filters(request.args)
    figuren = kengetallen.figuren(current_user, keuze.filters)
    weergaven = {f.key: _weergave(f, keuze) for f in figuren}
    return render_template("kengetallen/index.html", figuren=figuren, weergaven=weergaven, keuze=keuze,
                           f=keuze.filters, **_keuzes())  # fmt: skip


@bp.post("/kolommen/<figuur>")
@policy.roles(*ROLLEN)
def kolommen(figuur: str) -> str | Response:
    """The column chooser of one table: stored for this user, then that table again."""
    keuze = lees_filters(request.form)
    gevonden = _figuur(figuur, keuze)
    gekozen = TABELLEN[figuur].bewaar_kolomkeuze(current_user, request.form.getlist("kolom"))
    db.session.commit()
    if not request.headers.get("HX-Request"):
        return redirect(url_for("kengetallen.index", **keuze.url_args()) + f"#{figuur}")
    return render_template("kengetallen/_tabel.html", w=_weergave(gevonden, keuze, gekozen))


@bp.route("/export/<figuur>.xlsx", methods=["GET", "POST"])
@policy.roles(*ROLLEN)
def export(figuur: str) -> Response:
    """Exporteren naar Excel: the rows and chosen columns of one table, for the same filters."""
    keuze = lees_filters(_args())
    gevonden = _figuur(figuur, keuze)
    w = _weergave(gevonden, keuze)
    bestand = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - send_file closes it
    blad = re.sub(r"[\[\]:*?/\\]", "", gevonden.titel)  # characters Excel refuses in a sheet name
    aantal = schrijf_xlsx(bestand, blad, w.stand.kolommen, w.pagina.rows)
    detail = f"kengetallen {figuur}: {aantal} rijen; {keuze.samenvatting()}; kolommen {', '.join(w.stand.keys)}"
    audit.record(current_user, "exporteren", "export", None, detail=detail)
    db.session.commit()  # the file leaves only once its audit entry is stored
    bestand.seek(0)
    naam = f"kengetallen-{figuur}-{datetime.now(AMSTERDAM):%Y-%m-%d}.xlsx"
    return send_file(bestand, mimetype=XLSX, as_attachment=True, download_name=naam, max_age=0)


def _keuzes() -> dict[str, Any]:
    """The options of the filter fields, within what this user may see."""
    scholen = sa.select(School).order_by(School.naam)
    if not current_user.rollen & ALLE_SCHOLEN:
        scholen = scholen.where(School.id.in_(current_user.school_ids or {0}))
    gezien = db.session.scalars(scholen).all()
    besturen = sa.select(Bestuur).order_by(Bestuur.naam)
    wijken = sa.select(Wijk).order_by(Wijk.naam)
    if not current_user.rollen & ALLE_SCHOLEN:
        besturen = besturen.where(Bestuur.id.in_({s.bestuur_id for s in gezien} or {0}))
        wijken = wijken.where(Wijk.id.in_({s.wijk_id for s in gezien if s.wijk_id} or {0}))
    return {"scholen": gezien, "besturen": db.session.scalars(besturen).all(),
            "wijken": db.session.scalars(wijken).all(), "titels": TITELS}  # fmt: skip
