"""Beheer: pages for beheerders (accounts, audit trail, retention). One blueprint, one module per topic."""

from flask import Blueprint

bp = Blueprint("beheer", __name__, url_prefix="/beheer")

import web.beheer.bijlagesoorten  # noqa: E402,F401 - registers routes (issue 15: soorten bijlagen)
from web.beheer import aanpakken, audit, budget, gebruikers, koppelingen, mail, personeelswissel, retentie, scholen  # noqa: E402,F401 - registers routes
from web.beheer import functies, taken  # noqa: E402,F401 - registers routes (issue 14: functies, tasks without an owner)

__all__ = ["bp"]
