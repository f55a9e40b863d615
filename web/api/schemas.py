"""Marshmallow schemas of the LVS API: explicit fields, Dutch messages, unknown fields refused (S5).

They are also the OpenAPI description (flask-smorest turns them into /api/v1/openapi.json).
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from models.lvs import LVS_TYPES
from workflow.lvs_push import LVS_STATUSSEN

VERPLICHT = "Dit veld is verplicht."
_BASIS = {"required": VERPLICHT, "null": "Dit veld mag niet leeg (null) zijn.", "validator_failed": "Ongeldige waarde."}


class Schema(ma.Schema):
    class Meta:
        ordered = True

    error_messages = {"unknown": "Onbekend veld.", "type": "Verwacht een JSON-object."}


class Tekst(fields.String):
    default_error_messages = {**_BASIS, "invalid": "Verwacht tekst.", "invalid_utf8": "Geen geldige UTF-8-tekst."}


class Email(fields.Email):
    default_error_messages = {**_BASIS, "invalid": "Geen geldig e-mailadres."}


class JaNee(fields.Boolean):
    default_error_messages = {**_BASIS, "invalid": "Kies true of false."}


class Tijdstip(fields.AwareDateTime):
    default_error_messages = {
        **_BASIS, "invalid": "Geen geldig tijdstip: gebruik ISO 8601, bijvoorbeeld 2026-01-31T09:00:00+01:00.",
        "invalid_awareness": "Geef het tijdstip met tijdzone.", "format": "Geen geldig tijdstip.",
    }  # fmt: skip


class Lijst(fields.List):
    default_error_messages = {**_BASIS, "invalid": "Verwacht een lijst."}


class Genest(fields.Nested):
    default_error_messages = {**_BASIS, "type": "Verwacht een JSON-object."}


class Base64(fields.String):
    """Bytes sent as standard base64 text."""

    default_error_messages = {**_BASIS, "invalid": "Verwacht base64-tekst.", "base64": "Geen geldige base64-tekst."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bytes:
        tekst = super()._deserialize(value, attr, data, **kwargs)
        try:
            return base64.b64decode(tekst, validate=True)
        except (binascii.Error, ValueError):
            raise self.make_error("base64") from None


NIET_LEEG = validate.Regexp(r"\s*\S", error="Dit veld mag niet leeg zijn (alleen spaties tellen niet).")


def lengte(minimum: int, maximum: int) -> validate.Length:
    if minimum:
        return validate.Length(min=minimum, max=maximum, error=f"Geef {minimum} tot {maximum} tekens.")
    return validate.Length(max=maximum, error=f"Hoogstens {maximum} tekens.")


# --- requests ------------------------------------------------------------------------------------
class ActivatieSchema(Schema):
    verificatiecode = Tekst(required=True, validate=lengte(1, 50), metadata={
        "description": "De code die de school koos en de beheerder registreerde."})
    naam = Tekst(required=True, validate=lengte(1, 200), metadata={"description": "Wie de koppeling activeert."})
    toestemming = JaNee(required=True, metadata={"description": "Akkoord met het delen van gegevens met het SWV."})


class BestandSchema(Schema):
    bestandsnaam = Tekst(required=True, validate=[lengte(1, 255), NIET_LEEG])
    inhoud = Base64(required=True, metadata={"format": "byte", "description": "Het bestand in base64 (≤ 10 MB)."})


class ContactpersoonSchema(Schema):
    naam = Tekst(required=True, validate=[lengte(1, 200), NIET_LEEG])
    email = Email(required=True, validate=lengte(3, 254))
    telefoon = Tekst(load_default="", validate=lengte(0, 40))


class AanvraagSchema(Schema):
    lvs_referentie = Tekst(required=True, validate=[lengte(1, 100), NIET_LEEG], metadata={
        "description": "Het eigen kenmerk van het LVS. Opnieuw versturen met hetzelfde kenmerk werkt dezelfde "
                       "hulpvraag bij."})  # fmt: skip
    swv_code = Tekst(required=True, validate=validate.Regexp(r"^(PO|VO)\d{4}$", error="Verwacht een SWV-code: PO2806."))
    korte_omschrijving = Tekst(required=True, validate=[lengte(1, 120), NIET_LEEG], metadata={
        "description": "Een titel uit de vaste lijst van het SWV (hoofdletters en spaties tellen niet); een andere "
                       "tekst wordt bewaard en gemarkeerd. Opnieuw versturen met een andere titel werkt de titel "
                       "bij."})  # fmt: skip
    beschrijving = Tekst(load_default="", validate=lengte(0, 10000), metadata={"description": "De zorgvraag."})
    contactpersoon = Genest(ContactpersoonSchema, required=True)
    oso_dossier = Base64(required=True, metadata={"format": "byte", "description": "Het OSO-dossier (XML), base64."})
    opp = Genest(BestandSchema, load_default=None, allow_none=True, metadata={
        "description": "Het OPP (optioneel); null of een leeg object {} betekent: geen OPP."})

    @ma.pre_load
    def _leeg_opp(self, data: Any, **_: Any) -> Any:
        if isinstance(data, dict) and data.get("opp") == {}:
            return {**data, "opp": None}
        return data
    bijlagen = Lijst(Genest(BestandSchema), load_default=list,
                     validate=validate.Length(max=20, error="Hoogstens 20 bijlagen per keer."))  # fmt: skip


class Geheel(fields.Integer):
    default_error_messages = {**_BASIS, "invalid": "Verwacht een geheel getal.", "too_large": "Dit getal is te groot."}


class SindsSchema(Schema):
    na = Geheel(load_default=None, strict=False, validate=validate.Range(min=0, max=2**31 - 1, error="Geef 0 of meer."),
                metadata={"description": "Alleen wijzigingen met een `wijziging_id` hoger dan dit: geef het "
                          "teruggegeven `volgende`. Begin met 0. Zo mist u geen enkele wijziging."})  # fmt: skip
    sinds = Tijdstip(load_default=None, default_timezone=UTC, metadata={
        "description": "In plaats van `na`: alleen wijzigingen na dit moment; geef het teruggegeven `tot`."})

    @ma.validates_schema
    def _een_van_beide(self, data: dict[str, Any], **_: Any) -> None:
        if (data.get("na") is None) == (data.get("sinds") is None):
            raise ma.ValidationError("Geef precies één van 'na' (aanbevolen) of 'sinds'.", "na")


# --- responses -----------------------------------------------------------------------------------
class StatusSchema(Schema):
    aanvraagnummer = fields.String(required=True, metadata={"description": "Ons aanvraagnummer."})
    lvs_referentie = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "De status bij het SWV."})
    lvs_status = fields.String(required=True, validate=validate.OneOf(LVS_STATUSSEN),
                               metadata={"description": "De status op de korte lijst van het LVS."})  # fmt: skip
    reden = fields.String(required=True)
    titel = fields.String(required=True)
    titel_onbekend = fields.Boolean(required=True, metadata={"description": "De titel staat niet in de vaste lijst."})
    wijziging_id = fields.Integer(required=True, metadata={
        "description": "Het volgnummer van deze statuswijziging bij deze koppeling (oplopend in de volgorde waarin "
                       "ze zijn vastgelegd); hetzelfde in het statusbericht (push) en bij pollen."})  # fmt: skip
    gewijzigd_op = fields.String(required=True, metadata={"format": "date-time",
                                                          "description": "Wanneer deze wijziging is vastgelegd."})


class WijzigingenSchema(Schema):
    aanvragen = fields.List(fields.Nested(StatusSchema), required=True, metadata={
        "description": "Elke statuswijziging, oudste eerst, hoogstens 500 per antwoord."})
    volgende = fields.Integer(required=True, metadata={
        "description": "Het `wijziging_id` van de laatste teruggegeven wijziging: de volgende `na`."})
    tot = fields.String(required=True, allow_none=True, metadata={
        "format": "date-time", "description": "Het moment van de laatste teruggegeven wijziging: de volgende "
        "`sinds` (null als er niets nieuws is: geef dan dezelfde `sinds` opnieuw)."})  # fmt: skip
    meer = fields.Boolean(required=True, metadata={
        "description": "Het antwoord is afgekapt op 500: vraag meteen opnieuw met `na` = `volgende`."})


class KoppelingSchema(Schema):
    koppeling = fields.Integer(required=True)
    school = fields.String(required=True, metadata={"description": "BRIN en vestigingscode (6 posities)."})
    lvs_type = fields.String(required=True, validate=validate.OneOf(list(LVS_TYPES)))
    geactiveerd = fields.Boolean(required=True)
    geactiveerd_op = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})


class FoutSchema(Schema):
    code = fields.Integer(required=True)
    status = fields.String(required=True)
    message = fields.String(required=True, metadata={"description": "Wat er mis is, in het Nederlands."})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True,
                         metadata={"description": "Per veld de meldingen."})  # fmt: skip
