"""Beheer: schools (domain.md §2): list and search, create, edit the wijk and SCP, and the FAQ
changes (merge, new BRIN, new bestuur, rename, close, reopen), each with a preview first."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from models import Hulpvraag, School, db
from web import policy
from web.beheer import besturen as _besturen_routes  # noqa: F401 - registers the besturen and wijken routes
from web.beheer import bp, scholen_import  # noqa: F401 - scholen_import registers the import routes
from workflow.engine.forms import FormField
from workflow.scholen import (
    Ongeldig,
    SchoolInvoer,
    actieve_scps,
    besturen,
    maak_school,
    open_scholen,
    swv_id_voor,
    wijken,
    wijzig_wijk_en_scp,
    zoek_scholen,
)
from workflow.school_wijzigingen import SOORTEN, Wijziging, aantallen, schoolgeschiedenis, voer_uit, voorbeeld, voorheen


@bp.app_template_global("schoolgeschiedenis")
def _schoolgeschiedenis(hulpvraag: Hulpvraag) -> list[Any]:
    """For the hulpvraag page: the changes of its school since it was made."""
    return schoolgeschiedenis(hulpvraag)


@bp.app_template_global("school_voorheen")
def _school_voorheen(hulpvraag: Hulpvraag) -> str | None:
    return voorheen(hulpvraag)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def _school_or_404(school_id: int) -> School:
    school = db.session.get(School, school_id)
    if school is None or school.swv_id != swv_id_voor(current_user):
        abort(404)
    return school


# --- list ----------------------------------------------------------------------------------
@bp.get("/scholen")
@policy.roles("beheerder")
def scholen() -> str:
    q = request.args.get("q", "").strip()[:100]
    gesloten = request.args.get("gesloten") == "1"
    rows = zoek_scholen(swv_id_voor(current_user), q, gesloten)
    return render_template("beheer/school_lijst.html", scholen=rows, q=q, gesloten=gesloten)


# --- create --------------------------------------------------------------------------------
def _invoer(form: MultiDict[str, str]) -> SchoolInvoer:
    return SchoolInvoer(
        naam=form.get("naam", "").strip(), brin=form.get("brin", "").strip().upper(),
        vestigingscode=form.get("vestigingscode", "").strip(), bestuur_id=_int(form.get("bestuur_id")),
        wijk_id=_int(form.get("wijk_id")), scp_id=_int(form.get("scp_id")),
    )  # fmt: skip


def _keuzes(swv_id: int, huidig: School | None = None) -> dict[str, list[tuple[str, str]]]:
    """The options of the pickers: active besturen and wijken (plus the school's current ones), SCPs."""
    wijk_ids = {huidig.wijk_id} if huidig else set()
    return {
        "besturen": [(str(b.id), b.naam) for b in besturen(swv_id, alleen_actief=True)],
        "wijken": [(str(w.id), w.naam) for w in wijken(swv_id) if w.actief or w.id in wijk_ids],
        "scps": [(str(u.id), f"{u.naam} ({u.username})") for u in actieve_scps(swv_id)],
    }


def _velden(waarden: dict[str, Any], fouten: dict[str, str], keuzes: dict[str, list[tuple[str, str]]],
            alleen: tuple[str, ...] | None = None) -> list[FormField]:  # fmt: skip
    velden = [
        FormField("naam", "Naam", "text", True, attrs={"maxlength": 200}),
        FormField("brin", "BRIN", "text", True, help="2 cijfers en 2 hoofdletters, bijvoorbeeld 01AB.",
                  attrs={"maxlength": 4}),
        FormField("vestigingscode", "Vestigingscode", "text", True, help="2 cijfers, bijvoorbeeld 00.",
                  attrs={"maxlength": 2}),
        FormField("bestuur_id", "Bestuur", "select", True, options=keuzes["besturen"]),
        FormField("wijk_id", "Wijk", "select", options=keuzes["wijken"]),
        FormField("scp_id", "Schoolcontactpersoon (SCP)", "select", options=keuzes["scps"],
                  help="Een actief account met de rol schoolcontactpersoon."),
    ]  # fmt: skip
    for veld in velden:
        veld.value, veld.error = waarden.get(veld.name), fouten.get(veld.name, "")
    return [v for v in velden if alleen is None or v.name in alleen]


@bp.get("/scholen/nieuw")
@policy.roles("beheerder")
def school_nieuw() -> str:
    keuzes = _keuzes(swv_id_voor(current_user))
    return render_template("beheer/school_nieuw.html", velden=_velden({"vestigingscode": "00"}, {}, keuzes), fouten={})


@bp.post("/scholen/nieuw")
@policy.roles("beheerder")
def school_aanmaken() -> Response | tuple[str, int]:
    try:
        school = maak_school(_invoer(request.form), current_user)
    except Ongeldig as exc:
        db.session.rollback()
        velden = _velden(request.form.to_dict(), exc.fouten, _keuzes(swv_id_voor(current_user)))
        return render_template("beheer/school_nieuw.html", velden=velden, fouten=exc.fouten), 422
    db.session.commit()
    flash(f"{school.naam} ({school.brin6}) is toegevoegd.", "success")
    return redirect(url_for("beheer.school", school_id=school.id))


# --- one school: details, wijk and SCP ------------------------------------------------------
def _school_pagina(school: School, fouten: dict[str, str] | None = None, waarden: dict[str, Any] | None = None,
                   status: int = 200) -> tuple[str, int]:  # fmt: skip
    waarden = waarden if waarden is not None else {"wijk_id": school.wijk_id, "scp_id": school.scp_id}
    velden = _velden(waarden, fouten or {}, _keuzes(school.swv_id, school), alleen=("wijk_id", "scp_id"))
    html = render_template(
        "beheer/school.html", school=school, velden=velden, fouten=fouten or {}, aantallen=aantallen(school),
        soorten=SOORTEN, opgegaan=_opgegaan_in(school),
    )  # fmt: skip
    return html, status


def _opgegaan_in(school: School) -> list[School]:
    return [s for s in zoek_scholen(school.swv_id, gesloten=True) if s.opgegaan_in_id == school.id]


@bp.get("/scholen/<int:school_id>")
@policy.roles("beheerder")
def school(school_id: int) -> tuple[str, int]:
    return _school_pagina(_school_or_404(school_id))


@bp.post("/scholen/<int:school_id>")
@policy.roles("beheerder")
def school_opslaan(school_id: int) -> Response | tuple[str, int]:
    school = _school_or_404(school_id)
    try:
        wijzigingen = wijzig_wijk_en_scp(school, _int(request.form.get("wijk_id")), _int(request.form.get("scp_id")),
                                         current_user)  # fmt: skip
    except Ongeldig as exc:
        db.session.rollback()
        return _school_pagina(_school_or_404(school_id), exc.fouten, request.form.to_dict(), 422)
    db.session.commit()
    flash(f"Opgeslagen: {', '.join(wijzigingen)}." if wijzigingen else "Er was niets gewijzigd.", "success")
    return redirect(url_for("beheer.school", school_id=school.id))


# --- the FAQ changes -------------------------------------------------------------------------
def _wijziging(values: MultiDict[str, str]) -> Wijziging:
    return Wijziging(
        naam=values.get("naam", "").strip(), brin=values.get("brin", "").strip().upper(),
        vestigingscode=values.get("vestigingscode", "").strip(), bestuur_id=_int(values.get("bestuur_id")),
        doel_id=_int(values.get("doel_id")),
    )  # fmt: skip


def _wijziging_velden(soort: str, school: School, invoer: Wijziging, fouten: dict[str, str]) -> list[FormField]:
    if soort == "naam":
        return [FormField("naam", "Nieuwe naam", "text", True, value=invoer.naam or school.naam,
                          error=fouten.get("naam", ""), attrs={"maxlength": 200})]  # fmt: skip
    if soort == "brin":
        return [
            FormField("brin", "Nieuw BRIN", "text", True, help="2 cijfers en 2 hoofdletters, bijvoorbeeld 01AB.",
                      value=invoer.brin or school.brin, error=fouten.get("brin", ""), attrs={"maxlength": 4}),
            FormField("vestigingscode", "Nieuwe vestigingscode", "text", True, help="2 cijfers, bijvoorbeeld 00.",
                      value=invoer.vestigingscode or school.vestigingscode, error=fouten.get("vestigingscode", ""),
                      attrs={"maxlength": 2}),
        ]  # fmt: skip
    if soort == "bestuur":
        opties = [(str(b.id), b.naam) for b in besturen(school.swv_id, alleen_actief=True) if b.id != school.bestuur_id]
        return [FormField("bestuur_id", "Nieuw bestuur", "select", True, options=opties, value=invoer.bestuur_id,
                          error=fouten.get("bestuur_id", ""))]  # fmt: skip
    if soort == "samenvoegen":
        opties = [(str(s.id), f"{s.naam} ({s.brin6})") for s in open_scholen(school.swv_id, behalve=school.id)]
        return [FormField("doel_id", "Gaat op in (de school die blijft)", "select", True, options=opties,
                          value=invoer.doel_id, error=fouten.get("doel_id", ""),
                          help=f"Alles van {school.naam} gaat naar deze school; {school.naam} wordt gesloten.")]
    return []


@bp.get("/scholen/<int:school_id>/wijzigen/<soort>")
@policy.roles("beheerder")
def school_wijziging(school_id: int, soort: str) -> tuple[str, int]:
    school = _school_or_404(school_id)
    if soort not in SOORTEN:
        abort(404)
    invoer = _wijziging(request.args)
    toon = request.args.get("bekijk") == "1" or soort in ("sluiten", "heropenen")
    return _wijziging_pagina(soort, school, invoer, toon)


def _wijziging_pagina(soort: str, school: School, invoer: Wijziging, toon: bool, fouten: dict[str, str] | None = None,
                      status: int = 200) -> tuple[str, int]:  # fmt: skip
    fouten, preview = dict(fouten or {}), None
    if toon and not fouten:
        try:
            preview = voorbeeld(soort, school, invoer)
        except Ongeldig as exc:
            fouten, status = exc.fouten, 422
    html = render_template(
        "beheer/school_wijziging.html", school=school, soort=soort, titel=SOORTEN[soort], invoer=invoer,
        velden=_wijziging_velden(soort, school, invoer, fouten), fouten=fouten, voorbeeld=preview,
        verborgen={k: v for k, v in vars(invoer).items() if v not in ("", None)},
    )  # fmt: skip
    return html, status


@bp.post("/scholen/<int:school_id>/wijzigen/<soort>")
@policy.roles("beheerder")
def school_wijzigen(school_id: int, soort: str) -> Response | tuple[str, int]:
    school = _school_or_404(school_id)
    if soort not in SOORTEN:
        abort(404)
    invoer = _wijziging(request.form)
    try:
        melding = voer_uit(soort, school, invoer, current_user)
    except Ongeldig as exc:
        db.session.rollback()
        return _wijziging_pagina(soort, _school_or_404(school_id), invoer, True, exc.fouten, 422)
    db.session.commit()
    flash(melding, "success")
    return redirect(url_for("beheer.school", school_id=school_id))
