"""Processen: the procesbeheerder's pages (versions and publishing, incidents, migration of running cases).

One blueprint, one module per topic; each module registers its routes on ``bp``.
"""

from flask import Blueprint

bp = Blueprint("processen", __name__, url_prefix="/processen")

from web.processen import incidenten, migratie, versies, views  # noqa: E402,F401 - registers routes

__all__ = ["bp"]
