"""Leerling zoeken (/dossiers): a pupil looked up by name or birth date while typing.

The same list is the first step of *Nieuwe hulpvraag* (``doel=nieuw``): each row then starts a
hulpvraag for that dossier, and only after a search does the page offer "nieuwe leerling". The
rules of who sees which pupil live in ``workflow.dossiers.leerling_zoekvraag``. The typed text
may name a pupil: it goes in the request (GET from the form, as in the hulpvragen list) but never
into the audit trail or the address htmx shows (HX-Replace-Url without it).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app, make_response, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.engine import Row
from werkzeug.wrappers import Response

from models import Dossier, School
from models.user import SCHOOL_ROLLEN, Rol
from web import policy
from web.dossiers.views import bp
from web.tabel import Kolom, Tabel, Weergave
from workflow.dossiers import leerling_zoekvraag

ZOEK_ROLLEN = (*SCHOOL_ROLLEN, Rol.SCP, Rol.FUNCTIONARIS, Rol.BEHEERDER)
MAX_ZOEKTEKST = 100
MIN_ZOEKTEKST = 2


def _naam(row: Row[Any]) -> str:
    return " ".join(p for p in (row.roepnaam, row.tussenvoegsel, row.leerling) if p)


def _link(row: Row[Any]) -> Markup:
    return Markup('<a href="{}">{}</a>').format(url_for("dossiers.show", dossier_id=row.id), _naam(row))


def _kies(row: Row[Any]) -> Markup:
    href = url_for("hulpvragen.nieuw", dossier=row.id)
    return Markup('<a class="button small primary" href="{}">Hulpvraag voor {}</a>').format(href, _naam(row))


KOLOMMEN = [
    Kolom("leerling", "Leerling", Dossier.achternaam, html=_link, excel=_naam, vast=True, breedte=28,
          velden=(Dossier.roepnaam.label("roepnaam"), Dossier.tussenvoegsel.label("tussenvoegsel")),
          sorteer=(sa.func.lower(Dossier.achternaam), sa.func.lower(Dossier.roepnaam))),
    Kolom("geboortedatum", "Geboortedatum", Dossier.geboortedatum, breedte=14),
    Kolom("school", "School", School.naam, sorteer=(sa.func.lower(School.naam),), breedte=30),
]  # fmt: skip
BRON = sa.join(Dossier, School, Dossier.school_id == School.id)
TABEL = Tabel("leerlingen", KOLOMMEN, bron=BRON, id_veld=Dossier.id, standaard_sortering="leerling")
# The first step of a new hulpvraag: the same rows, each with the button that picks the pupil.
KIES_TABEL = Tabel("leerling_kiezen", [*KOLOMMEN, Kolom("kiezen", "Nieuwe hulpvraag", Dossier.id, html=_kies,
                                                        sorteer=(), vast=True)],
                   bron=BRON, id_veld=Dossier.id, standaard_sortering="leerling")  # fmt: skip


def zoektekst() -> str:
    return " ".join(request.args.get("q", "").split())[:MAX_ZOEKTEKST]


def weergave(q: str, endpoint: str, tabel: Tabel = TABEL) -> Weergave | None:
    """One page of matching pupils, or None before enough has been typed."""
    if len(q) < MIN_ZOEKTEKST:
        return None
    stand = tabel.stand(request.args, tabel.standaard_kolommen())
    pagina = tabel.pagina(leerling_zoekvraag(current_user, q), stand, current_app.config["PAGE_SIZE"])
    return Weergave(
        tabel, stand, pagina, endpoint=endpoint, filter_args={}, zoektekst=q, meldingen=stand.meldingen,
        enkelvoud="leerling", meervoud="leerlingen", kolommen_url="", export_url="",
        form_id="leerling-zoeken", doel_id="leerlingen",
    )  # fmt: skip


def resultaten(endpoint: str, doel: str = "") -> Response:
    """The results alone, for htmx; the address bar never shows the typed text."""
    q = zoektekst()
    w = weergave(q, endpoint, KIES_TABEL if doel == "nieuw" else TABEL)
    html = render_template("dossiers/_zoekresultaten.html", w=w, q=q, doel=doel, endpoint=endpoint, oob=True)
    response = make_response(html)
    response.headers["HX-Replace-Url"] = w.url() if w else url_for(endpoint)
    return response


def htmx() -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


@bp.get("")
@policy.roles(*ZOEK_ROLLEN)
def index() -> str | Response:
    if htmx():
        return resultaten("dossiers.index")
    q = zoektekst()
    return render_template("dossiers/index.html", w=weergave(q, "dossiers.index"), q=q)
