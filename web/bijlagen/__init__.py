"""bijlagen: upload, view/download and remove files of a hulpvraag."""

from web.bijlagen.views import bp

__all__ = ["bp"]
