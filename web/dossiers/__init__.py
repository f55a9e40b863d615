"""Dossier pages: basisgegevens, adressen, schoolgegevens."""

from web.dossiers.views import bp

__all__ = ["bp"]
