"""The API's description: /api/v1/openapi.json and a readable page (our own template, nothing
loaded from the internet)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, render_template
from werkzeug.wrappers import Response

from web import policy

# A plain blueprint: these two pages describe the API and are not part of its own description.
bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")

INLEIDING = (
    "Met deze API sturen leerlingvolgsystemen (ESIS, ParnasSys en andere) aanvragen met een OSO SWV-dossier "
    "naar het samenwerkingsverband en lezen ze de status terug. Authenticatie: de verificatiecode van de "
    "koppeling als Bearer-token. Elke fout is JSON met een Nederlandse melding en de meldingen per veld."
)


def spec() -> dict[str, Any]:
    return dict(current_app.extensions["kansrijk-api"].spec.to_dict())


@bp.get("/openapi.json")
@policy.public
def openapi_json() -> Response:
    return jsonify(spec())


@bp.get("/docs")
@policy.public
def documentatie() -> str:
    beschrijving = spec()
    operaties = [
        (pad, methode.upper(), operatie)
        for pad, item in beschrijving.get("paths", {}).items()
        for methode, operatie in item.items()
        if methode in ("get", "post", "put", "delete")
    ]
    schemas = beschrijving.get("components", {}).get("schemas", {})
    return render_template("api/docs.html", spec=beschrijving, operaties=operaties, schemas=schemas)
