"""overlegronde: a school shares a voorlopige aanmelding with third parties until a deadline."""

from web.overlegronde.views import bp

__all__ = ["bp"]
