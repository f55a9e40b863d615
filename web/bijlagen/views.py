"""Bijlagen: upload to a hulpvraag, view or download, remove. The rules live in workflow/bijlagen.py.

Served files are never run in our origin: ``nosniff``, a sandboxing Content-Security-Policy
without any source, a random storage key instead of the name, and the name only in the
Content-Disposition. Chromium's PDF viewer works under this policy (tests/test_bijlagen.py).
"""

from __future__ import annotations

import logging
import unicodedata
from typing import IO, Any
from urllib.parse import quote

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response
from werkzeug.wsgi import wrap_file

from models import Bijlage, db
from web import policy
from web.errors import render_error
from workflow import audit
from workflow.bestandstype import ACCEPT, TOEGESTAAN, label
from workflow.bijlage_soorten import SoortOngeldig, soorten, wijzig_soort
from workflow.bijlagen import (
    TOEVOEG_ROLLEN,
    BijlageGeweigerd,
    mag_bijlage_toevoegen,
    mag_verwijderen,
    naamadvies,
    te_groot_melding,
    verwijder,
    voeg_toe,
    zichtbare_bijlage,
)
from workflow.opslag import opslag

bp = Blueprint("bijlagen", __name__)
log = logging.getLogger(__name__)

CSP = "; ".join(
    ("sandbox", "default-src 'none'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
     "form-action 'none'")
)  # fmt: skip


def _terug(hulpvraag_id: int | None) -> Response:
    return redirect(url_for("hulpvragen.show", hulpvraag_id=hulpvraag_id, _anchor="bijlagen"))


def _bijlage_or_404(bijlage_id: int) -> Bijlage:
    bijlage = zichtbare_bijlage(current_user, bijlage_id)
    if bijlage is None:
        log.warning("denied: bijlage_id=%s user_id=%s", bijlage_id, current_user.id)
        abort(404)
    return bijlage


# --- upload -------------------------------------------------------------------------------
@bp.post("/hulpvragen/<int:hulpvraag_id>/bijlagen")
@policy.roles(*TOEVOEG_ROLLEN)
def toevoegen(hulpvraag_id: int) -> Response:
    hulpvraag = policy.hulpvraag_or_404(hulpvraag_id)
    upload = request.files.get("bestand")
    if upload is None or not upload.filename:
        flash("Kies eerst een bestand om toe te voegen.", "error")
        return _terug(hulpvraag.id)
    try:
        bijlage = voeg_toe(hulpvraag, upload.stream, upload.filename, current_user, request.form.get("soort", ""))
        db.session.commit()
    except BijlageGeweigerd as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _terug(hulpvraag.id)
    flash(f"Bijlage ‘{bijlage.naam}’ is toegevoegd. Soort: {bijlage.soort}.", "success")
    if advies := naamadvies(bijlage.naam):
        flash(advies, "info")
    return _terug(hulpvraag.id)


@bp.errorhandler(RequestEntityTooLarge)
def te_groot(_error: RequestEntityTooLarge) -> Response | tuple[str, int]:
    """The body was refused unread (MAX_CONTENT_LENGTH): back to the hulpvraag with the reason."""
    db.session.rollback()
    hulpvraag_id = (request.view_args or {}).get("hulpvraag_id")
    log.warning("upload refused: hulpvraag_id=%s user_id=%s reason=te_groot_verzoek", hulpvraag_id,
                current_user.get_id())  # fmt: skip
    if request.endpoint != "bijlagen.toevoegen" or hulpvraag_id is None:
        return render_error(413, te_groot_melding())
    flash(te_groot_melding(), "error")
    return _terug(hulpvraag_id)


# --- view or download ---------------------------------------------------------------------
@bp.get("/bijlagen/<int:bijlage_id>")
@policy.authenticated
def bekijken(bijlage_id: int) -> Response:
    bijlage = _bijlage_or_404(bijlage_id)
    if bijlage.is_verwijderd:
        abort(404)
    try:
        stream = opslag().open(bijlage.opslag_sleutel)
    except FileNotFoundError:
        log.error("bijlage file missing from storage: id=%s", bijlage.id)
        abort(404, "Het bestand van deze bijlage ontbreekt. Meld dit bij de beheerder.")
    try:
        hulpvraag_dossier = bijlage.hulpvraag.dossier_id if bijlage.hulpvraag else None
        audit.record(current_user, "downloaden", "bijlage", bijlage.id, dossier_id=hulpvraag_dossier)
        db.session.commit()  # the file is only sent once its audit entry is stored
    except BaseException:
        stream.close()
        raise
    return _bestand(bijlage, stream)


