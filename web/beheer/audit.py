"""Beheer: audit."""

from web.beheer import bp  # noqa: F401
