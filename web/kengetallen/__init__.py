"""Kengetallen: counts and lead times as charts, each with a table, column chooser and Excel export."""

from web.kengetallen.views import bp

__all__ = ["bp"]
