"""Template helpers shared by every page: dates, statuses, roles, navigation."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Flask
from flask_login import current_user

from models.hulpvraag import VOORLOPIGE_AANMELDING
from models.user import ROL_LABELS, SCHOOL_ROLLEN, Rol
from workflow.statussen import is_eindstatus

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def datum(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")
    return value.strftime("%d-%m-%Y")


def status_class(status: str) -> str:
    if status == VOORLOPIGE_AANMELDING:
        return "status-voorlopig"
    if status.startswith(("Afgewezen", "Niet ontvankelijk")):
        return "status-afgewezen"
    if is_eindstatus(status) or status.startswith("Dossier compleet"):
        return "status-klaar"
    if status.startswith("Dossier incompleet"):
        return "status-actie"
    return "status-lopend"


def rol_label(rol: str) -> str:
    return ROL_LABELS.get(Rol(rol), rol) if rol in Rol._value2member_map_ else rol


def _globals() -> dict[str, Any]:
    user = current_user
    is_school = bool(user.is_authenticated and user.rollen & SCHOOL_ROLLEN)
    return {"is_school_user": is_school, "now": datetime.now(AMSTERDAM)}


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(datum=datum, status_class=status_class, rol_label=rol_label)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.context_processor(_globals)


def safe_path(target: str | None, fallback: str) -> str:
    r"""Only a path on this site as a redirect target (no open redirects).

    A browser strips tab, CR and LF anywhere in a URL and leading/trailing C0 controls and
    spaces before it parses (WHATWG URL), and reads ``\`` as ``/``: so ``/\t/evil.example``
    becomes ``//evil.example``. Rather than cleaning, anything a browser would rewrite is refused.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(_unsafe_char(ch) for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return fallback
    return target


def _unsafe_char(ch: str) -> bool:
    """Controls, format characters and every kind of space (a path on this site needs none)."""
    return unicodedata.category(ch)[0] in {"C", "Z"}
