"""Dossier pages: basisgegevens, adressen, schoolgegevens."""

from web.dossiers import zoeken  # noqa: F401 - registers /dossiers (leerling zoeken)
from web.dossiers.views import bp

__all__ = ["bp"]
