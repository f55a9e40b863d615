"""The studio's modeler: edit a draft's diagram in bpmn-js, see the server's check while editing.

The page itself never writes (a GET changes nothing): without a draft the editor starts from the
live version with revisie 0, and the first save makes the draft. Saves name the revisie they
started from; a stale one is refused with 409 and the editor keeps its edits.
"""

from __future__ import annotations

import re
from typing import Any

from flask import abort, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from models import db
from web import policy
from web.studio import BEKIJKEN, BEWERKEN, bp
from workflow.engine.definitions import latest_definition
from workflow.studio.concepten import ConceptFout, Probleem, Verouderd, andere_bewerkers, mijn_concept, open_concepten
from workflow.studio.controle import bewaar_diagram, geen_xml, keuzes, problemen_van_xml

_KEY = re.compile(r"[a-z0-9_]{1,80}")


def _bron(key: str) -> dict[str, Any]:
    """What the editor starts from: the user's draft, else the live version (revisie 0); 404 if neither."""
    if not _KEY.fullmatch(key):
        abort(404)
    concept = mijn_concept(key, current_user)
    if concept is not None:
        return {"concept": concept, "xml": concept.bpmn_xml, "revisie": concept.revisie, "forms": concept.forms}
    live = latest_definition(key)
    if live is None:
        abort(404)
    return {"concept": None, "xml": live.bpmn_xml, "revisie": 0, "forms": live.forms or {}}


def _bewerkers(key: str) -> list[dict[str, Any]]:
    concept = mijn_concept(key, current_user)
    if concept is None:
        anderen = [c for c in open_concepten(key) if c.auteur_id != current_user.id]
    else:
        anderen = andere_bewerkers(concept)
    return [{"naam": c.auteur.naam, "revisie": c.revisie, "gewijzigd_op": c.gewijzigd_op.isoformat()} for c in anderen]


def _json(found: list[Probleem]) -> list[dict[str, Any]]:
    return [{"bestand": p.bestand, "regel": p.regel, "element": p.element, "melding": p.melding} for p in found]


def _fout(message: str, status: int, **extra: Any) -> ResponseReturnValue:
    return jsonify({"fout": message, **extra}), status


@bp.get("/<key>/modeler")
@policy.roles(*BEKIJKEN)
def modeler(key: str) -> str:
    bron = _bron(key)
    return render_template(
        "studio/modeler.html", key=key, bron=bron, bewerkers=_bewerkers(key),
        bewerkbaar=current_user.heeft_rol(*BEWERKEN),
    )  # fmt: skip


@bp.get("/<key>/concept")
@policy.roles(*BEKIJKEN)
def concept(key: str) -> ResponseReturnValue:
    bron = _bron(key)
    return jsonify({
        "xml": bron["xml"], "revisie": bron["revisie"], "bewerkbaar": current_user.heeft_rol(*BEWERKEN),
        "bewerkers": _bewerkers(key), **keuzes(bron["forms"]),
    })  # fmt: skip


def _invoer() -> tuple[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("xml"), str):
        raise ConceptFout("Het verzoek bevat geen diagram (verwacht: JSON met ‘xml’); er is niets gewijzigd.")
    return data["xml"], data.get("revisie")


@bp.post("/<key>/concept")
@policy.roles(*BEWERKEN)
def concept_opslaan(key: str) -> ResponseReturnValue:
    _bron(key)
    try:
        xml, revisie = _invoer()
        if not isinstance(revisie, int) or isinstance(revisie, bool) or revisie < 0:
            raise ConceptFout("De revisie ontbreekt of is geen getal; er is niets opgeslagen.")
        found = problemen_van_xml(key, current_user, xml)
        kapot = geen_xml(found)
        if kapot is not None:
            melding = f"Dit is geen leesbaar diagram (regel {kapot.regel}: {kapot.melding}); er is niets opgeslagen."
            raise ConceptFout(melding)
        opgeslagen = bewaar_diagram(key, current_user, revisie, xml)
    except Verouderd as exc:
        db.session.rollback()
        return _fout(str(exc), 409, revisie=exc.concept.revisie)
    except ConceptFout as exc:
        db.session.rollback()
        return _fout(str(exc), 422)
    db.session.commit()
    return jsonify({"revisie": opgeslagen.revisie, "problemen": _json(found), "melding": "Concept opgeslagen."})


@bp.post("/<key>/controle")
@policy.roles(*BEWERKEN)
def controle(key: str) -> ResponseReturnValue:
    _bron(key)
    try:
        xml, _revisie = _invoer()
        found = problemen_van_xml(key, current_user, xml)
    except ConceptFout as exc:
        return _fout(str(exc), 422)
    return jsonify({"problemen": _json(found)})
