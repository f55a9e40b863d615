"""Studio: the scenarios of a draft: list and run them (green/red per step), edit one, make one from
a real case (without the data about the child) and insert a step for a new task into every scenario.

Edits are never lost: a refused save re-renders the page with the input and the Dutch message
(409 when someone saved the draft in between). The edit page is plain HTML forms: adding,
removing and moving steps posts the form back without saving.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from models import ProcessInstance, db
from web import policy
from web.studio import BEKIJKEN, BEWERKEN, bp
from workflow.statussen import filterstatussen
from workflow.studio import scenarios as sc
from workflow.studio.concepten import ConceptFout, Verouderd, open_concept

MAX_STAPPEN = 60
UIT_ZAAK_GEMAAKT = (
    "Het scenario is gemaakt uit de zaak en toegevoegd aan het concept. Tekst, datums, getallen en "
    "e-mailadressen zijn vervangen door voorbeeldwaarden; alleen keuzes zijn overgenomen."
)
Pagina = tuple[str, int]


def _bekijk(key: str) -> Any:
    concept = sc.bekijk_concept(key, current_user)
    if concept is None:
        abort(404, description=f"Er is geen aanpak ‘{key}’.")
    return concept


def _bewerk(key: str) -> Any:
    try:
        return open_concept(key, current_user)
    except ConceptFout as exc:
        abort(404, description=str(exc))


def _lijst(concept: Any) -> tuple[list[dict[str, Any]], str]:
    try:
        return sc.scenario_lijst(concept), ""
    except ConceptFout as exc:
        return [], str(exc)


# --- list and run -------------------------------------------------------------------------------
def _lijstpagina(concept: Any, *, resultaten: list[Any] | None = None, melding: str = "", status: int = 200,
                 invoeg_invoer: MultiDict[str, str] | None = None) -> Pagina:  # fmt: skip
    lijst, fout = _lijst(concept)
    per_scenario = resultaten if resultaten is not None and len(resultaten) == len(lijst) else None
    html = render_template(
        "studio/scenarios.html", concept=concept, key=concept.process_key, lijst=lijst, fout=fout or melding,
        resultaten=resultaten, per_scenario=per_scenario, taken={t.id: t for t in sc.taken(concept)},
        voorstellen=sc.voorstellen(concept), statussen=filterstatussen(True), invoer=invoeg_invoer or MultiDict(),
        timers=sc.TIMERS, mag_bewerken=current_user.heeft_rol(*BEWERKEN),
    )  # fmt: skip
    return html, status


@bp.get("/<key>/scenarios")
@policy.roles(*BEKIJKEN)
def scenarios(key: str) -> Pagina:
    return _lijstpagina(_bekijk(key))


@bp.post("/<key>/scenarios/draaien")
@policy.roles(*BEWERKEN)
def scenarios_draaien(key: str) -> Pagina:
    concept = _bekijk(key)
    return _lijstpagina(concept, resultaten=sc.draai(concept))


@bp.post("/<key>/scenarios/invoegen")
@policy.roles(*BEWERKEN)
def scenarios_invoegen(key: str) -> Response | Pagina:
    concept = _bewerk(key)
    form = request.form
    stap = _stap_uit(form, "n")
    stap.pop("taak", None)
    try:
        nummers = sc.voeg_stap_in(concept, current_user, _revisie(), form.get("taak", ""), form.get("na", ""), stap)
    except Verouderd as exc:
        db.session.rollback()
        return _lijstpagina(_bekijk(key), melding=str(exc), status=409, invoeg_invoer=form)
    except ConceptFout as exc:
        db.session.rollback()
        return _lijstpagina(_bekijk(key), melding=str(exc), status=422, invoeg_invoer=form)
    db.session.commit()
    flash(f"Stap ‘{form.get('taak')}’ ingevoegd in scenario {', '.join(map(str, nummers))}.", "success")
    return redirect(url_for("studio.scenarios", key=key))


# --- edit ---------------------------------------------------------------------------------------
def _bewerkpagina(concept: Any, nr: int, scenario: dict[str, Any], *, melding: str = "", status: int = 200,
                  revisie: int | None = None, bron: str = "") -> Pagina:  # fmt: skip
    scenario = sc.als_bewerkbaar(scenario)
    html = render_template(
        "studio/scenario.html", concept=concept, key=concept.process_key, nr=nr, s=scenario, melding=melding,
        taken=sc.taken(concept), statussen=filterstatussen(True), timers=sc.TIMERS,
        revisie=concept.revisie if revisie is None else revisie, bron=bron, aantal=len(_lijst(concept)[0]),
        mag_bewerken=current_user.heeft_rol(*BEWERKEN),
        rijen=[_rijen(stap, {t.id: t for t in sc.taken(concept)}) for stap in scenario.get("stappen") or []],
    )  # fmt: skip
    return html, status


def _rijen(stap: dict[str, Any], taken: dict[str, sc.Taak]) -> list[tuple[str, str, sc.Veld | None]]:
    """The input rows of a step: the task's form fields first, then other fields, then one empty row."""
    invoer = {str(k): "" if v is None else sc.als_tekst(v) for k, v in (stap.get("invoer") or {}).items()}
    taak = taken.get(str(stap.get("taak")))
    velden = list(taak.velden) if taak else []
    rijen = [(v.naam, invoer.pop(v.naam, ""), v) for v in velden]
    return [*rijen, *((n, w, None) for n, w in invoer.items()), ("", "", None)]


