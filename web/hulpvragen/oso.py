"""The OSO-dossier an LVS sent with a hulpvraag, readable (same visibility as the hulpvraag)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template
from flask_login import current_user

from models import LvsAanvraag, db
from web import policy
from web.hulpvragen import oso_labels  # noqa: F401 - registers the oso_label filter and oso_waarde
from web.hulpvragen.views import bp
from workflow import audit
from workflow.oso_soort import ouderinzage_meldingen


def lvs_aanvraag_van(hulpvraag_id: int) -> LvsAanvraag | None:
    return db.session.scalar(sa.select(LvsAanvraag).where(LvsAanvraag.hulpvraag_id == hulpvraag_id))


@bp.app_template_global("ouderinzage")
def ouderinzage(hulpvraag_id: int) -> list[str]:
    """The hulpvraag's mark when the parents gave no inzage or consent (from its OSO dossier); [] for web ones."""
    aanvraag = lvs_aanvraag_van(hulpvraag_id)
    return ouderinzage_meldingen(aanvraag.oso_gegevens) if aanvraag is not None and aanvraag.oso_gegevens else []


@bp.get("/<int:hulpvraag_id>/oso")
@policy.authenticated
def oso(hulpvraag_id: int) -> str:
    hulpvraag = policy.hulpvraag_or_404(hulpvraag_id)
    aanvraag = lvs_aanvraag_van(hulpvraag.id)
    if aanvraag is None:
        abort(404)
    html = render_template("hulpvragen/oso.html", h=hulpvraag, aanvraag=aanvraag, gegevens=aanvraag.oso_gegevens)
    audit.record(current_user, "bekijken", "dossier", hulpvraag.dossier_id, dossier_id=hulpvraag.dossier_id,
                 detail="OSO-dossier uit het LVS")  # fmt: skip
    db.session.commit()
    return html
