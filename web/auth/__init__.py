"""Login and logout."""

from web.auth import activatie  # noqa: F401 - registers routes (account activation)
from web.auth.views import bp

__all__ = ["bp"]
