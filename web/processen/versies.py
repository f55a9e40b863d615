"""Processen: the numbered versions of each aanpak, publishing from BPMN_DIR and reverting.

Both actions go through the publish gate (workflow.engine.publiceren): the check and the
scenarios must pass, otherwise nothing is published and the Dutch problem lines are shown.
A note is required here (optional on the CLI): it is the version's explanation for whoever
looks back later.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from models import ProcessDefinition, db
from web import policy
from web.processen import bp
from workflow.engine.publiceren import BRONNEN, Publicatie, laatste_weigering, publiceer, terugzetten
from workflow.versies import NOTITIE_MAX, aanpakken, notitie_fout, versies


def _pagina(aanpak: str | None, *, fouten: dict[str, str] | None = None, invoer: dict[str, str] | None = None,
            geweigerd: Publicatie | None = None, status: int = 200) -> tuple[str, int]:  # fmt: skip
    alle = aanpakken()
    if aanpak is not None and aanpak not in dict(alle):
        abort(404, description=f"Er is geen aanpak ‘{aanpak}’ gepubliceerd.")
    getoond = [(key, naam, versies(key)) for key, naam in alle if aanpak in (None, key)]
    html = render_template(
        "processen/versies.html", aanpak=aanpak, getoond=getoond, fouten=fouten or {}, invoer=invoer or {},
        geweigerd=geweigerd, weigering=None if geweigerd else laatste_weigering(), bronnen=BRONNEN,
        notitie_max=NOTITIE_MAX,
    )  # fmt: skip
    return html, status


def _aanpak_van(form_value: str | None) -> str | None:
    """The aanpak a form came from, to return to; anything unknown returns to all aanpakken."""
    return form_value if form_value and form_value in dict(aanpakken()) else None


@bp.get("/versies")
@policy.roles("procesbeheerder")
def versies_pagina() -> tuple[str, int]:
    return _pagina(request.args.get("aanpak") or None)


@bp.post("/publiceren")
@policy.roles("procesbeheerder")
def publiceren() -> Response | tuple[str, int]:
    aanpak, notitie = _aanpak_van(request.form.get("aanpak")), request.form.get("notitie", "")
    fout = notitie_fout(notitie, verplicht=True)
    if fout:
        return _pagina(aanpak, fouten={"publiceren": fout}, invoer={"publiceren": notitie}, status=422)
    publicatie = publiceer(current_app.config["BPMN_DIR"], user=current_user, notitie=notitie.strip(), bron="browser")
    if not publicatie.ok:
        return _pagina(aanpak, geweigerd=publicatie, invoer={"publiceren": notitie}, status=422)
    _meld(publicatie, "De bestanden in de map zijn gelijk aan de live versies: er is niets gepubliceerd.")
    return redirect(url_for("processen.versies_pagina", aanpak=aanpak))


@bp.post("/versies/<int:process_definition_id>/terugzetten")
@policy.roles("procesbeheerder")
def terugzetten_naar(process_definition_id: int) -> Response | tuple[str, int]:
    definition = db.session.get(ProcessDefinition, process_definition_id)
    if definition is None:
        abort(404, description="Deze versie bestaat niet.")
    notitie, veld = request.form.get("notitie", ""), f"terugzetten-{definition.id}"
    fout = notitie_fout(notitie, verplicht=True)
    if fout:
        return _pagina(definition.process_key, fouten={veld: fout}, invoer={veld: notitie}, status=422)
    publicatie = terugzetten(definition, current_app.config["BPMN_DIR"], user=current_user, notitie=notitie.strip())
    if not publicatie.ok:
        return _pagina(definition.process_key, geweigerd=publicatie, invoer={veld: notitie}, status=422)
    _meld(publicatie, f"{definition.label} heeft dezelfde inhoud als de live versie: er is niets gepubliceerd.")
    return redirect(url_for("processen.versies_pagina", aanpak=definition.process_key))


def _meld(publicatie: Publicatie, niets: str) -> None:
    if publicatie.gepubliceerd:
        labels = ", ".join(d.label for d in publicatie.gepubliceerd)
        flash(f"Gepubliceerd: {labels}. Nieuwe zaken starten hierop; lopende zaken houden hun versie.", "success")
    else:
        flash(niets, "info")
