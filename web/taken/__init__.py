"""taken pages."""

from web.taken import lijst  # noqa: F401 - registers /taken (Mijn taken)
from web.taken.views import bp

__all__ = ["bp"]
