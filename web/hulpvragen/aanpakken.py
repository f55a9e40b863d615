"""Aanpakken on the hulpvraag page: list them, show one (its diagram with the current task), add one."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, request, url_for
from flask_login import current_user

from models import Hulpvraag, HumanTask, ProcessDefinition, ProcessInstance, db
from models.user import Rol
from web import policy
from web.hulpvragen.views import bp
from workflow import audit, incidenten
from workflow.engine.runtime import ProcessFailed, start_process
from workflow.hulpvragen import INTAKE

NIET_HANDMATIG = {INTAKE, "overlegronde"}  # started by their own route, not as an aanpak


def mag_aanpak_toevoegen(hulpvraag: Hulpvraag) -> bool:
    """The hulpvraag's SCP (coordinator or the school's SCP) or a beheerder, once it is submitted."""
    if hulpvraag.is_voorlopig:
        return False
    if Rol.BEHEERDER in current_user.rollen:
        return True
    return Rol.SCP in current_user.rollen and current_user.id in (hulpvraag.coordinator_id, hulpvraag.school.scp_id)


def beschikbare_aanpakken() -> list[tuple[str, str]]:
    """(process_key, naam) of every published diagram an SCP may start by hand."""
    newest = sa.select(ProcessDefinition.process_key, sa.func.max(ProcessDefinition.id).label("id")).group_by(
        ProcessDefinition.process_key
    )
    rows = db.session.execute(
        sa.select(ProcessDefinition.process_key, ProcessDefinition.naam).where(
            ProcessDefinition.id.in_(sa.select(newest.subquery().c.id))
        )
    ).all()
    return sorted((key, naam) for key, naam in rows if key not in NIET_HANDMATIG)


def aanpak_context(hulpvraag: Hulpvraag, selected: int | None) -> dict[str, Any]:
    """What the hulpvraag page needs: every aanpak, the selected one, its tasks and history."""
    aanpakken = db.session.scalars(
        sa.select(ProcessInstance)
        .where(ProcessInstance.hulpvraag_id == hulpvraag.id, ProcessInstance.process_key != INTAKE)
        .order_by(ProcessInstance.id)
    ).all()
    gekozen = next((a for a in aanpakken if a.id == selected), aanpakken[-1] if aanpakken else None)
    taken = []
    if gekozen is not None:
        taken = list(db.session.scalars(
            sa.select(HumanTask).where(HumanTask.instance_id == gekozen.id).order_by(HumanTask.id)
        ))  # fmt: skip
    return {
        "aanpakken": aanpakken,
        "aanpak": gekozen,
        "aanpak_open": [t for t in taken if t.completed_at is None],
        "aanpak_gedaan": [t for t in taken if t.completed_at is not None],
        "aanpak_toevoegen": mag_aanpak_toevoegen(hulpvraag),
        "beschikbare_aanpakken": beschikbare_aanpakken() if mag_aanpak_toevoegen(hulpvraag) else [],
    }


@bp.get("/<int:hulpvraag_id>/aanpakken/<int:instance_id>/diagram.bpmn")
@policy.authenticated
def aanpak_diagram(hulpvraag_id: int, instance_id: int) -> Response:
    """The diagram version this aanpak runs on, for the viewer."""
    hulpvraag = policy.hulpvraag_or_404(hulpvraag_id)
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None or instance.hulpvraag_id != hulpvraag.id:
        abort(404)
    return Response(instance.definition.bpmn_xml, mimetype="application/xml")


@bp.post("/<int:hulpvraag_id>/aanpakken")
@policy.roles("scp", "beheerder")
def aanpak_toevoegen(hulpvraag_id: int) -> Response:
    hulpvraag = policy.hulpvraag_or_404(hulpvraag_id)
    if not mag_aanpak_toevoegen(hulpvraag):
        abort(403, "Alleen de SCP van deze hulpvraag of een beheerder kan een aanpak toevoegen.")
    key = request.form.get("aanpak", "")
    if key not in dict(beschikbare_aanpakken()):
        flash("Kies een aanpak uit de lijst.", "error")
        return redirect(url_for("hulpvragen.show", hulpvraag_id=hulpvraag.id))
    try:
        instance = start_process(hulpvraag, key, current_user)
        incidenten.na_succes(incidenten.sleutel_start(hulpvraag.id, key), current_user)
        audit.record(current_user, "aanmaken", "hulpvraag", hulpvraag.id, dossier_id=hulpvraag.dossier_id,
                     detail=f"aanpak {key} toegevoegd")  # fmt: skip
        db.session.commit()
    except ProcessFailed as exc:
        db.session.rollback()
        gemeld = incidenten.bij_start(hulpvraag_id, key, current_user, exc) is not None
        melding = "Het probleem is gemeld bij de procesbeheerder." if gemeld else "Meld dit bij de procesbeheerder."
        flash(f"De aanpak kon niet worden gestart. {exc} Er is niets opgeslagen. {melding}", "error")
        return redirect(url_for("hulpvragen.show", hulpvraag_id=hulpvraag_id))
    flash(f"Aanpak ‘{instance.definition.naam}’ is gestart.", "success")
    return redirect(url_for("hulpvragen.show", hulpvraag_id=hulpvraag.id, aanpak=instance.id))
