"""Beheer: import accounts from a CSV or Excel file, with a preview and all-or-nothing.

Upload → preview (every line, Dutch errors per line; nothing is stored yet) → confirm. The flow
(signed lines between preview and confirm, checked again on confirm) is the one of
``web/beheer/importeren.py``, shared with the school import.
"""

from __future__ import annotations

import logging

from flask import flash, redirect, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from models import db
from web import policy
from web.beheer import bp
from web.beheer.importeren import VERLOPEN, Importstroom
from workflow import audit
from workflow import gebruikers_import as use_cases
from workflow.gebruikers import Ongeldig
from workflow.gebruikers_import import BestandFout, Regel

log = logging.getLogger(__name__)
STROOM = Importstroom(
    "beheer-gebruikers-import", "beheer/gebruikers_import.html", "beheer/gebruikers_import_voorbeeld.html", Regel
)


@bp.get("/gebruikers/import")
@policy.roles("beheerder")
def gebruikers_import() -> tuple[str, int]:
    return STROOM.pagina()


@bp.post("/gebruikers/import")
@policy.roles("beheerder")
def gebruikers_import_voorbeeld() -> tuple[str, int]:
    """Read and check the upload; show what would be created. Nothing is stored."""
    naam, data = STROOM.upload()
    if data is None:
        return STROOM.pagina(naam, 422)
    try:
        regels = use_cases.lees(naam, data)
    except BestandFout as fout:
        return STROOM.pagina(str(fout), 422)
    use_cases.controleer_regels(regels, current_user.swv_id)
    db.session.rollback()  # checking loads rows; it must never leave anything behind
    return STROOM.voorbeeld(regels, naam, use_cases.foutmeldingen(regels))


@bp.post("/gebruikers/import/bevestigen")
@policy.roles("beheerder")
def gebruikers_import_bevestigen() -> Response | tuple[str, int]:
    uitgepakt = STROOM.pak_uit()
    if uitgepakt is None:
        return STROOM.pagina(VERLOPEN, 422)
    regels, bestandsnaam = uitgepakt
    use_cases.controleer_regels(regels, current_user.swv_id)
    if use_cases.foutmeldingen(regels):
        db.session.rollback()
        return STROOM.voorbeeld(regels, bestandsnaam, use_cases.foutmeldingen(regels))
    try:
        users = use_cases.importeer(regels, current_user, current_user.swv_id)
    except (Ongeldig, IntegrityError):  # changed between the check and now: nothing is kept
        db.session.rollback()
        use_cases.controleer_regels(regels, current_user.swv_id)
        return STROOM.voorbeeld(regels, bestandsnaam, use_cases.foutmeldingen(regels))
    detail = f"import: {len(users)} accounts uit {bestandsnaam}"
    audit.record(current_user, "aanmaken", "gebruiker", None, detail=detail)
    db.session.commit()
    log.info("accounts imported: %s", len(users))
    flash(f"{len(users)} account{'s' if len(users) != 1 else ''} aangemaakt; elk kreeg een activatiemail.", "success")
    return redirect(url_for("beheer.gebruikers"))
