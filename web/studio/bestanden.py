"""Studio: the live diagrams as a zip (matching bpmn/), and a zip published through the gate."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from models import db
from web import policy
from web.studio import BEKIJKEN, BEWERKEN, bp
from workflow.studio.bestanden import MAX_ZIP_BYTES, ZipFout, live_zip, publiceer_zip


@bp.get("/bestanden.zip")
@policy.roles(*BEKIJKEN)
def bestanden_zip() -> Response:
    data = live_zip(current_app.config["BPMN_DIR"], current_user)
    db.session.commit()  # the audit entry
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = 'attachment; filename="kansrijk-diagrammen.zip"'
    return response


@bp.post("/bestanden")
@policy.roles(*BEWERKEN)
def bestanden_upload() -> tuple[str, int]:
    upload, notitie = request.files.get("bestand"), request.form.get("notitie", "")
    try:
        if upload is None or not upload.filename:
            raise ZipFout("Kies een zipbestand om te uploaden; er is niets gepubliceerd.")
        publicatie = publiceer_zip(
            upload.read(MAX_ZIP_BYTES + 1), current_app.config["BPMN_DIR"], current_user, notitie
        )
    except ZipFout as fout:
        db.session.rollback()
        return render_template("studio/bestanden.html", fout=str(fout), publicatie=None), 422
    status = 200 if publicatie.ok else 422
    return render_template("studio/bestanden.html", fout=None, publicatie=publicatie), status
