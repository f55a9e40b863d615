"""Beheer: the list of accounts (search while typing, column chooser, Export naar Excel).

Built on the table component (web/tabel.py), like the hulpvragen list. The lists in a cell
(roles, functies, schools) are one aggregate per row, read as lines and shown sorted.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, make_response, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.engine import Row
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from models import Functie, LoginSession, School, User, UserRol, db
from models.functie import user_functie
from models.user import ROL_LABELS, Rol, user_school
from web import policy
from web.beheer import bp
from web.tabel import XLSX, Kolom, Tabel, Weergave
from web.ui import AMSTERDAM
from workflow import audit

MAX_ZOEKTEKST = 100
SCHEIDING = "\n"
STATUSSEN = {"actief": "Actief", "uitgeschakeld": "Uitgeschakeld", "niet_geactiveerd": "Nog niet geactiveerd"}


def _lijst(kolom: sa.ColumnElement[Any], *where: sa.ColumnElement[bool]) -> sa.ScalarSelect[Any]:
    return sa.select(sa.func.aggregate_strings(kolom, SCHEIDING)).where(*where).scalar_subquery()


def _gesorteerd(key: str, labels: dict[str, str] | None = None) -> Any:
    def tekst(row: Row[Any]) -> str:
        waarden = (getattr(row, key) or "").split(SCHEIDING)
        return ", ".join(sorted((labels or {}).get(w, w) for w in waarden if w))

    return tekst


def _naam(row: Row[Any]) -> Markup:
    return Markup('<a href="{}">{}</a>').format(url_for("beheer.gebruiker", user_id=row.id), row.naam)


_ROLLEN = _lijst(UserRol.rol, UserRol.user_id == User.id)
_FUNCTIES = _lijst(Functie.naam, user_functie.c.user_id == User.id, user_functie.c.functie_id == Functie.id)
_SCHOLEN = _lijst(School.naam, user_school.c.user_id == User.id, user_school.c.school_id == School.id)
_SCP_VAN = _lijst(School.naam, School.scp_id == User.id)
_LAATSTE_LOGIN = sa.select(sa.func.max(LoginSession.created_at)).where(LoginSession.user_id == User.id)
_STATUS = sa.case((User.actief.is_(False), STATUSSEN["uitgeschakeld"]),
                  (User.password_hash.is_(None), STATUSSEN["niet_geactiveerd"]), else_=STATUSSEN["actief"])  # fmt: skip
_TWEEDE_FACTOR = sa.case((User.totp_secret.is_(None), "nog niet ingesteld"), else_="ingesteld")
_ROL_LABELS = {r.value: label for r, label in ROL_LABELS.items()}

TABEL = Tabel("gebruikers", [
    Kolom("naam", "Naam", User.naam, html=_naam, excel=lambda r: r.naam, vast=True, breedte=28,
          sorteer=(sa.func.lower(User.naam),)),
    Kolom("username", "Gebruikersnaam", User.username, sorteer=(sa.func.lower(User.username),)),
    Kolom("email", "E-mail", User.email, sorteer=(sa.func.lower(User.email),), breedte=30),
    Kolom("rollen", "Rollen", _ROLLEN, html=_gesorteerd("rollen", _ROL_LABELS),
          excel=_gesorteerd("rollen", _ROL_LABELS), sorteer=(), breedte=26),
    Kolom("functies", "Functies", _FUNCTIES, html=_gesorteerd("functies"), excel=_gesorteerd("functies"), sorteer=()),
    Kolom("scholen", "Scholen", _SCHOLEN, html=_gesorteerd("scholen"), excel=_gesorteerd("scholen"), sorteer=(),
          breedte=30),
    Kolom("scp_van", "SCP van", _SCP_VAN, html=_gesorteerd("scp_van"), excel=_gesorteerd("scp_van"), sorteer=(),
          breedte=30),
    Kolom("laatste_login", "Laatste login", _LAATSTE_LOGIN.scalar_subquery(), html=lambda r: _tijd(r.laatste_login),
          breedte=18),
    Kolom("tweede_factor", "Tweede factor", _TWEEDE_FACTOR, breedte=18),
    Kolom("status", "Status", _STATUS, breedte=20),
], bron=User.__table__, id_veld=User.id, standaard_sortering="naam")  # fmt: skip


def _tijd(value: datetime | None) -> str:
    if value is None:
        return "nooit"
    return f"{value.astimezone(AMSTERDAM):%d-%m-%Y %H:%M}"


# --- the filters ------------------------------------------------------------------------
@dataclass
class Filters:
    q: str = ""
    rol: str = ""
    status: str = ""
    meldingen: list[str] = field(default_factory=list)

    def url_args(self) -> dict[str, str]:
        return {k: v for k, v in {"rol": self.rol, "status": self.status}.items() if v}

    def samenvatting(self) -> str:
        parts = [f"zoektekst ‘{self.q}’"] if self.q else []
        return "; ".join(parts + [f"{k} {v}" for k, v in self.url_args().items()]) or "geen filter"


def lees_filters(args: MultiDict[str, str]) -> Filters:
    filters = Filters(q=" ".join(args.get("q", "").split())[:MAX_ZOEKTEKST])
    rol, status = args.get("rol", ""), args.get("status", "")
    if rol in {r.value for r in Rol}:
        filters.rol = rol
    elif rol:
        filters.meldingen.append(f"Onbekende rol ‘{rol[:40]}’: dit filter is niet toegepast.")
    if status in STATUSSEN:
        filters.status = status
    elif status:
        filters.meldingen.append(f"Onbekende status ‘{status[:40]}’: dit filter is niet toegepast.")
    return filters


def basis(filters: Filters) -> sa.Select[Any]:
    """The accounts of the beheerder's SWV, narrowed by ``filters``."""
    swv_id = current_user.swv_id
    query = sa.select(User.id).where(User.swv_id == swv_id if swv_id is not None else User.swv_id.is_(None))
    for word in filters.q.lower().split()[:5]:
        query = query.where(_zoek(word))
    if filters.rol:
        query = query.where(User.rol_rows.any(UserRol.rol == filters.rol))
    if filters.status == "actief":
        query = query.where(User.actief.is_(True), User.password_hash.is_not(None))
    elif filters.status == "uitgeschakeld":
        query = query.where(User.actief.is_(False))
    elif filters.status == "niet_geactiveerd":
        query = query.where(User.actief.is_(True), User.password_hash.is_(None))
    return query


