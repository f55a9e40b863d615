"""Dossier input with Dutch messages: basisgegevens, adres, schoolgegevens."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates, validates_schema

from models.adres import ADRES_SOORTEN
from models.dossier import GESLACHTEN

VERPLICHT = {"required": "Dit veld is verplicht.", "null": "Dit veld is verplicht."}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
POSTCODE = re.compile(r"^\d{4}\s?[A-Za-z]{2}$")


def _text(max_length: int, required: bool = False) -> fields.String:
    extra: dict[str, Any] = {} if required else {"load_default": ""}
    length = validate.Length(max=max_length, error=f"Gebruik hoogstens {max_length} tekens.")
    return fields.String(required=required, validate=length, error_messages=VERPLICHT, **extra)


class _Form(Schema):
    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _blank_is_missing(self, data: dict[str, Any], **_kw: Any) -> dict[str, Any]:
        return {k: v.strip() for k, v in data.items() if isinstance(v, str) and v.strip()}


class BasisgegevensSchema(_Form):
    roepnaam = _text(100, required=True)
    tussenvoegsel = _text(40)
    achternaam = _text(150, required=True)
    geboortedatum = fields.Date(required=True, error_messages={**VERPLICHT, "invalid": "Vul een geldige datum in."})
    geslacht = fields.String(
        required=True, validate=validate.OneOf(list(GESLACHTEN), error="Kies een van de mogelijkheden."),
        error_messages=VERPLICHT,
    )  # fmt: skip
    ouder_emails = fields.String(load_default="")

    @validates("geboortedatum")
    def _plausible(self, value: date, **_kw: Any) -> None:
        if value > date.today():
            raise ValidationError("De geboortedatum ligt in de toekomst.")
        if value.year < 1990:
            raise ValidationError("Controleer de geboortedatum.")

    @validates("ouder_emails")
    def _emails(self, value: str, **_kw: Any) -> None:
        wrong = [e for e in split_emails(value) if not EMAIL.match(e)]
        if wrong:
            raise ValidationError(f"Geen geldig e-mailadres: {', '.join(wrong)}")


def split_emails(text: str) -> list[str]:
    return [e.strip().lower() for e in re.split(r"[,;\s]+", text or "") if e.strip()]


class AdresSchema(_Form):
    soort = fields.String(
        required=True, validate=validate.OneOf(list(ADRES_SOORTEN), error="Kies een soort adres."),
        error_messages=VERPLICHT,
    )  # fmt: skip
    straat = _text(200, required=True)
    huisnummer = _text(20, required=True)
    postcode = fields.String(
        required=True, validate=validate.Regexp(POSTCODE, error="Vul een postcode in als 1234 AB."),
        error_messages=VERPLICHT,
    )  # fmt: skip
    plaats = _text(100, required=True)
    opmerkingen = _text(500)


class SchoolgegevensSchema(_Form):
    school = _text(250, required=True)
    groep = _text(20, required=True)
    van = fields.Date(required=True, error_messages={**VERPLICHT, "invalid": "Vul een geldige datum in."})
    tot = fields.Date(load_default=None, error_messages={"invalid": "Vul een geldige datum in."})

    @validates_schema
    def _order(self, data: dict[str, Any], **_kw: Any) -> None:
        if data.get("tot") and data.get("van") and data["tot"] < data["van"]:
            raise ValidationError("De einddatum ligt vóór de begindatum.", "tot")


def load(schema: Schema, form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Validated data, or the first Dutch message per field."""
    try:
        return schema.load(form), {}
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {}
        return {}, {k: (v[0] if isinstance(v, list) else str(v)) for k, v in messages.items()}