def _bestand(bijlage: Bijlage, stream: IO[bytes]) -> Response:
    response = Response(wrap_file(request.environ, stream), content_type=bijlage.content_type, direct_passthrough=True)
    response.content_length = bijlage.grootte
    response.headers["Content-Disposition"] = content_disposition(bijlage)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "no-store"
    return response


def content_disposition(bijlage: Bijlage) -> str:
    """``inline`` for what a browser shows itself, else ``attachment``; the name in RFC 6266 form."""
    soort = "inline" if bijlage.inline else "attachment"
    ascii_naam = unicodedata.normalize("NFKD", bijlage.naam).encode("ascii", "ignore").decode()
    ascii_naam = ascii_naam.replace('"', "").replace("\\", "") or "bijlage"
    return f"{soort}; filename=\"{ascii_naam}\"; filename*=UTF-8''{quote(bijlage.naam, safe='')}"


# --- remove -------------------------------------------------------------------------------
@bp.post("/bijlagen/<int:bijlage_id>/verwijderen")
@policy.authenticated
def verwijderen(bijlage_id: int) -> Response:
    bijlage = _bijlage_or_404(bijlage_id)
    hulpvraag_id, naam = bijlage.hulpvraag_id, bijlage.naam
    try:
        verwijder(bijlage, current_user)
        db.session.commit()
    except BijlageGeweigerd as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(f"Bijlage ‘{naam}’ is verwijderd.", "success")
    return _terug(hulpvraag_id)


# --- correct the soort --------------------------------------------------------------------
@bp.post("/bijlagen/<int:bijlage_id>/soort")
@policy.roles(*TOEVOEG_ROLLEN)
def soort_wijzigen(bijlage_id: int) -> Response:
    """Who may add bijlagen to the hulpvraag may correct what a bijlage is (audited: from, to)."""
    bijlage = _bijlage_or_404(bijlage_id)
    if bijlage.hulpvraag is None or not mag_bijlage_toevoegen(current_user, bijlage.hulpvraag):
        abort(404)
    try:
        soort = wijzig_soort(bijlage, request.form.get("soort", ""), current_user)
        db.session.commit()
    except SoortOngeldig as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(f"Bijlage ‘{bijlage.naam}’ heeft nu de soort {soort}.", "success")
    return _terug(bijlage.hulpvraag_id)


# --- template helpers ---------------------------------------------------------------------
@bp.app_template_global("bijlage_soorten")
def _bijlage_soorten() -> list[str]:
    return [s.naam for s in soorten()]


@bp.app_template_global("mag_bijlage_soort_wijzigen")
def _mag_bijlage_soort_wijzigen(bijlage: Bijlage) -> bool:
    hulpvraag = bijlage.hulpvraag
    return not bijlage.is_verwijderd and hulpvraag is not None and mag_bijlage_toevoegen(current_user, hulpvraag)


@bp.app_template_global("mag_bijlage_verwijderen")
def _mag_bijlage_verwijderen(bijlage: Bijlage) -> bool:
    return mag_verwijderen(current_user, bijlage)


@bp.app_template_global("bijlage_regels")
def _bijlage_regels() -> dict[str, Any]:
    megabytes = current_app.config["BIJLAGE_MAX_BYTES"] // (1024 * 1024)
    return {"accept": ACCEPT, "max_mb": megabytes, "toegestaan": TOEGESTAAN}


@bp.app_template_filter("bestandsgrootte")
def bestandsgrootte(grootte: int) -> str:
    """1,5 KB · 120 KB · 2,4 MB (Dutch decimal comma)."""
    if grootte >= 1024 * 1024:
        return f"{grootte / (1024 * 1024):.1f} MB".replace(".", ",")
    kilobytes = grootte / 1024
    return f"{kilobytes:.1f} KB".replace(".", ",") if kilobytes < 10 else f"{round(kilobytes)} KB"


@bp.app_template_filter("bijlage_type")
def bijlage_type(content_type: str) -> str:
    return label(content_type)
