"""Beheer: retentie."""

from web.beheer import bp  # noqa: F401
