"""Beheer: which aanpak starts for which hulpvraag title (domain.md §3)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from models import AanpakKoppeling, db
from models.hulpvraag import TITELS
from web import policy
from web.beheer import bp
from web.hulpvragen.aanpakken import beschikbare_aanpakken
from workflow.aanpakken import gekozen_aanpak


@bp.get("/aanpakken")
@policy.roles("beheerder")
def aanpakken() -> str:
    rows = [(titel, gekozen_aanpak(titel) or "") for titel in TITELS]
    return render_template("beheer/aanpakken.html", rows=rows, keuzes=beschikbare_aanpakken())


@bp.post("/aanpakken")
@policy.roles("beheerder")
def aanpakken_opslaan() -> Response | tuple[str, int]:
    keuzes = dict(beschikbare_aanpakken())
    wrong = [t for t in TITELS if request.form.get(t, "") not in keuzes and request.form.get(t, "")]
    if wrong:
        flash(f"Onbekende aanpak gekozen bij: {', '.join(wrong)}. Er is niets opgeslagen.", "error")
        return redirect(url_for("beheer.aanpakken"))
    for titel in TITELS:
        key = request.form.get(titel, "")
        row = db.session.get(AanpakKoppeling, titel)
        if key and row is None:
            db.session.add(AanpakKoppeling(titel=titel, process_key=key, gewijzigd_door_id=current_user.id))
        elif key and row is not None:
            row.process_key, row.gewijzigd_door_id = key, current_user.id
        elif row is not None:
            db.session.delete(row)  # back to the process owner's default
    db.session.commit()
    flash("De koppeling tussen titels en aanpakken is opgeslagen.", "success")
    return redirect(url_for("beheer.aanpakken"))