@bp.get("/<key>/scenarios/<int:nr>")
@policy.roles(*BEKIJKEN)
def scenario(key: str, nr: int) -> Pagina:
    concept = _bekijk(key)
    lijst, fout = _lijst(concept)
    if fout:
        return _lijstpagina(concept, status=422)
    if not 1 <= nr <= len(lijst) + 1:
        abort(404, description=f"Er is geen scenario {nr}.")
    leeg = {"naam": "", "stappen": [{"taak": "", "invoer": {}}], "einde": True}
    scenario = lijst[nr - 1] if nr <= len(lijst) else leeg
    return _bewerkpagina(concept, nr, scenario, bron=request.args.get("bron", ""))


@bp.post("/<key>/scenarios/<int:nr>")
@policy.roles(*BEWERKEN)
def scenario_opslaan(key: str, nr: int) -> Response | Pagina:
    concept = _bewerk(key)
    scenario, actie = _scenario_uit(request.form), request.form.get("actie", "opslaan")
    if actie != "opslaan":
        return _bewerkpagina(concept, nr, _verwerk(scenario, actie), revisie=_revisie())
    try:
        sc.bewaar_scenario(concept, current_user, _revisie(), nr, scenario)
    except Verouderd as exc:
        db.session.rollback()
        return _bewerkpagina(_bekijk(key), nr, scenario, melding=str(exc), status=409, revisie=_revisie())
    except ConceptFout as exc:
        db.session.rollback()
        return _bewerkpagina(_bekijk(key), nr, scenario, melding=str(exc), status=422, revisie=_revisie())
    db.session.commit()
    flash(f"Scenario ‘{scenario.get('naam')}’ is opgeslagen in het concept.", "success")
    return redirect(url_for("studio.scenario", key=key, nr=nr))


@bp.post("/<key>/scenarios/<int:nr>/verwijderen")
@policy.roles(*BEWERKEN)
def scenario_verwijderen(key: str, nr: int) -> Response | Pagina:
    concept = _bewerk(key)
    try:
        sc.verwijder_scenario(concept, current_user, _revisie(), nr)
    except ConceptFout as exc:
        db.session.rollback()
        return _lijstpagina(_bekijk(key), melding=str(exc), status=409 if isinstance(exc, Verouderd) else 422)
    db.session.commit()
    flash(f"Scenario {nr} is verwijderd uit het concept.", "success")
    return redirect(url_for("studio.scenarios", key=key))


def _revisie() -> int:
    try:
        return int(request.form.get("revisie", ""))
    except ValueError:
        return -1  # refused as stale: the form did not come from this page


