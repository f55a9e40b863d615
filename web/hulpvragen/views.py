"""Hulpvragen: a new dossier + hulpvraag, and the hulpvraag page (the list is in lijst.py)."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_login import current_user

from models import AuditEntry, Bijlage, Hulpvraag, HumanTask, ProcessInstance, db
from models.dossier import GESLACHTEN
from web import policy
from workflow import audit
from workflow.access import may_edit_contact, task_candidates
from workflow.antwoorden import ingevulde_gegevens
from workflow.bijlagen import bijlagen_van, mag_bijlage_toevoegen
from workflow.formulieren import van_hulpvraag as formulieren_van
from workflow.tlv import tlvs_van

bp = Blueprint("hulpvragen", __name__, url_prefix="/hulpvragen")
log = logging.getLogger(__name__)


# --- detail -----------------------------------------------------------------------------
def _wijzigingen(hulpvraag: Hulpvraag) -> list[AuditEntry]:
    """Changes to this hulpvraag besides its statuses (contact edits, personeelswissel, its own bijlagen).

    Only this hulpvraag's bijlagen: another hulpvraag of the dossier may be one the viewer may not see.
    """
    eigen_bijlagen = sa.select(Bijlage.id).where(Bijlage.hulpvraag_id == hulpvraag.id)
    query = sa.select(AuditEntry).where(
        AuditEntry.actie.in_(("wijzigen", "verwijderen")),
        sa.or_(
            sa.and_(AuditEntry.object_type == "hulpvraag", AuditEntry.object_id == hulpvraag.id),
            sa.and_(AuditEntry.object_type == "bijlage", AuditEntry.object_id.in_(eigen_bijlagen)),
        ),
    )
    return list(db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(50)))


@bp.get("/<int:hulpvraag_id>")
@policy.authenticated
def show(hulpvraag_id: int) -> str:
    from web.hulpvragen.aanpakken import aanpak_context  # registers on this blueprint: import late
    from web.overlegronde.views import hulpvraag_blok
    hulpvraag = policy.hulpvraag_or_404(hulpvraag_id)
    open_tasks = db.session.scalars(
        sa.select(HumanTask).where(HumanTask.hulpvraag_id == hulpvraag.id, HumanTask.completed_at.is_(None))
        .order_by(HumanTask.created_at)
    ).all()  # fmt: skip
    instances = db.session.scalars(
        sa.select(ProcessInstance).where(ProcessInstance.hulpvraag_id == hulpvraag.id).order_by(ProcessInstance.id)
    ).all()
    html = render_template(
        "hulpvragen/show.html", h=hulpvraag, open_tasks=[(t, task_candidates(t)) for t in open_tasks],
        instances=instances, geslachten=GESLACHTEN,
        bijlagen=bijlagen_van(hulpvraag), bijlage_toevoegen=mag_bijlage_toevoegen(current_user, hulpvraag),
        wijzigingen=_wijzigingen(hulpvraag), contact_wijzigen=may_edit_contact(current_user, hulpvraag),
        **aanpak_context(hulpvraag, request.args.get("aanpak", type=int)),
        tlvs=tlvs_van(hulpvraag.id),
        overlegronde=hulpvraag_blok(hulpvraag),
        ingevuld=ingevulde_gegevens(hulpvraag.id, current_user), formulieren=formulieren_van(hulpvraag.id),
    )  # fmt: skip
    audit.record(current_user, "bekijken", "hulpvraag", hulpvraag.id, dossier_id=hulpvraag.dossier_id)
    db.session.commit()  # a read is only shown once its audit entry is stored (workflow/audit.py)
    return html
