"""hulpvragen pages."""

from web.hulpvragen.views import bp

__all__ = ["bp"]
