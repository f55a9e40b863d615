"""Login and logout."""

from web.auth.views import bp

__all__ = ["bp"]