def _zoek(word: str) -> sa.ColumnElement[bool]:
    """One typed word in the name, username, e-mail, a school (works for or coordinates) or a functie."""
    pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

    def bevat(veld: Any) -> sa.ColumnElement[bool]:
        return sa.func.lower(veld).like(pattern, escape="\\")

    scholen = sa.select(School.id).where(bevat(School.naam))
    return sa.or_(
        bevat(User.naam), bevat(User.username), bevat(User.email),
        User.scholen.any(School.id.in_(scholen)),
        User.id.in_(sa.select(School.scp_id).where(School.id.in_(scholen))),
        User.functies.any(bevat(Functie.naam)),
    )  # fmt: skip


# --- the pages --------------------------------------------------------------------------
def _args() -> MultiDict[str, str]:
    return request.form if request.method == "POST" else request.args


def _weergave(filters: Filters, kolommen: list[Kolom]) -> Weergave:
    stand = TABEL.stand(_args(), kolommen)
    pagina = TABEL.pagina(basis(filters), stand, current_app.config["PAGE_SIZE"])
    return Weergave(
        TABEL, stand, pagina, endpoint="beheer.gebruikers", filter_args=filters.url_args(), zoektekst=filters.q,
        meldingen=filters.meldingen + stand.meldingen, enkelvoud="account", meervoud="accounts",
        kolommen_url=url_for("beheer.gebruikers_kolommen"), export_url=url_for("beheer.gebruikers_export"),
    )  # fmt: skip


def _resultaten(weergave: Weergave) -> Response:
    response = make_response(render_template("beheer/_gebruikers_tabel.html", w=weergave, oob=True))
    response.headers["HX-Replace-Url"] = weergave.url()
    return response


def _htmx() -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


@bp.get("/gebruikers")
@policy.roles("beheerder")
def gebruikers() -> str | Response:
    filters = lees_filters(request.args)
    weergave = _weergave(filters, TABEL.kolomkeuze(current_user))
    if _htmx():
        return _resultaten(weergave)
    return render_template("beheer/gebruikers.html", w=weergave, f=filters, rollen=ROL_LABELS, statussen=STATUSSEN)


@bp.post("/gebruikers/kolommen")
@policy.roles("beheerder")
def gebruikers_kolommen() -> Response:
    gekozen = TABEL.bewaar_kolomkeuze(current_user, request.form.getlist("kolom"))
    db.session.commit()
    weergave = _weergave(lees_filters(request.form), gekozen)
    return _resultaten(weergave) if _htmx() else redirect(weergave.url())


@bp.route("/gebruikers/export.xlsx", methods=["GET", "POST"])
@policy.roles("beheerder")
def gebruikers_export() -> Response:
    """Export naar Excel: the rows, order and columns of the list as it is shown."""
    filters = lees_filters(_args())
    stand = TABEL.stand(_args(), TABEL.kolomkeuze(current_user))
    bestand = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - send_file closes it
    aantal = TABEL.excel(bestand, basis(filters), stand, blad="Accounts")
    detail = f"accounts: {aantal} rijen; {filters.samenvatting()}; kolommen {', '.join(stand.keys)}"
    audit.record(current_user, "exporteren", "export", None, detail=detail)
    db.session.commit()
    bestand.seek(0)
    naam = f"accounts-{datetime.now(AMSTERDAM):%Y-%m-%d}.xlsx"
    return send_file(bestand, mimetype=XLSX, as_attachment=True, download_name=naam, max_age=0)
