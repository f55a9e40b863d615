"""Incidents under Processen: the list, one incident with its repair actions, and the stuck case
read-only (what a procesbeheerder may see of it: workflow/access.py, "procesbeheerders and stuck
cases"). Every action is a POST with the CSRF token; a refusal comes back as a Dutch message."""

from __future__ import annotations

import logging
from collections.abc import Callable

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models import Hulpvraag, HumanTask, Incident, ProcessInstance, db
from models.incident import OPEN, OPGELOST, OPLOSSINGEN, SOORTEN
from web import policy
from web.processen import bp
from workflow import audit, incident_herstel, incidenten
from workflow.access import INCIDENT_INZAGE_DAGEN, may_inspect_hulpvraag
from workflow.engine.herstel import element_soort
from workflow.meldingen import zonder_leerling

log = logging.getLogger(__name__)
ELEMENTEN = {"ScriptTask": "script", "ExclusiveGateway": "splitsing (exclusief)", "InclusiveGateway": "splitsing",
             "ParallelGateway": "splitsing (parallel)", "UserTask": "taak", "StartEvent": "start", "EndEvent": "einde",
             "IntermediateCatchEvent": "tussengebeurtenis", "BoundaryEvent": "randgebeurtenis"}  # fmt: skip


def _incident_or_404(incident_id: int) -> Incident:
    incident = db.session.get(Incident, incident_id)
    if incident is None:
        abort(404)
    return incident


def _audit_lezen(incident: Incident, wat: str) -> None:
    """Opening an incident or its case is a read of the case: audited like any dossier view."""
    hulpvraag = incident.hulpvraag
    if hulpvraag is not None:
        audit.record(current_user, "bekijken", "hulpvraag", hulpvraag.id, dossier_id=hulpvraag.dossier_id,
                     detail=f"{wat} (incident {incident.id})")  # fmt: skip


# --- reading -----------------------------------------------------------------------------------
@bp.get("/incidenten", endpoint="incidenten")
@policy.roles("procesbeheerder")
def incidenten_lijst() -> str:
    status = request.args.get("status", "")
    status = status if status in (OPEN, OPGELOST) else ""
    return render_template("processen/incidenten.html", incidenten=incidenten.lijst(status), status=status,
                           soorten=SOORTEN)  # fmt: skip


@bp.get("/incidenten/<int:incident_id>")
@policy.roles("procesbeheerder")
def incident(incident_id: int) -> str:
    incident = _incident_or_404(incident_id)
    html = render_template(
        "processen/incident.html", i=incident, soorten=SOORTEN, oplossingen=OPLOSSINGEN,
        element=ELEMENTEN.get(element_soort(_definitie(incident), incident.bpmn_id), "onderdeel"),
        versies=incident_herstel.nieuwere_versies(incident) if incident.is_open else [],
        terugzetpunten=incident_herstel.terugzetpunten(incident),
        overslaan_geweigerd=incident_herstel.overslaan_geweigerd(incident),
        inzage=incident.hulpvraag_id is not None and may_inspect_hulpvraag(current_user, incident.hulpvraag_id),
    )  # fmt: skip
    _audit_lezen(incident, "incident bekeken")
    db.session.commit()  # a read is only shown once its audit entry is stored
    return html


def _definitie(incident: Incident):  # type: ignore[no-untyped-def]
    return incident.instance.definition if incident.instance is not None else incident.definition


@bp.get("/incidenten/<int:incident_id>/diagram.bpmn")
@policy.roles("procesbeheerder")
def incident_diagram(incident_id: int) -> Response:
    """The version the case runs on now (the viewer marks the failing element)."""
    definition = _definitie(_incident_or_404(incident_id))
    if definition is None:
        abort(404)
    return Response(definition.bpmn_xml, mimetype="application/xml")


@bp.get("/incidenten/<int:incident_id>/zaak")
@policy.roles("procesbeheerder")
def incident_zaak(incident_id: int) -> str:
    """The stuck case, read-only: only what repairing the process needs (workflow/access.py)."""
    incident = _incident_or_404(incident_id)
    hulpvraag = incident.hulpvraag
    if hulpvraag is None or not may_inspect_hulpvraag(current_user, hulpvraag.id):
        log.warning("denied: incident case incident_id=%s user_id=%s", incident_id, current_user.id)
        abort(404)
    html = render_template(
        "processen/incident_zaak.html", i=incident, h=hulpvraag, dagen=INCIDENT_INZAGE_DAGEN,
        statussen=[(s, zonder_leerling(s.reden or "", hulpvraag)) for s in reversed(hulpvraag.statuswijzigingen)],
        aanpakken=_aanpakken(hulpvraag),
    )  # fmt: skip
    _audit_lezen(incident, "incidentinzage: zaak bekeken")
    db.session.commit()
    return html


def _aanpakken(hulpvraag: Hulpvraag) -> list[tuple[ProcessInstance, list[HumanTask], list[HumanTask]]]:
    """Each aanpak (the intake too) with its open and its completed tasks."""
    instances = db.session.scalars(
        sa.select(ProcessInstance).where(ProcessInstance.hulpvraag_id == hulpvraag.id).order_by(ProcessInstance.id)
    ).all()
    result = []
    for instance in instances:
        taken = db.session.scalars(sa.select(HumanTask).where(HumanTask.instance_id == instance.id)
                                   .order_by(HumanTask.id)).all()  # fmt: skip
        result.append((instance, [t for t in taken if t.is_open], [t for t in taken if not t.is_open]))
    return result


# --- the repair actions ----------------------------------------------------------------------------
def _actie(incident_id: int, doe: Callable[[], str]) -> Response:
    _incident_or_404(incident_id)
    try:
        flash(doe(), "success")
    except incident_herstel.HerstelGeweigerd as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("processen.incident", incident_id=incident_id))


def _getal(naam: str) -> int:
    waarde = request.form.get(naam, "")
    return int(waarde) if waarde.isdigit() else 0


@bp.post("/incidenten/<int:incident_id>/opnieuw")
@policy.roles("procesbeheerder")
def incident_opnieuw(incident_id: int) -> Response:
    return _actie(incident_id, lambda: incident_herstel.opnieuw_proberen(incident_id, current_user))


@bp.post("/incidenten/<int:incident_id>/terug")
@policy.roles("procesbeheerder")
def incident_terug(incident_id: int) -> Response:
    taak, notitie = _getal("taak"), request.form.get("notitie", "")
    return _actie(incident_id, lambda: incident_herstel.terugzetten(incident_id, taak, current_user, notitie))


@bp.post("/incidenten/<int:incident_id>/overslaan")
@policy.roles("procesbeheerder")
def incident_overslaan(incident_id: int) -> Response:
    notitie = request.form.get("notitie", "")
    return _actie(incident_id, lambda: incident_herstel.overslaan(incident_id, current_user, notitie))


@bp.post("/incidenten/<int:incident_id>/stoppen")
@policy.roles("procesbeheerder")
def incident_stoppen(incident_id: int) -> Response:
    reden = request.form.get("reden", "")
    return _actie(incident_id, lambda: incident_herstel.stoppen(incident_id, current_user, reden))


@bp.post("/incidenten/<int:incident_id>/migreren")
@policy.roles("procesbeheerder")
def incident_migreren(incident_id: int) -> Response:
    versie = _getal("versie")
    return _actie(incident_id, lambda: incident_herstel.migreren(incident_id, versie, current_user))
