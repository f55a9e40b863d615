"""Beheer: pages for beheerders (accounts, audit trail, retention). One blueprint, one module per topic."""

from flask import Blueprint

bp = Blueprint("beheer", __name__, url_prefix="/beheer")

from web.beheer import (  # noqa: E402,F401 - each module registers its routes
    aanpakken,
    audit,
    bijlagesoorten,
    budget,
    functies,
    gebruikers,
    koppelingen,
    mail,
    personeelswissel,
    retentie,
    scholen,
    taken,
)

__all__ = ["bp"]
