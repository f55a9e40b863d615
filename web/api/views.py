"""The LVS API's operations. Every one is declared ``@policy.koppeling`` (bearer verificatiecode)
except the activation, which carries the code in its body like the LVS's activation screen."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, g, request
from werkzeug.wrappers import Response

from models import Koppeling, db
from web import policy
from web.api import BEARER, bp
from web.api.errors import MELDINGEN, fout
from web.api.invoer import controleer_body
from web.api.schemas import (
    AanvraagSchema,
    ActivatieSchema,
    FoutSchema,
    KoppelingSchema,
    SindsSchema,
    StatusSchema,
    WijzigingenSchema,
)
from workflow import audit, lvs_wijzigingen
from workflow.koppelingen import LvsFout, activeer, noteer_fout
from workflow.lvs import Aanvraag, Bestand, aanvraag_van, ontvang_aanvraag, vaste_titel
from workflow.lvs_push import status_van

log = logging.getLogger(__name__)
FOUTEN = (400, 401, 403, 404, 409, 413, 422, 429)
_KOPPEN = {
    "X-Kansrijk-Timestamp": "Het moment van versturen, in seconden sinds 1970 (UTC).",
    "X-Kansrijk-Signature": "`sha256=` en de HMAC-SHA256 (hex) van `<X-Kansrijk-Timestamp>.<body>` met het "
                            "callbackgeheim van de koppeling.",
}  # fmt: skip
# OpenAPI callbacks: what Kansrijk posts to the koppeling's callback URL after every status change.
STATUSBERICHT = {"statusbericht": {"https://callback-url.van-de-koppeling.example/": {"post": {
    "summary": "Statusbericht aan het LVS",
    "description": (
        "Na elke statuswijziging van een aanvraag van deze koppeling (niet bij het aanmaken: die status staat in het "
        "antwoord). Per aanvraag in volgorde: een ouder bericht dat nog niet was afgeleverd wordt niet meer gestuurd "
        "zodra een nieuwer is afgeleverd. Controleer bij ontvangst: (1) de handtekening over `<tijdstip>.<body>`, "
        "in constante tijd vergeleken; (2) het tijdstip ligt niet meer dan 5 minuten van uw klok af; (3) het "
        "`wijziging_id` is hoger dan het laatste dat u van deze aanvraag verwerkte (anders negeren: een herhaling). "
        "Antwoord met 2xx; bij een ander antwoord of geen antwoord proberen we het later opnieuw (hoogstens 8 keer)."),
    "parameters": [{"name": naam, "in": "header", "required": True, "schema": {"type": "string"},
                    "description": uitleg} for naam, uitleg in _KOPPEN.items()],
    "requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Status"}}}},
    "responses": {"200": {"description": "Ontvangen (elke 2xx telt)."}},
}}}}  # fmt: skip


def _fouten(*codes: int):  # type: ignore[no-untyped-def]
    """Document the error answers of an operation (all in FoutSchema)."""

    def decorator(view):  # type: ignore[no-untyped-def]
        for code in codes:
            view = bp.alt_response(code, schema=FoutSchema, description=MELDINGEN[code])(view)
        return view

    return decorator


# An aanvraag carries its files base64-encoded: a larger body than the web forms allow; the public
# /activatie a few kB. JSON only, parsed once, checked for depth and unstorable text (web/api/invoer.py).
bp.before_request(controleer_body)


def _koppeling() -> Koppeling:
    koppeling = db.session.get(Koppeling, g.koppeling_id)
    assert koppeling is not None
    return koppeling


def _geweigerd(exc: LvsFout) -> Response:
    noteer_fout(g.koppeling_id, exc.message) if getattr(g, "koppeling_id", None) else db.session.rollback()
    log.warning("api refused: status=%s field=%s path=%s", exc.status, exc.veld, request.path)
    return fout(exc.status, exc.message, {exc.veld: [exc.message]} if exc.veld else None)


@bp.route("/activatie", methods=["POST"])
@policy.public
@bp.arguments(ActivatieSchema)
@bp.response(200, KoppelingSchema)
@_fouten(400, 401, 413, 415, 422, 429)
@bp.doc(summary="Koppeling activeren",
        description="Het activatiescherm van het LVS: naam, toestemming en de verificatiecode.")  # fmt: skip
def activatie(invoer: dict[str, Any]) -> Any:
    from web.api.auth import TE_VEEL_ADRES, TE_VEEL_CODE, geweigerd_voor_adres, geweigerd_voor_code, register_failure

    code = invoer["verificatiecode"]
    if wacht := geweigerd_voor_code(code):
        return fout(429, TE_VEEL_CODE, headers={"Retry-After": str(wacht)})
    try:
        koppeling = activeer(code, invoer["naam"], invoer["toestemming"])
    except LvsFout as exc:
        if exc.status == 401:
            if wacht := geweigerd_voor_adres():
                return fout(429, TE_VEEL_ADRES, headers={"Retry-After": str(wacht)})
            register_failure(code)
        return _geweigerd(exc)
    antwoord = _koppeling_info(koppeling)
    db.session.commit()
    return antwoord


@bp.route("/koppeling", methods=["GET"])
@policy.koppeling
@bp.response(200, KoppelingSchema)
@_fouten(401, 429)
@bp.doc(summary="Deze koppeling", description="Controleer de verbinding en de activatie.", security=BEARER)
def koppeling() -> Any:
    koppeling = _koppeling()
    audit.record(koppeling.systeemgebruiker, "bekijken", "koppeling", koppeling.id, detail="api.koppeling")
    antwoord = _koppeling_info(koppeling)
    db.session.commit()
    return antwoord


def _koppeling_info(koppeling: Koppeling) -> dict[str, Any]:
    op = koppeling.geactiveerd_op
    return {"koppeling": koppeling.id, "school": koppeling.school.brin6, "lvs_type": koppeling.lvs_type,
            "geactiveerd": koppeling.is_geactiveerd, "geactiveerd_op": op.isoformat() if op else None}  # fmt: skip


@bp.route("/aanvragen", methods=["POST"])
@policy.koppeling
@bp.arguments(AanvraagSchema)
@bp.response(200, StatusSchema)
@_fouten(*FOUTEN, 415, 503)
@bp.doc(callbacks=STATUSBERICHT)
@bp.doc(summary="Aanvraag versturen of opnieuw versturen", security=BEARER, description=(
    "Maakt een hulpvraag (status Aanmelding) of werkt de hulpvraag met dezelfde `lvs_referentie` bij: tekst, "
    "OSO-dossier en nieuwe bijlagen; na Dossier incompleet gaat de status terug naar Aanmelding. Het antwoord is "
    "voor elke verzending van dezelfde aanvraag gelijk. Bestanden in base64; elk hoogstens 10 MB."))  # fmt: skip
def aanvraag_versturen(invoer: dict[str, Any]) -> Any:
    try:
        row = ontvang_aanvraag(g.koppeling_id, _aanvraag(invoer))
    except LvsFout as exc:
        return _geweigerd(exc)
    antwoord = status_van(row)
    db.session.commit()
    return antwoord


def _aanvraag(invoer: dict[str, Any]) -> Aanvraag:
    contact = invoer["contactpersoon"]
    opp = invoer.get("opp")
    return Aanvraag(
        lvs_referentie=invoer["lvs_referentie"], swv_code=invoer["swv_code"],
        titel=vaste_titel(invoer["korte_omschrijving"]),
        beschrijving=invoer["beschrijving"], contactpersoon_naam=contact["naam"],
        contactpersoon_email=contact["email"], contactpersoon_telefoon=contact["telefoon"], oso=invoer["oso_dossier"],
        opp=Bestand(opp["bestandsnaam"], opp["inhoud"], "opp") if opp else None,
        bijlagen=[Bestand(b["bestandsnaam"], b["inhoud"], f"bijlagen[{i}]") for i, b in enumerate(invoer["bijlagen"])],
    )  # fmt: skip


@bp.route("/aanvragen/<string:aanvraagnummer>", methods=["GET"])
@policy.koppeling
@bp.response(200, StatusSchema)
@_fouten(401, 404, 429)
@bp.doc(summary="Status van een aanvraag", security=BEARER,
        description="Onze status en die op de korte lijst van het LVS; alleen aanvragen van deze koppeling.")
def aanvraag_status(aanvraagnummer: str) -> Any:
    row = aanvraag_van(g.koppeling_id, aanvraagnummer)
    if row is None or row.hulpvraag is None:
        log.warning("api denied: aanvraag not found for koppeling_id=%s", g.koppeling_id)
        return fout(404, "Deze koppeling heeft geen aanvraag met dit nummer.")
    antwoord = status_van(row)
    audit.record(_koppeling().systeemgebruiker, "bekijken", "hulpvraag", row.hulpvraag.id,
                 dossier_id=row.hulpvraag.dossier_id, detail="api.status")  # fmt: skip
    db.session.commit()
    return antwoord


@bp.route("/aanvragen", methods=["GET"])
@policy.koppeling
@bp.arguments(SindsSchema, location="query")
@bp.response(200, WijzigingenSchema)
@_fouten(400, 401, 422, 429)
@bp.doc(summary="Statuswijzigingen ophalen (pollen)", security=BEARER,
        description="Elke statuswijziging van de aanvragen van deze koppeling na `na` (aanbevolen) of na `sinds`, "
                    "oudste eerst, hoogstens 500 per antwoord. Geef het teruggegeven `volgende` de volgende keer als "
                    "`na` (of `tot` als `sinds`); is `meer` true, vraag dan meteen opnieuw. De nummers worden "
                    "uitgegeven in de volgorde waarin de wijzigingen zijn vastgelegd: met `na` mist u er geen."
        )  # fmt: skip
def wijzigingen(invoer: dict[str, Any]) -> Any:
    limiet = int(current_app.config.get("LVS_POLL_MAX", lvs_wijzigingen.MAX_PER_KEER))
    if invoer.get("na") is not None:
        pagina = lvs_wijzigingen.na(g.koppeling_id, invoer["na"], limiet)
    else:
        pagina = lvs_wijzigingen.sinds(g.koppeling_id, invoer["sinds"], limiet)
    gebruiker = _koppeling().systeemgebruiker
    for item in {a["aanvraagnummer"]: a for a in pagina.aanvragen}.values():
        row = aanvraag_van(g.koppeling_id, item["aanvraagnummer"])
        if row is not None and row.hulpvraag is not None:
            audit.record(gebruiker, "bekijken", "hulpvraag", row.hulpvraag.id,
                         dossier_id=row.hulpvraag.dossier_id, detail="api.wijzigingen")  # fmt: skip
    db.session.commit()
    tot = pagina.tot or (invoer.get("sinds") if invoer.get("na") is None else None)
    return {"aanvragen": pagina.aanvragen, "volgende": pagina.volgende, "tot": tot.isoformat() if tot else None,
            "meer": pagina.meer}  # fmt: skip
