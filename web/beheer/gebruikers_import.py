"""Beheer: import accounts from a CSV or Excel file, with a preview and all-or-nothing.

Upload → preview (every line, Dutch errors per line; nothing is stored yet) → confirm. The
lines travel from the preview to the confirmation inside the page, signed with the app's secret
key and bound to this beheerder and a time limit, so no upload is kept on the server. On
confirm every line is checked again (the world may have changed) and all accounts are created
in one transaction, or none.
"""

from __future__ import annotations

import logging

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from models import db
from web import policy
from web.beheer import bp
from workflow import audit
from workflow import gebruikers_import as use_cases
from workflow.gebruikers import Ongeldig
from workflow.gebruikers_import import BestandFout, Regel

log = logging.getLogger(__name__)
GELDIG_SECONDEN = 3600
MAX_BESTAND = 5 * 1024 * 1024


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt="beheer-gebruikers-import")


def _verpak(regels: list[Regel], bestandsnaam: str) -> str:
    rijen = [{"nummer": r.nummer, "velden": r.velden} for r in regels]
    return _serializer().dumps({"door": current_user.id, "bestand": bestandsnaam, "regels": rijen})


def _pak_uit(tekst: str) -> tuple[list[Regel], str] | None:
    try:
        data = _serializer().loads(tekst, max_age=GELDIG_SECONDEN)
    except BadData:
        return None
    if not isinstance(data, dict) or data.get("door") != current_user.id:
        return None
    regels = [Regel(int(r["nummer"]), {str(k): str(v) for k, v in r["velden"].items()}) for r in data["regels"]]
    return regels, str(data.get("bestand", ""))


def _pagina(fout: str = "", status: int = 200) -> tuple[str, int]:
    return render_template("beheer/gebruikers_import.html", fout=fout), status


def _voorbeeld(regels: list[Regel], bestandsnaam: str) -> tuple[str, int]:
    fouten = use_cases.foutmeldingen(regels)
    payload = "" if fouten else _verpak(regels, bestandsnaam)
    html = render_template("beheer/gebruikers_import_voorbeeld.html", regels=regels, fouten=fouten,
                           bestandsnaam=bestandsnaam, payload=payload)  # fmt: skip
    return html, 422 if fouten else 200


@bp.get("/gebruikers/import")
@policy.roles("beheerder")
def gebruikers_import() -> tuple[str, int]:
    return _pagina()


@bp.post("/gebruikers/import")
@policy.roles("beheerder")
def gebruikers_import_voorbeeld() -> tuple[str, int]:
    """Read and check the upload; show what would be created. Nothing is stored."""
    bestand = request.files.get("bestand")
    if bestand is None or not bestand.filename:
        return _pagina("Kies een bestand om te importeren.", 422)
    data = bestand.read(MAX_BESTAND + 1)
    if len(data) > MAX_BESTAND:
        return _pagina(f"Het bestand is te groot (hoogstens {MAX_BESTAND // (1024 * 1024)} MB).", 422)
    try:
        regels = use_cases.lees(bestand.filename, data)
    except BestandFout as fout:
        return _pagina(str(fout), 422)
    use_cases.controleer_regels(regels, current_user.swv_id)
    db.session.rollback()  # checking loads rows; it must never leave anything behind
    return _voorbeeld(regels, bestand.filename[:120])


@bp.post("/gebruikers/import/bevestigen")
@policy.roles("beheerder")
def gebruikers_import_bevestigen() -> Response | tuple[str, int]:
    uitgepakt = _pak_uit(request.form.get("regels", ""))
    if uitgepakt is None:
        return _pagina("Dit voorbeeld is verlopen of ongeldig. Upload het bestand opnieuw.", 422)
    regels, bestandsnaam = uitgepakt
    use_cases.controleer_regels(regels, current_user.swv_id)
    if use_cases.foutmeldingen(regels):
        db.session.rollback()
        return _voorbeeld(regels, bestandsnaam)
    try:
        users = use_cases.importeer(regels, current_user, current_user.swv_id)
    except (Ongeldig, IntegrityError):  # changed between the check and now: nothing is kept
        db.session.rollback()
        use_cases.controleer_regels(regels, current_user.swv_id)
        return _voorbeeld(regels, bestandsnaam)
    detail = f"import: {len(users)} accounts uit {bestandsnaam}"
    audit.record(current_user, "aanmaken", "gebruiker", None, detail=detail)
    db.session.commit()
    log.info("accounts imported: %s", len(users))
    flash(f"{len(users)} account{'s' if len(users) != 1 else ''} aangemaakt; elk kreeg een activatiemail.", "success")
    return redirect(url_for("beheer.gebruikers"))
