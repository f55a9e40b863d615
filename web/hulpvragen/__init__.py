"""hulpvragen pages."""

from web.hulpvragen import lijst  # noqa: F401 - registers the list routes
from web.hulpvragen.views import bp

__all__ = ["bp"]
