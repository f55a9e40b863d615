"""taken pages."""

from web.taken.views import bp

__all__ = ["bp"]
