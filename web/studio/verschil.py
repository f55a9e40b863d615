"""Studio: the draft against the live version (diagram and forms), and publishing it with a note.

The diagram diff is computed on the server (workflow/studio/verschil.py); the page draws the
draft with bpmn-js (web/studio_js/diff.js) and marks the element ids from ``verschil.json``.
The same changes are listed in text, so colour is never the only cue.
"""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from models import Concept, ProcessDefinition, db
from web import policy
from web.studio import BEKIJKEN, BEWERKEN, bp
from workflow.engine.definitions import latest_definition
from workflow.engine.publiceren import Publicatie
from workflow.studio.concepten import ConceptFout, mijn_concept, open_concepten, problemen
from workflow.studio.publiceren import publiceer_concept
from workflow.studio.verschil import verschil as bereken_verschil
from workflow.versies import NOTITIE_MAX


def _concept(key: str) -> Concept | None:
    """The draft asked for (?concept=ID, an open draft of this aanpak), else the user's own."""
    gevraagd = request.values.get("concept", "")
    if gevraagd.isdigit():
        return next((c for c in open_concepten(key) if c.id == int(gevraagd)), None)
    return mijn_concept(key, current_user)


def _pagina(key: str, concept: Concept | None, *, status: int = 200, **extra: Any) -> tuple[str, int]:
    live = latest_definition(key)
    if live is None:
        abort(404, description=f"Er is geen gepubliceerde aanpak ‘{key[:80]}’.")
    context: dict[str, Any] = {"fouten": {}, "notitie": "", "publicatie": None, "vorige": None, **extra}
    if concept is not None:
        context |= {"verschil": bereken_verschil(concept, live), "problemen": problemen(concept)}
    html = render_template(
        "studio/verschil.html", key=key, live=live, concept=concept, notitie_max=NOTITIE_MAX,
        mag_bewerken=current_user.heeft_rol(*BEWERKEN), **context,
    )  # fmt: skip
    return html, status


@bp.get("/<key>/verschil")
@policy.roles(*BEKIJKEN)
def verschil(key: str) -> tuple[str, int]:
    return _pagina(key, _concept(key))


@bp.get("/<key>/verschil.json")
@policy.roles(*BEKIJKEN)
def verschil_json(key: str) -> Response:
    """The draft's XML and which of its elements were added or changed (ids), for the diagram."""
    concept, live = _concept(key), latest_definition(key)
    if concept is None or live is None:
        return _json_fout("Er is geen open concept van deze aanpak om te vergelijken.", 404)
    uitkomst = bereken_verschil(concept, live).diagram
    return jsonify(
        xml=concept.bpmn_xml, fout=uitkomst.fout, toegevoegd=[e.id for e in uitkomst.toegevoegd],
        gewijzigd=[e.id for e in uitkomst.gewijzigd], verwijderd=[e.id for e in uitkomst.verwijderd],
    )  # fmt: skip


def _json_fout(melding: str, status: int) -> Response:
    response = jsonify(fout=melding)
    response.status_code = status
    return response


@bp.post("/<key>/publiceren")
@policy.roles(*BEWERKEN)
def publiceren(key: str) -> tuple[str, int]:
    concept, notitie = mijn_concept(key, current_user), request.form.get("notitie", "")
    if concept is None:
        return _pagina(key, None, status=409, fouten={"concept": "U heeft geen open concept van deze aanpak."})
    vorige: ProcessDefinition | None = latest_definition(key)
    vorige_id = vorige.id if vorige is not None else None
    try:
        publicatie: Publicatie = publiceer_concept(concept, current_user, notitie)
    except ConceptFout as fout:
        db.session.rollback()
        return _pagina(key, concept, status=422, fouten={"notitie": str(fout)}, notitie=notitie)
    if not publicatie.ok:
        return _pagina(key, concept, status=422, publicatie=publicatie, notitie=notitie)
    nieuw = next((d for d in publicatie.gepubliceerd if d.process_key == key), None)
    blijft_open = concept if concept.is_open else None
    return _pagina(key, blijft_open, publicatie=publicatie, nieuw=nieuw, vorige_id=vorige_id)
