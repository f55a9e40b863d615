"""Overlegronde pages: start (school), view and react (school and deelnemers), extend (school).

The rules live in workflow/access.py; each route checks them on every request against the
stored deadline, so a deelnemer's open session or fetched link stops working at that moment.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from models import Hulpvraag, db
from models.overlegronde import OVERLEGRONDE_TITEL, Overlegronde
from web import policy
from web.ui import AMSTERDAM
from workflow import audit, incidenten, meldingen
from workflow.access import (
    is_school_van,
    may_react,
    may_see_overlegronde,
    may_start_overlegronde,
    overlegronde_filter,
)
from workflow.bijlagen import bijlagen_van
from workflow.engine.runtime import ProcessFailed
from workflow.overlegronde import (
    ACTIVATIE_UREN,
    PROCESS_KEY,
    NieuweDeelnemer,
    OverlegrondeFout,
    kandidaten,
    reageer,
    start_overlegronde,
    verleng,
)

bp = Blueprint("overlegronde", __name__)
log = logging.getLogger(__name__)
SCHOOL = ("aanvrager", "directeur")


# --- lookups ------------------------------------------------------------------------------
def _ronde_or_404(overlegronde_id: int) -> Overlegronde:
    ronde = db.session.get(Overlegronde, overlegronde_id)
    if ronde is None or not may_see_overlegronde(current_user, ronde):
        log.warning("denied: overlegoverlegronde_id=%s user_id=%s", overlegronde_id, current_user.id)
        abort(404)  # after the deadline a deelnemer gets the same answer as for a nonexistent round
    return ronde


def _eigen_hulpvraag_or_404(hulpvraag_id: int) -> Hulpvraag:
    hulpvraag = policy.hulpvraag_or_404(hulpvraag_id)
    if not is_school_van(current_user, hulpvraag):
        log.warning("denied: hulpvraag_id=%s user_id=%s (overlegronde)", hulpvraag_id, current_user.id)
        abort(404)
    return hulpvraag


def parse_deadline(text: str) -> datetime | None:
    """A datetime-local value (Dutch time, 2026-12-01T17:00) as an aware datetime; None if invalid."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value.replace(tzinfo=AMSTERDAM) if value.tzinfo is None else value


def deadline_invoer(value: datetime) -> str:
    return value.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M")


# --- the block on the hulpvraag page ------------------------------------------------------
def hulpvraag_blok(hulpvraag: Hulpvraag) -> dict[str, Any] | None:
    """Context for overlegronde/_hulpvraag.html: only for the school's own staff (and beheerders)."""
    if not (is_school_van(current_user, hulpvraag) or current_user.heeft_rol("beheerder")):
        return None
    rondes = db.session.scalars(
        sa.select(Overlegronde).where(Overlegronde.hulpvraag_id == hulpvraag.id).order_by(Overlegronde.id.desc())
    ).all()
    if not rondes and hulpvraag.titel != OVERLEGRONDE_TITEL:
        return None
    return {"rondes": rondes, "mag_starten": may_start_overlegronde(current_user, hulpvraag)}


# --- routes -------------------------------------------------------------------------------
@bp.get("/overlegrondes")
@policy.authenticated
def index() -> str:
    rondes = db.session.scalars(
        sa.select(Overlegronde).where(overlegronde_filter(current_user)).order_by(Overlegronde.deadline.desc())
    ).all()
    return render_template("overlegronde/index.html", rondes=rondes)


@bp.route("/hulpvragen/<int:hulpvraag_id>/overlegronde/nieuw", methods=["GET", "POST"])
@policy.roles(*SCHOOL)
def nieuw(hulpvraag_id: int) -> str | Response | tuple[str, int]:
    hulpvraag = _eigen_hulpvraag_or_404(hulpvraag_id)
    if not may_start_overlegronde(current_user, hulpvraag):
        melding = f"Een overlegronde kan alleen bij een hulpvraag ‘{OVERLEGRONDE_TITEL}’ in Voorlopige aanmelding."
        flash(melding, "error")
        return redirect(url_for("hulpvragen.show", hulpvraag_id=hulpvraag.id))
    if request.method == "GET":
        return _nieuw_pagina(hulpvraag, {}, "")
    form = request.form
    try:
        ronde, uitnodigingen = start_overlegronde(
            hulpvraag, current_user, form.get("onderwerp", ""), form.get("omschrijving", ""),
            parse_deadline(form.get("deadline", "")), _ids(form.getlist("deelnemers")), _nieuwe(form),
        )  # fmt: skip
        meldingen.overlegronde_uitnodigingen(ronde, uitnodigingen, ACTIVATIE_UREN)
        db.session.commit()
    except OverlegrondeFout as exc:
        db.session.rollback()
        return _nieuw_pagina(hulpvraag, form, str(exc)), 422
    except ProcessFailed as exc:  # the overlegronde diagram is stuck: reported, the form comes back filled in
        db.session.rollback()
        return _nieuw_pagina(hulpvraag, form, _vastgelopen(hulpvraag.id, exc)), 409
    flash("De overlegronde is gestart; de deelnemers krijgen een e-mail.", "success")
    return redirect(url_for("overlegronde.show", overlegronde_id=ronde.id))


