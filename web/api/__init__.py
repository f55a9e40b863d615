"""The LVS API (/api/v1/): ESIS, ParnasSys and other LVSes send aanvragen with an OSO dossier and
read their status. JSON only; the OpenAPI description comes from the marshmallow schemas."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="De LVS-koppeling")
BEARER = [{"verificatiecode": []}]

from web.api.invoer import Parser  # noqa: E402 - needs nothing from here but must precede the routes

bp.ARGUMENTS_PARSER = Parser()  # reads the body web/api/invoer.py already parsed and checked


class Api(SmorestApi):
    """flask-smorest without its app-wide error handler: web/errors.py answers JSON under /api/."""

    from web.api.schemas import FoutSchema as ERROR_SCHEMA  # noqa: N811 - flask-smorest's attribute name

    def _register_error_handlers(self) -> None:
        return None


def init_app(app: Flask) -> None:
    from web.api import docs, views  # noqa: F401 - registers the routes on bp
    from web.extensions import csrf

    app.config.setdefault("API_TITLE", "Kansrijk LVS-koppeling")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    api = Api(app, spec_kwargs={"info": {"description": docs.INLEIDING}})
    api.spec.components.security_scheme(
        "verificatiecode", {"type": "http", "scheme": "bearer", "description": "De verificatiecode van de koppeling."}
    )
    api.register_blueprint(bp)
    app.register_blueprint(docs.bp)
    csrf.exempt(bp)
    app.extensions["kansrijk-api"] = api
