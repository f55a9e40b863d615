"""What the LVS API accepts before any schema looks at a body (issue 16, bounded cost): JSON only
(415 otherwise), a few kB for the public /activatie, no nesting deeper than ``MAX_DIEPTE``, no lone
surrogates or NUL characters in any text. The body is parsed once here and handed to webargs."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, g, request
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.wrappers import Response

from web.api.errors import fout

MAX_DIEPTE = 20  # an aanvraag nests 4 deep
ACTIVATIE_MAX_BYTES = 4096
_GEEN = object()


class Parser(FlaskParser):
    """webargs' parser, reading the body ``controleer_body`` already parsed (never twice)."""

    def _raw_load_json(self, req: Any) -> Any:
        if not is_json_request(req):
            return core.missing
        gelezen = g.get("api_json", _GEEN)
        return super()._raw_load_json(req) if gelezen is _GEEN else gelezen


def controleer_body() -> Response | None:
    """before_request of the API blueprint: the size limit per route, then the body's form."""
    klein = request.endpoint == "api.activatie"
    request.max_content_length = ACTIVATIE_MAX_BYTES if klein else current_app.config["API_MAX_CONTENT_LENGTH"]
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    if not is_json_request(request):
        return fout(415, f"Stuur de gegevens als JSON (Content-Type: application/json), niet als "
                    f"'{(request.mimetype or 'zonder Content-Type')[:60]}'.")  # fmt: skip
    data = request.get_data(cache=True)  # over max_content_length: 413
    try:
        waarde = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        return fout(400, "Het verzoek is geen geldige UTF-8.")
    except RecursionError:
        return fout(400, f"Het verzoek is te diep genest (hoogstens {MAX_DIEPTE} niveaus).")
    except json.JSONDecodeError as exc:
        return fout(400, f"Het verzoek is geen geldige JSON (positie {exc.pos}).")
    if (probleem := _probleem(waarde)) is not None:
        return probleem
    g.api_json = waarde
    return None


def _probleem(waarde: Any) -> Response | None:
    """Walk the parsed body without recursion: too deep, or a text no database can hold."""
    stapel: list[tuple[Any, str, int]] = [(waarde, "", 1)]
    while stapel:
        item, pad, diepte = stapel.pop()
        if diepte > MAX_DIEPTE:
            return fout(400, f"Het verzoek is te diep genest (hoogstens {MAX_DIEPTE} niveaus).")
        if isinstance(item, dict):
            for key, value in item.items():
                naam = f"{pad}.{key}" if pad else str(key)
                if (melding := _tekstfout(key)) is not None:
                    return fout(422, f"Een veldnaam {melding}", {"verzoek": [f"Veldnaam {melding}"]})
                stapel.append((value, naam, diepte + 1))
        elif isinstance(item, list):
            stapel.extend((value, f"{pad}[{i}]", diepte + 1) for i, value in enumerate(item))
        elif isinstance(item, str) and (melding := _tekstfout(item)) is not None:
            veld = pad or "verzoek"
            return fout(422, f"{veld}: deze tekst {melding}", {veld: [f"Deze tekst {melding}"]})
    return None


def _tekstfout(tekst: str) -> str | None:
    if "\x00" in tekst:
        return "bevat een NUL-teken; dat kan niet worden opgeslagen."
    try:
        tekst.encode("utf-8")
    except UnicodeEncodeError:
        return "bevat ongeldige Unicode (een losse surrogaat, zoals \\ud800)."
    return None