def _scenario_uit(form: MultiDict[str, str]) -> dict[str, Any]:
    aantal = min(_getal(form.get("aantal")), MAX_STAPPEN)
    scenario: dict[str, Any] = {
        "naam": form.get("naam", "").strip(),
        "stappen": [_stap_uit(form, str(i)) for i in range(aantal)],
    }
    if form.get("einde") == "open":
        scenario["open"] = [t for t in form.getlist("open") if t]
    else:
        scenario["einde"] = True
    return scenario


def _stap_uit(form: MultiDict[str, str], i: str) -> dict[str, Any]:
    taak, status = form.get(f"taak-{i}", ""), form.get(f"status-{i}", "")
    stap: dict[str, Any] = {"timers": True} if taak == sc.TIMERS else {"taak": taak, "invoer": {}}
    for j in range(min(_getal(form.get(f"velden-{i}")), 100)):
        veld, waarde = form.get(f"veld-{i}-{j}", "").strip(), form.get(f"waarde-{i}-{j}", "")
        if veld and taak != sc.TIMERS:
            stap["invoer"][veld] = waarde
    if status:
        stap["status"] = status
    fouten = [f.strip() for f in form.get(f"fouten-{i}", "").split(",") if f.strip()]
    if fouten and taak != sc.TIMERS:
        stap["fouten"] = fouten
    return stap


def _getal(text: str | None) -> int:
    try:
        return max(int(text or 0), 0)
    except ValueError:
        return 0


def _verwerk(scenario: dict[str, Any], actie: str) -> dict[str, Any]:
    """Add, remove or move a step (the form comes back unsaved); anything else just redraws."""
    stappen = scenario["stappen"]
    soort, _, plek = actie.partition(":")
    i = _getal(plek)
    if soort == "erbij" and len(stappen) < MAX_STAPPEN:
        stappen.insert(min(i, len(stappen)), {"taak": "", "invoer": {}})
    elif soort == "weg" and i < len(stappen):
        del stappen[i]
    elif soort == "omhoog" and 0 < i < len(stappen):
        stappen[i - 1], stappen[i] = stappen[i], stappen[i - 1]
    elif soort == "omlaag" and i + 1 < len(stappen):
        stappen[i + 1], stappen[i] = stappen[i], stappen[i + 1]
    return scenario


# --- from a real case ------------------------------------------------------------------------------
def _zaakpagina(key: str, *, melding: str = "", status: int = 200) -> Pagina:
    html = render_template(
        "studio/scenario_uit_zaak.html", concept=_bekijk(key), key=key, zaken=sc.zaken(key), melding=melding,
        mag_bewerken=current_user.heeft_rol(*BEWERKEN),
    )  # fmt: skip
    return html, status


@bp.get("/<key>/scenarios/uit-zaak")
@policy.roles(*BEKIJKEN)
def scenario_uit_zaak(key: str) -> Pagina:
    return _zaakpagina(key)


@bp.post("/<key>/scenarios/uit-zaak")
@policy.roles(*BEWERKEN)
def scenario_uit_zaak_maken(key: str) -> Response | Pagina:
    concept = _bewerk(key)
    instance = db.session.get(ProcessInstance, _getal(request.form.get("zaak")))
    if instance is None or instance not in sc.zaken(key, limit=10_000):
        db.session.rollback()
        return _zaakpagina(key, melding="Kies een zaak van deze aanpak uit de lijst.", status=422)
    try:
        scenario = sc.uit_zaak(concept, instance, current_user)
        nr = len(sc.scenario_lijst(concept)) + 1
        sc.bewaar_scenario(concept, current_user, concept.revisie, nr, scenario)
    except ConceptFout as exc:
        db.session.rollback()
        return _zaakpagina(key, melding=str(exc), status=422)
    db.session.commit()
    flash(UIT_ZAAK_GEMAAKT, "success")
    return redirect(url_for("studio.scenario", key=key, nr=nr, bron="zaak"))
