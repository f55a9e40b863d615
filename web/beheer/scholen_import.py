"""Beheer: import schools from a CSV or Excel file, with a preview and all-or-nothing.

Upload → preview (every line, Dutch errors per line; nothing stored) → confirm. The flow is the
one of ``web/beheer/importeren.py``, shared with the account import.
"""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from models import db
from web import policy
from web.beheer import bp
from web.beheer.importeren import VERLOPEN, Importstroom
from workflow import audit
from workflow import scholen_import as use_cases
from workflow.scholen import Ongeldig
from workflow.scholen_import import BestandFout, Regel

STROOM = Importstroom(
    "beheer-scholen-import", "beheer/school_import.html", "beheer/school_import_voorbeeld.html", Regel
)


def _fouten(regels: list[Regel]) -> list[str]:
    return [f"Regel {r.nummer}: {'; '.join(r.fouten)}" for r in regels if r.fouten]


@bp.get("/scholen/import")
@policy.roles("beheerder")
def scholen_import() -> tuple[str, int]:
    return STROOM.pagina()


@bp.post("/scholen/import")
@policy.roles("beheerder")
def scholen_import_voorbeeld() -> tuple[str, int]:
    """Read and check the upload; show what would be created. Nothing is stored."""
    naam, data = STROOM.upload()
    if data is None:
        return STROOM.pagina(naam, 422)
    try:
        regels = use_cases.lees(naam, data)
    except BestandFout as fout:
        return STROOM.pagina(str(fout), 422)
    use_cases.controleer(regels, current_user)
    db.session.rollback()  # checking loads rows; it must never leave anything behind
    return STROOM.voorbeeld(regels, naam, _fouten(regels))


@bp.post("/scholen/import/bevestigen")
@policy.roles("beheerder")
def scholen_import_bevestigen() -> Response | tuple[str, int]:
    uitgepakt = STROOM.pak_uit()
    if uitgepakt is None:
        return STROOM.pagina(VERLOPEN, 422)
    regels, bestandsnaam = uitgepakt
    use_cases.controleer(regels, current_user)
    if any(r.fouten for r in regels):
        db.session.rollback()
        return STROOM.voorbeeld(regels, bestandsnaam, _fouten(regels))
    try:
        aantal = use_cases.importeer(regels, current_user)
    except Ongeldig:  # changed between the check and now: nothing is kept
        db.session.rollback()
        regels = use_cases.controleer(regels, current_user)
        return STROOM.voorbeeld(regels, bestandsnaam, _fouten(regels))
    audit.record(current_user, "aanmaken", "school", None, detail=f"import: {aantal} scholen uit {bestandsnaam}")
    db.session.commit()
    flash(f"{aantal} school/scholen toegevoegd.", "success")
    return redirect(url_for("beheer.scholen"))
