"""Beheer: the soorten a bijlage can have (OPP, onderzoeksverslag … and what the beheerder adds)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from models import BijlageSoort, db
from web import policy
from web.beheer import bp
from workflow.bijlage_soorten import SoortOngeldig, soorten, voeg_soort_toe, zet_actief


def _pagina(fout: str = "", waarde: str = "", status: int = 200) -> tuple[str, int]:
    html = render_template("beheer/bijlagesoorten.html", soorten=soorten(alleen_actief=False), fout=fout,
                           waarde=waarde)  # fmt: skip
    db.session.commit()  # the standard soorten a fresh database lacked are stored
    return html, status


@bp.get("/bijlagesoorten")
@policy.roles("beheerder")
def bijlagesoorten() -> tuple[str, int]:
    return _pagina()


@bp.post("/bijlagesoorten")
@policy.roles("beheerder")
def bijlagesoort_toevoegen() -> Response | tuple[str, int]:
    naam = request.form.get("naam", "")
    try:
        soort = voeg_soort_toe(naam, current_user)
        db.session.commit()
    except SoortOngeldig as exc:
        db.session.rollback()
        return _pagina(str(exc), naam[:60], 422)
    flash(f"De soort ‘{soort.naam}’ is toegevoegd.", "success")
    return redirect(url_for("beheer.bijlagesoorten"))


@bp.post("/bijlagesoorten/<int:soort_id>/actief")
@policy.roles("beheerder")
def bijlagesoort_actief(soort_id: int) -> Response:
    soort = db.session.get(BijlageSoort, soort_id)
    if soort is None:
        abort(404)
    actief = request.form.get("actief") == "1"
    try:
        zet_actief(soort, actief, current_user)
        db.session.commit()
    except SoortOngeldig as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(f"‘{soort.naam}’ wordt {'weer' if actief else 'niet meer'} aangeboden bij het toevoegen.", "success")
    return redirect(url_for("beheer.bijlagesoorten"))
