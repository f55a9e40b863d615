"""The import flow that accounts and schools share: upload → preview → confirm, all or nothing.

The preview lists every line with its Dutch errors and stores nothing. The lines travel from the
preview to the confirmation inside the page, signed with the app's secret key and bound to this
beheerder and an hour, so no upload is kept on the server. On confirm the caller checks every
line again (the world may have changed) and creates everything in one transaction, or nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template, request
from flask_login import current_user
from itsdangerous import BadData, URLSafeTimedSerializer

GELDIG_SECONDEN = 3600
MAX_BESTAND = 5 * 1024 * 1024


@dataclass(frozen=True)
class Importstroom:
    """One kind of import: its signing salt, its two templates and how to rebuild a line."""

    salt: str
    pagina_template: str
    voorbeeld_template: str
    maak_regel: Callable[[int, dict[str, str]], Any]

    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(current_app.secret_key or "", salt=self.salt)

    def pagina(self, fout: str = "", status: int = 200) -> tuple[str, int]:
        return render_template(self.pagina_template, fout=fout), status

    def upload(self) -> tuple[str, bytes] | tuple[str, None]:
        """(file name, bytes) of the upload, or (Dutch error, None)."""
        bestand = request.files.get("bestand")
        if bestand is None or not bestand.filename:
            return "Kies een bestand om te importeren.", None
        data = bestand.read(MAX_BESTAND + 1)
        if len(data) > MAX_BESTAND:
            return f"Het bestand is te groot (hoogstens {MAX_BESTAND // (1024 * 1024)} MB).", None
        return bestand.filename[:120], data

    def voorbeeld(self, regels: list[Any], bestandsnaam: str, fouten: list[str]) -> tuple[str, int]:
        """The preview: every line; the confirm button only when there is no error."""
        payload = "" if fouten else self._verpak(regels, bestandsnaam)
        html = render_template(self.voorbeeld_template, regels=regels, fouten=fouten,
                               bestandsnaam=bestandsnaam, payload=payload)  # fmt: skip
        return html, 422 if fouten else 200

    def _verpak(self, regels: list[Any], bestandsnaam: str) -> str:
        rijen = [{"nummer": r.nummer, "velden": r.velden} for r in regels]
        return self._serializer().dumps({"door": current_user.id, "bestand": bestandsnaam, "regels": rijen})

    def pak_uit(self) -> tuple[list[Any], str] | None:
        """The lines of the preview this beheerder confirmed; None when expired, altered or someone else's."""
        try:
            data = self._serializer().loads(request.form.get("regels", ""), max_age=GELDIG_SECONDEN)
        except BadData:
            return None
        if not isinstance(data, dict) or data.get("door") != current_user.id:
            return None
        try:
            regels = [self.maak_regel(int(r["nummer"]), {str(k): str(v) for k, v in r["velden"].items()})
                      for r in data["regels"]]  # fmt: skip
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        return regels, str(data.get("bestand", ""))


VERLOPEN = "Dit voorbeeld is verlopen of ongeldig. Upload het bestand opnieuw."
