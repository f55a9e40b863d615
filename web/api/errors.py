"""Every answer under /api/ is JSON, errors included: a Dutch message and, per field, what is wrong."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

MELDINGEN = {
    400: "Het verzoek is ongeldig.",
    401: "Geef een geldige verificatiecode mee als Bearer-token (Authorization: Bearer <code>).",
    403: "Deze koppeling mag dit niet.",
    404: "Niet gevonden.",
    405: "Deze methode is hier niet toegestaan.",
    409: "Dit verzoek botst met een ander verzoek; probeer het opnieuw.",
    413: "Het verzoek is te groot.",
    415: "Stuur de gegevens als JSON (Content-Type: application/json).",
    422: "De aanvraag bevat fouten; zie 'errors' voor de meldingen per veld.",
    429: "Te veel verzoeken; probeer het over een minuut opnieuw.",
    500: "Er ging iets mis aan onze kant. Er is niets opgeslagen; probeer het later opnieuw.",
    503: "Deze aanvraag kan nu niet verwerkt worden; er is niets opgeslagen. Verstuur hem later opnieuw.",
}
RETRY_AFTER_S = 900  # a stuck process waits for a procesbeheerder: ask the LVS to come back in 15 minutes
STATUS = {400: "Ongeldig verzoek", 401: "Niet geautoriseerd", 403: "Geen toegang", 404: "Niet gevonden",
          405: "Methode niet toegestaan", 409: "Conflict", 413: "Te groot", 415: "Verkeerd formaat",
          422: "Fouten in de invoer", 429: "Te veel verzoeken", 500: "Interne fout",
          503: "Tijdelijk niet verwerkt"}  # fmt: skip
# webargs' own messages, in Dutch
_VERTAALD = {"Invalid JSON body.": "Ongeldige JSON.", "Unknown field.": "Onbekend veld."}


MAX_VELDFOUTEN = 20  # a body of a million unknown keys gets a short answer, not a million messages


def _beperkt(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    if len(errors) <= MAX_VELDFOUTEN:
        return {k: v[:3] for k, v in errors.items()}
    result = {k: v[:3] for k, v in list(errors.items())[:MAX_VELDFOUTEN]}
    result["verzoek"] = [f"En nog {len(errors) - MAX_VELDFOUTEN} velden met fouten (niet getoond)."]
    return result


def fout(code: int, message: str | None = None, errors: dict[str, list[str]] | None = None,
         headers: dict[str, str] | None = None) -> Response:  # fmt: skip
    errors = _beperkt(errors or {})
    body = {"code": code, "status": STATUS.get(code, "Fout"), "message": message or MELDINGEN.get(code, MELDINGEN[500]),
            "errors": errors or {}}  # fmt: skip
    response = jsonify(body)
    response.status_code = code
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="kansrijk-lvs"'
    if code == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
    if code == 429:
        response.headers["Retry-After"] = "60"  # every 429 says when to come back; callers give the exact wait
    response.headers.update(headers or {})
    return response


def van_http(error: HTTPException) -> Response:
    """An HTTPException (abort, webargs validation, 404/405/413 from routing) as our JSON error."""
    code = error.code or 500
    data: dict[str, Any] = getattr(error, "data", None) or {}
    errors = veldfouten(data.get("messages") or {})
    message = None
    if code == 413:
        limiet = request.max_content_length or current_app.config["API_MAX_CONTENT_LENGTH"]
        if limiet < 1024 * 1024:
            message = f"Het verzoek is te groot (hoogstens {limiet // 1024} kB)."
        else:
            message = f"Het verzoek is te groot (hoogstens {limiet // (1024 * 1024)} MB; elke bijlage hoogstens 10 MB)."
    elif code == 400 and errors:
        message = "Het verzoek is geen geldige JSON."
    allowed = getattr(error, "valid_methods", None) if code == 405 else None
    headers = {"Allow": ", ".join(allowed)} if allowed else {}
    return fout(code, message, errors, headers)


def veldfouten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """webargs/marshmallow's nested messages as flat ``{"contactpersoon.email": [...]}``."""
    if isinstance(messages, dict):
        if set(messages) <= {"json", "query", "form", "headers", "files", "view_args"} and not prefix:
            return {k: v for part in messages.values() for k, v in veldfouten(part).items()}
        result: dict[str, list[str]] = {}
        for key, value in messages.items():
            naam = f"{prefix}[{key}]" if isinstance(key, int) else f"{prefix}.{key}" if prefix else str(key)
            result.update(veldfouten(value, naam))
        return result
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "verzoek": [_VERTAALD.get(m, m) for m in messages]}
    if isinstance(messages, list):
        return {k: v for i, m in enumerate(messages) for k, v in veldfouten(m, f"{prefix}[{i}]").items()}
    return {prefix or "verzoek": [_VERTAALD.get(str(messages), str(messages))]}
