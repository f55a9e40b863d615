"""Beheer: which aanpak starts for which hulpvraag title (domain.md §3)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from models import db
from models.hulpvraag import TITELS
from web import policy
from web.beheer import bp
from web.hulpvragen.aanpakken import beschikbare_aanpakken
from workflow.aanpakken import KoppelingFout, gekozen_aanpak, koppeling_opslaan


@bp.get("/aanpakken")
@policy.roles("beheerder")
def aanpakken() -> str:
    rows = [(titel, gekozen_aanpak(titel) or "") for titel in TITELS]
    return render_template("beheer/aanpakken.html", rows=rows, keuzes=beschikbare_aanpakken())


@bp.post("/aanpakken")
@policy.roles("beheerder")
def aanpakken_opslaan() -> Response | tuple[str, int]:
    try:
        koppeling_opslaan(request.form, dict(beschikbare_aanpakken()), TITELS, current_user)
    except KoppelingFout as fout:
        flash(str(fout), "error")
        return redirect(url_for("beheer.aanpakken"))
    db.session.commit()
    flash("De koppeling tussen titels en aanpakken is opgeslagen.", "success")
    return redirect(url_for("beheer.aanpakken"))
