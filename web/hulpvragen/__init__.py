"""hulpvragen pages."""

from web.hulpvragen import aanpakken, contact, lijst, nieuw, oso  # noqa: F401 - register their routes
from web.hulpvragen.views import bp

__all__ = ["bp"]
