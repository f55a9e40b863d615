"""Input for a new dossier + hulpvraag, validated with Dutch messages (marshmallow)."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates

from models.dossier import GESLACHTEN
from models.hulpvraag import TITELS

VERPLICHT = {"required": "Dit veld is verplicht.", "null": "Dit veld is verplicht."}


def _text(max_length: int, required: bool = False) -> fields.String:
    extra = {} if required else {"load_default": None}
    return fields.String(
        required=required,
        **extra,
        validate=validate.Length(max=max_length, error=f"Gebruik hoogstens {max_length} tekens."),
        error_messages=VERPLICHT,
    )


class NieuweHulpvraagSchema(Schema):
    """Only these fields are read from the form; anything else posted is ignored."""

    class Meta:
        unknown = EXCLUDE

    school_id = fields.Integer(required=True, error_messages={**VERPLICHT, "invalid": "Kies een school."})
    roepnaam = _text(100, required=True)
    tussenvoegsel = _text(40)
    achternaam = _text(150, required=True)
    geboortedatum = fields.Date(
        required=True, error_messages={**VERPLICHT, "invalid": "Vul een geldige datum in (dd-mm-jjjj)."}
    )
    geslacht = fields.String(
        required=True, validate=validate.OneOf(list(GESLACHTEN), error="Kies een van de mogelijkheden."),
        error_messages=VERPLICHT,
    )  # fmt: skip
    titel = fields.String(
        required=True, validate=validate.OneOf(TITELS, error="Kies een titel uit de lijst."), error_messages=VERPLICHT
    )
    omschrijving = fields.String(
        required=True,
        validate=validate.Length(min=10, max=2000, error="Gebruik tussen {min} en {max} tekens."),
        error_messages=VERPLICHT,
    )
    contactpersoon_naam = _text(200, required=True)
    contactpersoon_email = fields.Email(
        required=True, error_messages={**VERPLICHT, "invalid": "Vul een geldig e-mailadres in."}
    )
    contactpersoon_telefoon = _text(40)

    @pre_load
    def _blank_is_missing(self, data: dict[str, Any], **_kw: Any) -> dict[str, Any]:
        """A browser posts empty strings; treat them as not filled in."""
        return {k: v.strip() for k, v in data.items() if isinstance(v, str) and v.strip()}

    @validates("geboortedatum")
    def _not_in_future(self, value: date, **_kw: Any) -> None:
        if value > date.today():
            raise ValidationError("De geboortedatum ligt in de toekomst.")
        if value.year < 1990:
            raise ValidationError("Controleer de geboortedatum.")


def load_nieuwe_hulpvraag(form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Validated data, or Dutch errors per field (first message each)."""
    try:
        return NieuweHulpvraagSchema().load(form), {}
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {}
        return {}, {k: (v[0] if isinstance(v, list) else str(v)) for k, v in messages.items()}
