"""Vergadering pages: the list, planning a meeting, its agenda (add items, record outcomes), the
verslag, and both as PDF. The rules live in workflow/vergaderingen.py; a meeting someone does not
take part in, and an item whose hulpvraag they may not see, answer 404 like a nonexistent one.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from models import db
from models.vergadering import SOORTEN, Vergadering
from web import policy
from web.vergaderingen.pdf import vergadering_pdf
from workflow import audit
from workflow.vergaderingen import (
    VergaderingFout,
    agenderen,
    is_planner,
    is_voorzitter,
    kandidaten,
    leg_uitkomst_vast,
    maak_vergadering,
    may_plan,
    may_see_vergadering,
    uitkomsten,
    vergadering_filter,
    zichtbaar_punt,
    zichtbare_punten,
)

bp = Blueprint("vergaderingen", __name__, url_prefix="/vergaderingen")
log = logging.getLogger(__name__)
SWV = ("scp", "functionaris", "beheerder")
PLANNERS = ("scp", "beheerder")


def _vergadering_or_404(vergadering_id: int) -> Vergadering:
    vergadering = db.session.get(Vergadering, vergadering_id)
    if vergadering is None or not may_see_vergadering(current_user, vergadering):
        log.warning("denied: vergadering_id=%s user_id=%s", vergadering_id, current_user.id)
        abort(404)
    return vergadering


def parse_datum(text: str) -> date | None:
    """A date as the browser sends it (2026-12-01) or as typed (01-12-2026); None if invalid."""
    for fmt in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


@bp.get("")
@policy.roles(*SWV)
def index() -> str:
    query = sa.select(Vergadering).where(vergadering_filter(current_user)).order_by(Vergadering.datum.desc())
    return render_template("vergaderingen/index.html", vergaderingen=db.session.scalars(query).all(),
                           mag_plannen=is_planner(current_user))  # fmt: skip


@bp.route("/nieuw", methods=["GET", "POST"])
@policy.roles(*PLANNERS)
def nieuw() -> str | Response | tuple[str, int]:
    if request.method == "GET":
        return _nieuw_pagina({}, "")
    form = request.form
    voorzitter = form.get("voorzitter", "")
    try:
        vergadering = maak_vergadering(current_user, parse_datum(form.get("datum", "")), form.get("soort", ""),
                                       int(voorzitter) if voorzitter.isdigit() else None,
                                       _ids(form.getlist("leden")))  # fmt: skip
        db.session.commit()
    except VergaderingFout as exc:
        db.session.rollback()
        return _nieuw_pagina(form, str(exc)), 422
    flash("De vergadering is aangemaakt. Zet nu hulpvragen op de agenda.", "success")
    return redirect(url_for("vergaderingen.show", vergadering_id=vergadering.id))


def _nieuw_pagina(values: Any, error: str) -> str:
    return render_template("vergaderingen/nieuw.html", values=values, error=error, soorten=SOORTEN,
                           kandidaten=kandidaten())  # fmt: skip


def _agenda_context(vergadering: Vergadering) -> dict[str, Any]:
    return {"v": vergadering, "punten": zichtbare_punten(current_user, vergadering)}


def _lees(vergadering: Vergadering, template: str, detail: str, **extra: Any) -> str:
    """Render a page of the meeting and audit the read of each hulpvraag on it."""
    context = _agenda_context(vergadering)
    html = render_template(template, **context, **extra)
    for punt in context["punten"]:
        audit.record(current_user, "bekijken", "hulpvraag", punt.hulpvraag_id, dossier_id=punt.hulpvraag.dossier_id,
                     detail=f"vergadering {vergadering.id}: {detail}")  # fmt: skip
    db.session.commit()
    return html


@bp.get("/<int:vergadering_id>")
@policy.roles(*SWV)
def show(vergadering_id: int) -> str:
    vergadering = _vergadering_or_404(vergadering_id)
    return _lees(vergadering, "vergaderingen/show.html", "agenda", values=request.args, error="",
                 mag_plannen=may_plan(current_user, vergadering), uitkomsten=uitkomsten(),
                 is_voorzitter=is_voorzitter(current_user, vergadering))  # fmt: skip


@bp.get("/<int:vergadering_id>/verslag")
@policy.roles(*SWV)
def verslag(vergadering_id: int) -> str:
    vergadering = _vergadering_or_404(vergadering_id)
    return _lees(vergadering, "vergaderingen/verslag.html", "verslag")


@bp.get("/<int:vergadering_id>/<any(agenda, verslag):stuk>.pdf")
@policy.roles(*SWV)
def pdf(vergadering_id: int, stuk: str) -> Response:
    vergadering = _vergadering_or_404(vergadering_id)
    punten = zichtbare_punten(current_user, vergadering)
    response = make_response(vergadering_pdf(vergadering, punten, verslag=stuk == "verslag"))
    response.headers["Content-Type"] = "application/pdf"
    # The name carries the meeting's number only: no pupil, school or member names.
    response.headers["Content-Disposition"] = f'attachment; filename="vergadering-{vergadering.id}-{stuk}.pdf"'
    for punt in punten:
        audit.record(current_user, "downloaden", "hulpvraag", punt.hulpvraag_id, dossier_id=punt.hulpvraag.dossier_id,
                     detail=f"vergadering {vergadering.id}: {stuk} (pdf)")  # fmt: skip
    db.session.commit()
    return response


@bp.post("/<int:vergadering_id>/agendapunten")
@policy.roles(*PLANNERS)
def agendapunt(vergadering_id: int) -> Response | tuple[str, int]:
    vergadering = _vergadering_or_404(vergadering_id)
    if not may_plan(current_user, vergadering):
        abort(404)
    form = request.form
    try:
        punt = agenderen(vergadering, current_user, form.get("aanvraagnummer", ""), form.get("reden", ""))
        db.session.commit()
    except VergaderingFout as exc:
        db.session.rollback()
        return _fout(vergadering, form, str(exc))
    flash(f"Hulpvraag {punt.hulpvraag.aanvraagnummer} staat op de agenda (In beraad); de school krijgt bericht.",
          "success")  # fmt: skip
    return redirect(url_for("vergaderingen.show", vergadering_id=vergadering.id))


def _fout(vergadering: Vergadering, form: Any, error: str) -> tuple[str, int]:
    html = render_template("vergaderingen/show.html", **_agenda_context(vergadering), values=form, error=error,
                           mag_plannen=may_plan(current_user, vergadering), uitkomsten=uitkomsten(),
                           is_voorzitter=is_voorzitter(current_user, vergadering))  # fmt: skip
    return html, 422


@bp.post("/<int:vergadering_id>/agendapunten/<int:agendapunt_id>/uitkomst")
@policy.roles(*SWV)
def uitkomst(vergadering_id: int, agendapunt_id: int) -> Response:
    vergadering = _vergadering_or_404(vergadering_id)
    punt = zichtbaar_punt(current_user, vergadering, agendapunt_id)
    if punt is None:
        abort(404)
    try:
        leg_uitkomst_vast(punt, current_user, request.form.get("uitkomst", ""), request.form.get("arrangement", ""))
        db.session.commit()
    except PermissionError:
        db.session.rollback()
        abort(403)
    except VergaderingFout as exc:
        db.session.rollback()
        flash(f"Hulpvraag {punt.hulpvraag.aanvraagnummer}: {exc}", "error")
    else:
        flash(f"De uitkomst van hulpvraag {punt.hulpvraag.aanvraagnummer} is vastgelegd ({punt.uitkomst}).", "success")
    return redirect(url_for("vergaderingen.show", vergadering_id=vergadering.id, _anchor=f"punt-{agendapunt_id}"))
