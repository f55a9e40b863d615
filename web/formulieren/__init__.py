"""Formulieren: the list of budget forms and one form's own page."""

from web.formulieren.views import bp

__all__ = ["bp"]
