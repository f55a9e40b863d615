"""Studio overview: each aanpaktype with its live version, drafts, running cases per version,
open incidents and publish problems; the title → aanpak mapping; a new draft per aanpak."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from models import Concept, ProcessDefinition, db
from models.hulpvraag import TITELS
from web import policy
from web.hulpvragen.aanpakken import beschikbare_aanpakken
from web.studio import BEKIJKEN, BEWERKEN, bp
from workflow.aanpakken import KoppelingFout, gekozen_aanpak, koppeling_opslaan
from workflow.engine.definitions import latest_definition
from workflow.engine.publiceren import BRONNEN, laatste_weigering
from workflow.incidenten import open_incidenten
from workflow.studio.concepten import ConceptFout, open_concept, open_concepten
from workflow.studio.publiceren import laatste_studio_weigering
from workflow.versies import Versie, aanpakken, versies


@dataclass
class Aanpak:
    key: str
    naam: str
    live: ProcessDefinition | None
    lopend: list[Versie]  # versions with running cases, newest first
    concepten: list[Concept]


def _aanpakken() -> list[Aanpak]:
    return [
        Aanpak(key, naam, latest_definition(key), [v for v in versies(key) if v.lopend], open_concepten(key))
        for key, naam in aanpakken()
    ]


@bp.get("/")
@policy.roles(*BEKIJKEN)
def overzicht() -> str:
    return render_template(
        "studio/overzicht.html", aanpakken=_aanpakken(), incidenten=open_incidenten(),
        weigering=laatste_weigering(), studio_weigering=laatste_studio_weigering(), bronnen=BRONNEN,
        rows=[(titel, gekozen_aanpak(titel) or "") for titel in TITELS], keuzes=beschikbare_aanpakken(),
        mag_bewerken=current_user.heeft_rol(*BEWERKEN),
    )  # fmt: skip


@bp.post("/koppeling")
@policy.roles(*BEWERKEN)
def koppeling() -> Response:
    try:
        koppeling_opslaan(request.form, dict(beschikbare_aanpakken()), TITELS, current_user)
    except KoppelingFout as fout:
        db.session.rollback()
        flash(str(fout), "error")
        return redirect(url_for("studio.overzicht", _anchor="koppeling"))
    db.session.commit()
    flash("De koppeling tussen titels en aanpakken is opgeslagen.", "success")
    return redirect(url_for("studio.overzicht", _anchor="koppeling"))


@bp.post("/<key>/nieuw-concept")
@policy.roles(*BEWERKEN)
def nieuw_concept(key: str) -> Response:
    if key not in dict(aanpakken()):
        abort(404, description=f"Er is geen gepubliceerde aanpak ‘{key[:80]}’.")
    try:
        concept = open_concept(key, current_user)
    except ConceptFout as fout:
        db.session.rollback()
        flash(str(fout), "error")
        return redirect(url_for("studio.overzicht"))
    db.session.commit()
    flash(f"Uw concept van {key} staat klaar (revisie {concept.revisie}).", "success")
    return redirect(url_for("studio.overzicht", _anchor=f"aanpak-{key}"))
