"""Possible duplicate leerling dossiers (an LVS aanvraag whose pupil was not certain): the SCP sees a
preview and merges, or records two pupils (workflow/dossier_samenvoegen.py). Both audited."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from models import Dossier, db
from models.lvs import MogelijkDubbel
from web import policy
from web.dossiers.views import _visible_or_404, bp
from workflow import audit
from workflow.dossier_samenvoegen import (
    SamenvoegenGeweigerd,
    mag_samenvoegen,
    open_dubbelen,
    verschillende_leerlingen,
    voeg_samen,
    voorbeeld,
)


@bp.app_template_global("mogelijke_dubbelen")
def mogelijke_dubbelen(dossier: Dossier) -> list[MogelijkDubbel]:
    """The open possible duplicates of a dossier, for its page (only for who may merge them)."""
    return open_dubbelen(dossier.id) if mag_samenvoegen(current_user, dossier) else []


def _dubbel_or_404(dubbel_id: int) -> MogelijkDubbel:
    dubbel = db.session.get(MogelijkDubbel, dubbel_id)
    if dubbel is None:
        abort(404)
    dossier = _visible_or_404(dubbel.dossier_id)
    _visible_or_404(dubbel.ander_dossier_id)
    if not mag_samenvoegen(current_user, dossier):
        abort(403, "Alleen de SCP van de school (of een beheerder) kan dossiers samenvoegen.")
    return dubbel


@bp.get("/dubbel/<int:dubbel_id>")
@policy.roles("scp", "beheerder")
def dubbel(dubbel_id: int) -> str | tuple[str, int]:
    item = _dubbel_or_404(dubbel_id)
    try:
        plan = voorbeeld(item)
    except SamenvoegenGeweigerd as exc:
        return render_template("dossiers/samenvoegen.html", dubbel=item, plan=None, fout=str(exc)), 409
    for dossier in (plan.behouden, plan.weg):
        audit.record(current_user, "bekijken", "dossier", dossier.id, dossier_id=dossier.id,
                     detail="voorbeeld samenvoegen")  # fmt: skip
    db.session.commit()
    return render_template("dossiers/samenvoegen.html", dubbel=item, plan=plan, fout=None)


@bp.post("/dubbel/<int:dubbel_id>/samenvoegen")
@policy.roles("scp", "beheerder")
def samenvoegen(dubbel_id: int) -> Response | tuple[str, int]:
    item = _dubbel_or_404(dubbel_id)
    try:
        behouden = voeg_samen(item, current_user)
    except SamenvoegenGeweigerd as exc:
        db.session.rollback()
        return render_template("dossiers/samenvoegen.html", dubbel=item, plan=None, fout=str(exc)), 409
    db.session.commit()
    flash("De dossiers zijn samengevoegd.", "success")
    return redirect(url_for("dossiers.show", dossier_id=behouden.id))


@bp.post("/dubbel/<int:dubbel_id>/verschillend")
@policy.roles("scp", "beheerder")
def verschillend(dubbel_id: int) -> Response | tuple[str, int]:
    item = _dubbel_or_404(dubbel_id)
    try:
        verschillende_leerlingen(item, current_user)
    except SamenvoegenGeweigerd as exc:
        db.session.rollback()
        return render_template("dossiers/samenvoegen.html", dubbel=item, plan=None, fout=str(exc)), 409
    db.session.commit()
    flash("Vastgelegd: dit zijn twee verschillende leerlingen.", "success")
    return redirect(url_for("dossiers.show", dossier_id=item.dossier_id))
