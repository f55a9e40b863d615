"""Beheer: retention (domain.md §9). The monthly job proposes; a beheerder approves each deletion."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from models import Retentievoorstel, Verwijderverslag, db, utcnow
from models.retentie import AFGEWEZEN, VOORGESTELD
from web import policy
from web.beheer import bp
from workflow import audit
from workflow.retention import RetentieFout, execute, list_due, plan, reject

log = logging.getLogger(__name__)
REDEN_MAX = 1000


def _mijn_swv() -> sa.ColumnElement[bool]:
    return Retentievoorstel.swv_id == current_user.swv_id


@bp.get("/retentie")
@policy.roles("beheerder")
def retentie() -> str:
    query = sa.select(Retentievoorstel).where(_mijn_swv())
    voorgesteld = db.session.scalars(
        query.where(Retentievoorstel.status == VOORGESTELD).order_by(Retentievoorstel.vervalt_op, Retentievoorstel.id)
    ).all()
    afgewezen = db.session.scalars(
        query.where(Retentievoorstel.status == AFGEWEZEN).order_by(Retentievoorstel.approved_at.desc()).limit(50)
    ).all()
    return render_template("beheer/retentie.html", voorgesteld=voorgesteld, afgewezen=afgewezen)


@bp.post("/retentie/controleren")
@policy.roles("beheerder")
def retentie_controleren() -> Response:
    """The monthly job's check, on demand (it proposes; it deletes nothing)."""
    nieuw = list_due(utcnow())
    db.session.commit()
    flash(f"{len(nieuw)} nieuw(e) voorstel(len) tot verwijderen." if nieuw else "Geen nieuwe voorstellen.", "info")
    return redirect(url_for("beheer.retentie"))


def _voorstel_or_404(voorstel_id: int) -> Retentievoorstel:
    voorstel = db.session.scalar(sa.select(Retentievoorstel).where(Retentievoorstel.id == voorstel_id, _mijn_swv()))
    if voorstel is None:
        abort(404)
    return voorstel


def _toon(voorstel: Retentievoorstel, errors: dict[str, str], status: int = 200) -> tuple[str, int]:
    gevolgen = plan(voorstel) if voorstel.status == VOORGESTELD and voorstel.hulpvraag else None
    html = render_template(
        "beheer/retentie_voorstel.html", v=voorstel, gevolgen=gevolgen, errors=errors,
        reden=request.form.get("reden", ""),
    )  # fmt: skip
    return html, status


@bp.get("/retentie/<int:voorstel_id>")
@policy.roles("beheerder")
def retentie_voorstel(voorstel_id: int) -> tuple[str, int]:
    return _toon(_voorstel_or_404(voorstel_id), {})


@bp.post("/retentie/<int:voorstel_id>/goedkeuren")
@policy.roles("beheerder")
def retentie_goedkeuren(voorstel_id: int) -> Response | tuple[str, int]:
    voorstel = _voorstel_or_404(voorstel_id)
    if request.form.get("bevestig") != "ja":
        return _toon(voorstel, {"bevestig": "Vink aan dat u de verwijdering bevestigt."}, 422)
    hulpvraag_id, dossier_id = voorstel.hulpvraag_id, voorstel.hulpvraag.dossier_id if voorstel.hulpvraag else None
    try:
        verslag = execute(voorstel, current_user)
        detail = f"bewaartermijn verstreken: {verslag.soort_label.lower()} verwijderd"
        audit.record(current_user, "wijzigen", "hulpvraag", hulpvraag_id, dossier_id=dossier_id, detail=detail)
        db.session.commit()
    except RetentieFout as exc:
        db.session.rollback()
        flash(f"{exc} Er is niets verwijderd.", "error")
        return redirect(url_for("beheer.retentie"))
    except IntegrityError:  # a table refers to the hulpvraag but registered no opruimer
        db.session.rollback()
        log.exception("retention blocked by a foreign key: proposal=%s", voorstel_id)
        flash("Er verwijzen nog gegevens naar deze hulpvraag die niet mee verwijderd kunnen worden. "
              "Er is niets verwijderd; neem contact op met de ontwikkelaars.", "error")  # fmt: skip
        return redirect(url_for("beheer.retentie"))
    log.info("retention approved: proposal=%s user_id=%s", voorstel_id, current_user.id)
    flash(f"De gegevens van aanvraag {verslag.aanvraagnummer} zijn verwijderd; zie het verwijderverslag.", "success")
    return redirect(url_for("beheer.retentie"))


@bp.post("/retentie/<int:voorstel_id>/afwijzen")
@policy.roles("beheerder")
def retentie_afwijzen(voorstel_id: int) -> Response | tuple[str, int]:
    voorstel = _voorstel_or_404(voorstel_id)
    reden = request.form.get("reden", "").strip()
    if not reden or len(reden) > REDEN_MAX:
        fout = f"Geef aan waarom de gegevens bewaard blijven (hoogstens {REDEN_MAX} tekens)."
        return _toon(voorstel, {"reden": fout}, 422)
    try:
        reject(voorstel, current_user, reden)
        db.session.commit()
    except RetentieFout as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("beheer.retentie"))
    flash(f"Het voorstel voor aanvraag {voorstel.aanvraagnummer} is afgewezen: de gegevens blijven bewaard.", "success")
    return redirect(url_for("beheer.retentie"))


@bp.get("/retentie/verslagen")
@policy.roles("beheerder")
def retentie_verslagen() -> str:
    verslagen = db.session.scalars(
        sa.select(Verwijderverslag).where(Verwijderverslag.swv_id == current_user.swv_id)
        .order_by(Verwijderverslag.created_at.desc(), Verwijderverslag.id.desc()).limit(500)
    ).all()  # fmt: skip
    return render_template("beheer/retentie_verslagen.html", verslagen=verslagen)
