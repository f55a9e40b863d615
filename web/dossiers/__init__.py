"""Dossier pages: basisgegevens, adressen, schoolgegevens; leerling zoeken; possible duplicates."""

from web.dossiers import samenvoegen, zoeken  # noqa: F401 - register /dossiers/dubbel/… and /dossiers
from web.dossiers.views import bp

__all__ = ["bp"]
