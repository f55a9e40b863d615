"""Dossier pages: basisgegevens, adressen, schoolgegevens."""

from web.dossiers import samenvoegen  # noqa: F401 - registers /dossiers/dubbel/… (issue 16)
from web.dossiers import zoeken  # noqa: F401 - registers /dossiers (leerling zoeken)
from web.dossiers.views import bp

__all__ = ["bp"]