def _vastgelopen(hulpvraag_id: int, exc: ProcessFailed) -> str:
    """The Dutch notice for a stuck overlegronde diagram; the incident goes to the procesbeheerder."""
    gemeld = incidenten.bij_start(hulpvraag_id, PROCESS_KEY, current_user, exc) is not None
    wie = "Het probleem is gemeld bij de procesbeheerder." if gemeld else "Meld dit bij de procesbeheerder."
    return f"De overlegronde kon niet worden gestart. {exc} Er is niets opgeslagen. {wie}"


def _nieuw_pagina(hulpvraag: Hulpvraag, values: Any, error: str) -> str:
    return render_template("overlegronde/nieuw.html", h=hulpvraag, values=values, error=error,
                           kandidaten=kandidaten(current_user, hulpvraag))  # fmt: skip


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


def _nieuwe(form: Any) -> list[NieuweDeelnemer]:
    naam, email = form.get("nieuw_naam", "").strip(), form.get("nieuw_email", "").strip()
    return [NieuweDeelnemer(naam, email)] if naam or email else []


@bp.get("/overlegrondes/<int:overlegronde_id>")
@policy.authenticated
def show(overlegronde_id: int) -> str:
    ronde = _ronde_or_404(overlegronde_id)
    hulpvraag = ronde.hulpvraag
    html = render_template(
        "overlegronde/show.html", ronde=ronde, h=hulpvraag, bijlagen=[b for b in bijlagen_van(hulpvraag)
                                                                      if not b.is_verwijderd],
        is_school=is_school_van(current_user, hulpvraag), mag_reageren=may_react(current_user, ronde),
        deadline_waarde=deadline_invoer(ronde.deadline),
    )  # fmt: skip
    audit.record(current_user, "bekijken", "hulpvraag", hulpvraag.id, dossier_id=hulpvraag.dossier_id,
                 detail=f"overlegronde {ronde.id}")  # fmt: skip
    db.session.commit()
    return html


@bp.post("/overlegrondes/<int:overlegronde_id>/reacties")
@policy.authenticated
def reactie(overlegronde_id: int) -> Response:
    ronde = _ronde_or_404(overlegronde_id)
    try:
        reageer(ronde, current_user, request.form.get("tekst", ""))
        db.session.commit()
    except PermissionError:
        db.session.rollback()
        abort(404 if not may_see_overlegronde(current_user, ronde) else 403)
    except OverlegrondeFout as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash("Uw reactie is toegevoegd.", "success")
    return redirect(url_for("overlegronde.show", overlegronde_id=ronde.id, _anchor="reacties"))


@bp.post("/overlegrondes/<int:overlegronde_id>/deadline")
@policy.roles(*SCHOOL)
def deadline(overlegronde_id: int) -> Response:
    ronde = _ronde_or_404(overlegronde_id)
    if not is_school_van(current_user, ronde.hulpvraag):
        abort(404)
    try:
        verleng(ronde, current_user, parse_deadline(request.form.get("deadline", "")))
        meldingen.overlegronde_deadline_gewijzigd(ronde)
        db.session.commit()
    except OverlegrondeFout as exc:
        db.session.rollback()
        flash(str(exc), "error")
    except ProcessFailed as exc:
        db.session.rollback()
        flash(_vastgelopen(ronde.hulpvraag_id, exc), "error")
    else:
        flash("De deadline is gewijzigd; de deelnemers hebben tot dan toegang.", "success")
    return redirect(url_for("overlegronde.show", overlegronde_id=ronde.id))
