"""Beheer: the list of functies (workflow/functies.py): add, rename and describe, switch off or on.

Diagrams name functies, so a functie that a live diagram or an open task uses keeps its name
and stays on: the page says where each one is used, and the use case refuses in Dutch.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from models import Functie, db
from web import policy
from web.beheer import bp
from workflow import functies as use_cases
from workflow.functies import MAX_NAAM, MAX_OMSCHRIJVING, FunctieOngeldig


def _lijst(fout: str = "", status: int = 200) -> tuple[str, int]:
    rijen = use_cases.functies()
    html = render_template(
        "beheer/functies.html", rijen=rijen, gebruik=use_cases.gebruik(), fout=fout,
        invoer=request.form if fout else {}, max_naam=MAX_NAAM, max_omschrijving=MAX_OMSCHRIJVING,
    )  # fmt: skip
    return html, status


def _functie(functie_id: int) -> Functie:
    functie = db.session.get(Functie, functie_id)
    if functie is None:
        abort(404)
    return functie


@bp.get("/functies")
@policy.roles("beheerder")
def functies() -> tuple[str, int]:
    return _lijst()


@bp.post("/functies")
@policy.roles("beheerder")
def functie_toevoegen() -> Response | tuple[str, int]:
    try:
        functie = use_cases.voeg_toe(request.form.get("naam"), request.form.get("omschrijving"), current_user)
    except FunctieOngeldig as fout:
        db.session.rollback()
        return _lijst(str(fout), 422)
    db.session.commit()
    flash(f"De functie ‘{functie.naam}’ is toegevoegd; geef haar aan accounts onder Gebruikers.", "success")
    return redirect(url_for("beheer.functies"))


def _bewerken(functie: Functie, fout: str = "", status: int = 200) -> tuple[str, int]:
    html = render_template(
        "beheer/functie.html", functie=functie, gebruik=use_cases.gebruik().get(functie.naam), fout=fout,
        invoer=request.form if fout else {}, max_naam=MAX_NAAM, max_omschrijving=MAX_OMSCHRIJVING,
    )  # fmt: skip
    return html, status


@bp.get("/functies/<int:functie_id>")
@policy.roles("beheerder")
def functie(functie_id: int) -> tuple[str, int]:
    return _bewerken(_functie(functie_id))


@bp.post("/functies/<int:functie_id>")
@policy.roles("beheerder")
def functie_opslaan(functie_id: int) -> Response | tuple[str, int]:
    functie = _functie(functie_id)
    try:
        use_cases.wijzig(functie, request.form.get("naam"), request.form.get("omschrijving"), current_user)
    except FunctieOngeldig as fout:
        db.session.rollback()
        return _bewerken(_functie(functie_id), str(fout), 422)
    db.session.commit()
    flash(f"De functie ‘{functie.naam}’ is opgeslagen.", "success")
    return redirect(url_for("beheer.functies"))


@bp.post("/functies/<int:functie_id>/actief")
@policy.roles("beheerder")
def functie_actief(functie_id: int) -> Response | tuple[str, int]:
    functie = _functie(functie_id)
    aan = request.form.get("actief") == "1"
    try:
        use_cases.zet_actief(functie, aan, current_user)
    except FunctieOngeldig as fout:
        db.session.rollback()
        return _lijst(str(fout), 422)
    db.session.commit()
    flash(f"De functie ‘{functie.naam}’ is {'weer actief' if aan else 'uitgezet'}.", "success")
    return redirect(url_for("beheer.functies"))
