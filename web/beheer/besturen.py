"""Beheer: besturen and wijken (domain.md §2): list with their schools, create, rename, and
deactivate (only when no open school uses it) or reactivate. One set of views for both nouns."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from models import Bestuur, Wijk, db
from web import policy
from web.beheer import bp
from workflow import scholen as use_cases
from workflow.scholen import Eenheid, Ongeldig


@dataclass(frozen=True)
class Soort:
    model: Eenheid
    endpoint: str  # the list page
    titel: str
    enkelvoud: str
    nieuw: str


BESTUUR = Soort(Bestuur, "beheer.besturen", "Besturen", "bestuur", "Nieuw bestuur")
WIJK = Soort(Wijk, "beheer.wijken", "Wijken", "wijk", "Nieuwe wijk")


def _pagina(soort: Soort, fouten: dict[str, str] | None = None, fout_id: int | None = None,
            status: int = 200) -> tuple[str, int]:  # fmt: skip
    swv_id = use_cases.swv_id_voor(current_user)
    rijen = use_cases.besturen(swv_id) if soort is BESTUUR else use_cases.wijken(swv_id)
    html = render_template(
        "beheer/besturen.html", soort=soort, rijen=[(r, use_cases.scholen_van(r)) for r in rijen], fouten=fouten or {},
        fout_id=fout_id, invoer=request.form if fouten else {},
    )  # fmt: skip
    return html, status


def _rij(soort: Soort, rij_id: int) -> Bestuur | Wijk:
    rij = db.session.get(soort.model, rij_id)
    if rij is None or rij.swv_id != use_cases.swv_id_voor(current_user):
        abort(404)
    return rij


def _maak(soort: Soort) -> Response | tuple[str, int]:
    try:
        rij = use_cases.maak_eenheid(soort.model, request.form.get("naam", ""), current_user)
    except Ongeldig as exc:
        db.session.rollback()
        return _pagina(soort, exc.fouten, status=422)
    db.session.commit()
    flash(f"{soort.enkelvoud.capitalize()} {rij.naam} is toegevoegd.", "success")
    return redirect(url_for(soort.endpoint))


def _hernoem(soort: Soort, rij_id: int) -> Response | tuple[str, int]:
    rij = _rij(soort, rij_id)
    try:
        use_cases.hernoem_eenheid(rij, request.form.get("naam", ""), current_user)
    except Ongeldig as exc:
        db.session.rollback()
        return _pagina(soort, exc.fouten, rij_id, 422)
    db.session.commit()
    flash(f"Opgeslagen: {rij.naam}.", "success")
    return redirect(url_for(soort.endpoint))


def _actief(soort: Soort, rij_id: int) -> Response | tuple[str, int]:
    rij = _rij(soort, rij_id)
    aan = request.form.get("actief") == "1"
    try:
        use_cases.zet_actief(rij, aan, current_user)
    except Ongeldig as exc:
        db.session.rollback()
        return _pagina(soort, exc.fouten, rij_id, 422)
    db.session.commit()
    flash(f"{rij.naam} is {'weer actief' if aan else 'uitgezet: nieuwe scholen kunnen het niet meer kiezen'}.",
          "success")  # fmt: skip
    return redirect(url_for(soort.endpoint))


@bp.get("/besturen")
@policy.roles("beheerder")
def besturen() -> tuple[str, int]:
    return _pagina(BESTUUR)


@bp.post("/besturen")
@policy.roles("beheerder")
def bestuur_aanmaken() -> Response | tuple[str, int]:
    return _maak(BESTUUR)


@bp.post("/besturen/<int:bestuur_id>")
@policy.roles("beheerder")
def bestuur_hernoemen(bestuur_id: int) -> Response | tuple[str, int]:
    return _hernoem(BESTUUR, bestuur_id)


@bp.post("/besturen/<int:bestuur_id>/actief")
@policy.roles("beheerder")
def bestuur_actief(bestuur_id: int) -> Response | tuple[str, int]:
    return _actief(BESTUUR, bestuur_id)


@bp.get("/wijken")
@policy.roles("beheerder")
def wijken() -> tuple[str, int]:
    return _pagina(WIJK)


@bp.post("/wijken")
@policy.roles("beheerder")
def wijk_aanmaken() -> Response | tuple[str, int]:
    return _maak(WIJK)


@bp.post("/wijken/<int:wijk_id>")
@policy.roles("beheerder")
def wijk_hernoemen(wijk_id: int) -> Response | tuple[str, int]:
    return _hernoem(WIJK, wijk_id)


@bp.post("/wijken/<int:wijk_id>/actief")
@policy.roles("beheerder")
def wijk_actief(wijk_id: int) -> Response | tuple[str, int]:
    return _actief(WIJK, wijk_id)
