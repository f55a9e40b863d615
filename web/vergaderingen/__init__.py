"""vergaderingen: SWV meetings with an agenda of hulpvragen (In beraad) and their outcomes."""

from web.vergaderingen.views import bp

__all__ = ["bp"]
