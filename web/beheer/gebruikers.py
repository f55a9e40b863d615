"""Beheer: gebruikers."""

from web.beheer import bp  # noqa: F401
