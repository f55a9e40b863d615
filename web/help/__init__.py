"""Help: a Dutch help page per role (what you can do here, where to find it), linked from every page.

The link in the top bar points at the help page of the reader's role, at the section about the
page they are on (``help_url``). The pages are public: they describe the product, not a case,
and someone who cannot log in needs them most. Links on a help page to a page that does not
exist (yet) are shown as plain text (``naar`` in ``help/_macros.html``).
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, render_template, request, url_for
from flask_login import current_user

from models.user import ROL_LABELS, Rol
from web import policy

bp = Blueprint("help", __name__, url_prefix="/help")

# Which help page a user with several roles gets: the first of these they have.
VOLGORDE = (Rol.PROCESBEHEERDER, Rol.BEHEERDER, Rol.SCP, Rol.FUNCTIONARIS, Rol.DIRECTEUR, Rol.AANVRAGER, Rol.EXTERN)

# Endpoint (prefix) → section id on the help pages; the longest matching prefix wins.
SECTIES = {
    "taken.": "taken",
    "hulpvragen.nieuw": "nieuw",
    "hulpvragen.": "hulpvragen",
    "bijlagen.": "hulpvragen",
    "dossiers.": "leerlingen",
    "formulieren.": "formulieren",
    "kengetallen.": "kengetallen",
    "overlegronde.": "overlegronde",
    "vergaderingen.": "vergaderingen",
    "auth.": "account",
    "beheer.gebruiker": "gebruikers",
    "beheer.functie": "functies",
    "beheer.taken": "taken-beheer",
    "beheer.school": "scholen",
    "beheer.bestu": "scholen",
    "beheer.wijk": "scholen",
    "beheer.koppeling": "koppelingen",
    "beheer.budget": "budgetten",
    "beheer.personeelswissel": "personeelswissel",
    "beheer.": "beheer",
    "processen.": "processen",
    "studio.": "studio",
}


def sectie(endpoint: str | None) -> str | None:
    if not endpoint:
        return None
    matches = [prefix for prefix in SECTIES if endpoint.startswith(prefix)]
    return SECTIES[max(matches, key=len)] if matches else None


def rol_van(rollen: frozenset[str]) -> Rol | None:
    return next((rol for rol in VOLGORDE if rol in rollen), None)


def help_url() -> str:
    """The help page for the reader and the page they are on."""
    if not current_user.is_authenticated:
        return url_for("help.index", _anchor="inloggen")
    rol = rol_van(current_user.rollen)
    if rol is None:
        return url_for("help.index")
    return url_for("help.rol", rol=rol.value, _anchor=sectie(request.endpoint))


@bp.get("")
@policy.public
def index() -> str:
    mijn = [r for r in VOLGORDE if current_user.is_authenticated and r in current_user.rollen]
    return render_template("help/index.html", rollen=VOLGORDE, mijn=mijn, labels=ROL_LABELS)


@bp.get("/<rol>")
@policy.public
def rol(rol: str) -> str:
    if rol not in {r.value for r in VOLGORDE}:
        abort(404)
    return render_template(f"help/{rol}.html", rol=Rol(rol), labels=ROL_LABELS)


def pagina_bestaat(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"help_url": help_url, "pagina_bestaat": pagina_bestaat})
