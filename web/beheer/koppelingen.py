"""Beheer: LVS-koppelingen per school (domain.md §6): register, follow activation, calls, errors and
status pushes, deactivate. The verificatiecode is shown nowhere after it was typed."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from models import Koppeling, LvsPush, School, db
from models.lvs import LVS_TYPES
from web import policy
from web.beheer import bp
from workflow.koppelingen import (
    CODE_MAX,
    CODE_MIN,
    KoppelingOngeldig,
    NieuweKoppeling,
    deactiveer,
    heractiveer,
    nieuw_geheim,
    nieuwe_code,
    registreer_koppeling,
    wijzig_callback,
)


def _pagina(
    fouten: dict[str, str] | None = None, invoer: dict[str, str] | None = None,
    nieuw: Koppeling | None = None, geheim: str | None = None, status: int = 200,
) -> tuple[str, int]:
    koppelingen = db.session.scalars(sa.select(Koppeling).order_by(Koppeling.school_id, Koppeling.id)).all()
    pushes = {k.id: _pushes(k.id) for k in koppelingen}
    scholen = db.session.scalars(sa.select(School).where(School.gesloten_op.is_(None)).order_by(School.naam)).all()
    html = render_template(
        "beheer/koppelingen.html", koppelingen=koppelingen, pushes=pushes, scholen=scholen, lvs_types=LVS_TYPES,
        fouten=fouten or {}, invoer=invoer or {}, nieuw=nieuw, geheim=geheim, code_min=CODE_MIN, code_max=CODE_MAX,
    )  # fmt: skip
    return html, status


def _pushes(koppeling_id: int) -> list[LvsPush]:
    query = sa.select(LvsPush).where(LvsPush.koppeling_id == koppeling_id).order_by(LvsPush.id.desc()).limit(10)
    return list(db.session.scalars(query))


@bp.get("/koppelingen")
@policy.roles("beheerder")
def koppelingen() -> tuple[str, int]:
    return _pagina()


@bp.post("/koppelingen")
@policy.roles("beheerder")
def koppeling_registreren() -> tuple[str, int]:
    form = request.form
    invoer = NieuweKoppeling(
        school_id=form.get("school_id", type=int), lvs_type=form.get("lvs_type", ""),
        omgeving=form.get("omgeving", "").strip(), verificatiecode=form.get("verificatiecode", "").strip(),
        callback_url=form.get("callback_url", "").strip(),
    )  # fmt: skip
    try:
        koppeling, geheim = registreer_koppeling(invoer, current_user)
    except KoppelingOngeldig as exc:
        db.session.rollback()
        terug = {k: v for k, v in form.items() if k in ("school_id", "lvs_type", "omgeving", "callback_url")}
        return _pagina(exc.fouten, terug, status=422)  # the code is never sent back
    db.session.commit()
    return _pagina(nieuw=koppeling, geheim=geheim)  # the callback secret: this once


@bp.post("/koppelingen/<int:koppeling_id>/deactiveren")
@policy.roles("beheerder")
def koppeling_deactiveren(koppeling_id: int) -> Response:
    koppeling = db.session.get(Koppeling, koppeling_id)
    if koppeling is None:
        return redirect(url_for("beheer.koppelingen"))
    deactiveer(koppeling, current_user)
    db.session.commit()
    flash("De koppeling is uitgezet: het LVS kan er niets meer mee versturen of lezen.", "success")
    return redirect(url_for("beheer.koppelingen"))


def _koppeling_or_404(koppeling_id: int) -> Koppeling:
    koppeling = db.session.get(Koppeling, koppeling_id)
    if koppeling is None:
        abort(404)
    return koppeling


@bp.post("/koppelingen/<int:koppeling_id>/heractiveren")
@policy.roles("beheerder")
def koppeling_heractiveren(koppeling_id: int) -> Response | tuple[str, int]:
    try:
        heractiveer(_koppeling_or_404(koppeling_id), current_user)
    except KoppelingOngeldig as exc:
        db.session.rollback()
        return _pagina(exc.fouten, status=409)
    db.session.commit()
    flash("De koppeling staat weer aan: het LVS kan er weer mee versturen en lezen.", "success")
    return redirect(url_for("beheer.koppelingen"))


@bp.post("/koppelingen/<int:koppeling_id>/callback")
@policy.roles("beheerder")
def koppeling_callback(koppeling_id: int) -> Response | tuple[str, int]:
    koppeling = _koppeling_or_404(koppeling_id)
    try:
        geheim = wijzig_callback(koppeling, request.form.get("callback_url", ""), current_user)
    except KoppelingOngeldig as exc:
        db.session.rollback()
        return _pagina(exc.fouten, status=422)
    db.session.commit()
    if geheim:
        return _pagina(nieuw=koppeling, geheim=geheim)
    flash("De callback-URL is opgeslagen.", "success")
    return redirect(url_for("beheer.koppelingen"))


@bp.post("/koppelingen/<int:koppeling_id>/geheim")
@policy.roles("beheerder")
def koppeling_geheim(koppeling_id: int) -> tuple[str, int]:
    koppeling = _koppeling_or_404(koppeling_id)
    try:
        geheim = nieuw_geheim(koppeling, current_user)
    except KoppelingOngeldig as exc:
        db.session.rollback()
        return _pagina(exc.fouten, status=422)
    db.session.commit()
    return _pagina(nieuw=koppeling, geheim=geheim)  # shown this once


@bp.post("/koppelingen/<int:koppeling_id>/code")
@policy.roles("beheerder")
def koppeling_code(koppeling_id: int) -> Response | tuple[str, int]:
    try:
        nieuwe_code(_koppeling_or_404(koppeling_id), request.form.get("verificatiecode", ""), current_user)
    except KoppelingOngeldig as exc:
        db.session.rollback()
        return _pagina(exc.fouten, status=422)
    db.session.commit()
    flash("De nieuwe verificatiecode is opgeslagen; de oude werkt niet meer.", "success")
    return redirect(url_for("beheer.koppelingen"))
