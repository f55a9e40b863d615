"""Input for a new hulpvraag (with a new or existing dossier), validated with Dutch messages."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates, validates_schema

from models.dossier import GESLACHTEN, NIVEAUS
from models.hulpvraag import TITELS

VERPLICHT = {"required": "Dit veld is verplicht.", "null": "Dit veld is verplicht."}
LEERLING_VELDEN = ("roepnaam", "achternaam", "geboortedatum", "geslacht")


def _text(max_length: int, required: bool = False) -> fields.String:
    extra: dict[str, Any] = {} if required else {"load_default": None}
    length = validate.Length(max=max_length, error=f"Gebruik hoogstens {max_length} tekens.")
    return fields.String(required=required, validate=length, error_messages=VERPLICHT, **extra)


class NieuweHulpvraagSchema(Schema):
    """Only these fields are read from the form; anything else posted is ignored."""

    class Meta:
        unknown = EXCLUDE

    niveau = fields.String(load_default="leerling", validate=validate.OneOf(NIVEAUS, error="Kies leerling of school."))
    dossier_id = fields.Integer(load_default=None)
    school_id = fields.Integer(load_default=None, error_messages={"invalid": "Kies een school."})
    roepnaam = _text(100)
    tussenvoegsel = _text(40)
    achternaam = _text(150)
    geboortedatum = fields.Date(load_default=None, error_messages={"invalid": "Vul een geldige datum in (dd-mm-jjjj)."})
    geslacht = fields.String(
        load_default=None, validate=validate.OneOf(list(GESLACHTEN), error="Kies een van de mogelijkheden.")
    )
    titel = fields.String(
        required=True, validate=validate.OneOf(TITELS, error="Kies een titel uit de lijst."), error_messages=VERPLICHT
    )
    omschrijving = fields.String(
        required=True,
        validate=validate.Length(min=10, max=2000, error="Gebruik tussen {min} en {max} tekens."),
        error_messages=VERPLICHT,
    )
    coordinator_id = fields.Integer(load_default=None, error_messages={"invalid": "Kies een coördinator."})
    contactpersoon_naam = _text(200, required=True)
    contactpersoon_email = fields.Email(
        required=True, error_messages={**VERPLICHT, "invalid": "Vul een geldig e-mailadres in."}
    )
    contactpersoon_telefoon = _text(40)
    bevestig_nieuw = fields.Boolean(load_default=False)
    naam_gecontroleerd = fields.Boolean(load_default=False)

    @pre_load
    def _blank_is_missing(self, data: dict[str, Any], **_kw: Any) -> dict[str, Any]:
        """A browser posts empty strings; treat them as not filled in."""
        return {k: v.strip() for k, v in data.items() if isinstance(v, str) and v.strip()}

    @validates("geboortedatum")
    def _plausible(self, value: date | None, **_kw: Any) -> None:
        if value is not None and value > date.today():
            raise ValidationError("De geboortedatum ligt in de toekomst.")
        if value is not None and value.year < 1990:
            raise ValidationError("Controleer de geboortedatum.")

    @validates_schema
    def _what_is_needed(self, data: dict[str, Any], **_kw: Any) -> None:
        if data.get("dossier_id"):
            return
        errors: dict[str, str] = {}
        if not data.get("school_id"):
            errors["school_id"] = "Dit veld is verplicht."
        if data.get("niveau") == "leerling":
            errors.update({name: "Dit veld is verplicht." for name in LEERLING_VELDEN if not data.get(name)})
        if errors:
            raise ValidationError(errors)


def load_nieuwe_hulpvraag(form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Validated data, or Dutch errors per field (first message each)."""
    try:
        return NieuweHulpvraagSchema().load(form), {}
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {}
        return {}, {k: (v[0] if isinstance(v, list) else str(v)) for k, v in messages.items()}
