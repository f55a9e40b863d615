"""Studio: the form editor. A draft's forms, one form's fields, a live preview drawn by the task page's own macro.

The whole editor state travels in every POST (nothing lives in the browser), so a refused save
re-renders exactly what the user typed with the Dutch message. A GET never creates a draft:
until the first change the page shows the live version's forms.
"""

from __future__ import annotations

import json
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from models import Concept, db
from web import policy
from web.studio import BEKIJKEN, BEWERKEN, bp
from workflow.engine.definitions import latest_definition
from workflow.engine.forms import Form, fields
from workflow.studio import formulieren as f
from workflow.studio.concepten import ConceptFout, Probleem, Verouderd, mijn_concept, open_concept

Page = str | tuple[str, int] | Response


# --- which draft ---------------------------------------------------------------------------------
def _te_tonen(key: str) -> Concept:
    """The user's open draft, or (unsaved, never added to the session) the live version's content."""
    concept = mijn_concept(key, current_user)
    if concept is not None:
        return concept
    live = latest_definition(key)
    if live is None:
        abort(404)
    return Concept(process_key=key, bpmn_xml=live.bpmn_xml, forms=dict(live.forms or {}), revisie=0)


def _te_bewerken(key: str, revisie: int) -> tuple[Concept, int]:
    """The user's draft (made now from the live version when there is none) and the revisie to save on."""
    if latest_definition(key) is None:
        abort(404)
    concept = open_concept(key, current_user)
    # A page shown before the draft existed names revisie 0; a draft made just now is revisie 1.
    return concept, (1 if revisie == 0 and concept.revisie == 1 else revisie)


def _revisie() -> int:
    try:
        return int(request.form.get("revisie", ""))
    except ValueError:
        return -1


# --- the list ------------------------------------------------------------------------------------
@bp.get("/<key>/formulieren")
@policy.roles(*BEKIJKEN)
def formulieren(key: str) -> Page:
    return _lijst(_te_tonen(key), {}, {})


def _lijst(concept: Concept, invoer: dict[str, str], fouten: dict[str, str], status: int = 200) -> Page:
    rijen = [(naam, (concept.forms[naam] or {}).get("title", ""), f.gebruikt_door(concept.bpmn_xml, naam))
             for naam in f.schema_bestanden(concept)]  # fmt: skip
    html = render_template("studio/formulieren.html", concept=concept, rijen=rijen, invoer=invoer, fouten=fouten,
                           mag_bewerken=current_user.heeft_rol(*BEWERKEN))  # fmt: skip
    return html, status


@bp.post("/<key>/formulieren")
@policy.roles(*BEWERKEN)
def nieuw_formulier(key: str) -> Page:
    invoer = {"bestand": request.form.get("bestand", "").strip(), "titel": request.form.get("titel", "").strip()}
    concept, revisie = _te_bewerken(key, _revisie())
    try:
        naam = f.nieuw_formulier(concept, current_user, revisie, invoer["bestand"], invoer["titel"])
    except ConceptFout as exc:
        db.session.rollback()
        fout = {"nieuw": str(exc)}
        return _lijst(_te_tonen(key), invoer, fout, 409 if isinstance(exc, Verouderd) else 422)
    db.session.commit()
    flash(f"Formulier ‘{naam}’ is aangemaakt in uw concept.", "success")
    return redirect(url_for("studio.formulier", key=key, filename=naam))


# --- one form --------------------------------------------------------------------------------------
@bp.get("/<key>/formulieren/<filename>")
@policy.roles(*BEKIJKEN)
def formulier(key: str, filename: str) -> Page:
    concept = _te_tonen(key)
    if filename not in f.schema_bestanden(concept):
        abort(404)
    schema, ui = concept.forms[filename], concept.forms.get(f.ui_bestand(filename)) or {}
    editor = f.uit_json(filename, schema if isinstance(schema, dict) else {}, ui if isinstance(ui, dict) else {})
    return _editor(concept, editor, concept.revisie)


@bp.post("/<key>/formulieren/<filename>")
@policy.roles(*BEWERKEN)
def formulier_bewerken(key: str, filename: str) -> Page:
    concept = _te_tonen(key)
    if filename not in f.schema_bestanden(concept):
        abort(404)
    editor, revisie, actie = _uit_invoer(filename, request.form), _revisie(), request.form.get("actie", "")
    if actie == "opslaan":
        return _opslaan(key, editor, revisie)
    if actie.startswith("overschrijven-") and actie.removeprefix("overschrijven-").isdigit():
        # After a 409 the user chose, knowingly, to save this form over the newer revisie.
        return _opslaan(key, editor, int(actie.removeprefix("overschrijven-")))
    if actie == "json":
        return _json_overnemen(concept, editor, revisie)
    return _editor(concept, _bewerkt(editor, actie), revisie)


def _bewerkt(editor: f.Formulier, actie: str) -> f.Formulier:
    """The editor after an add / remove / move button ("verwijderen-2", "omhoog-1", …)."""
    if actie == "toevoegen":
        return f.met_veld(editor)
    soort, _, nummer = actie.partition("-")
    if not nummer.isdigit():
        return editor
    index = int(nummer)
    if soort == "verwijderen":
        return f.zonder_veld(editor, index)
    if soort in ("omhoog", "omlaag"):
        return f.verschoven(editor, index, -1 if soort == "omhoog" else 1)
    return editor


def _opslaan(key: str, editor: f.Formulier, revisie: int) -> Page:
    if f.fouten(editor):
        melding = "Het formulier is niet opgeslagen: verbeter de gemarkeerde velden."
        return _editor(_te_tonen(key), editor, revisie, melding=melding, status=422)
    concept, op_revisie = _te_bewerken(key, revisie)
    try:
        problemen = f.formulier_opslaan(concept, current_user, op_revisie, editor)
    except ConceptFout as exc:
        db.session.rollback()
        if isinstance(exc, Verouderd):
            return _editor(_te_tonen(key), editor, revisie, melding=str(exc), nieuwer=exc.concept.revisie, status=409)
        return _editor(_te_tonen(key), editor, revisie, melding=str(exc), status=422)
    if problemen:
        db.session.rollback()
        melding = "Het formulier is niet opgeslagen: de controle vond problemen."
        return _editor(_te_tonen(key), editor, revisie, melding=melding, problemen=problemen, status=422)
    db.session.commit()
    flash(f"Formulier ‘{editor.bestand}’ is opgeslagen in uw concept (revisie {concept.revisie}).", "success")
    return redirect(url_for("studio.formulier", key=key, filename=editor.bestand))


def _json_overnemen(concept: Concept, editor: f.Formulier, revisie: int) -> Page:
    """The expert's JSON becomes the editor state; invalid JSON keeps the text and says why."""
    teksten = {"schema": request.form.get("json_schema", ""), "ui": request.form.get("json_ui", ""), "open": "ja"}
    gelezen: dict[str, dict[str, Any]] = {}
    for deel in _DEEL:
        tekst = teksten[deel]
        try:
            waarde = json.loads(tekst or "{}")
        except json.JSONDecodeError as exc:
            melding = f"De JSON van het {_DEEL[deel]} is ongeldig: {exc.msg} (regel {exc.lineno}, kolom {exc.colno})."
            return _editor(concept, editor, revisie, melding=melding, json_tekst=teksten, status=422)
        if not isinstance(waarde, dict):
            melding = f"Het {_DEEL[deel]} moet een JSON-object zijn ({{ … }})."
            return _editor(concept, editor, revisie, melding=melding, json_tekst=teksten, status=422)
        gelezen[deel] = waarde
    nieuw = f.uit_json(editor.bestand, gelezen["schema"], gelezen["ui"])
    return _editor(concept, nieuw, revisie, melding_ok="De JSON is overgenomen in de editor; sla op om hem te bewaren.")


_DEEL = {"schema": "schema", "ui": "UI-schema"}


@bp.post("/<key>/formulieren/<filename>/voorbeeld")
@policy.roles(*BEWERKEN)
def formulier_voorbeeld(key: str, filename: str) -> Page:
    """The preview alone, for htmx while the user types."""
    editor = _uit_invoer(filename, request.form)
    return render_template("studio/_formulier_voorbeeld.html", voorbeeld=_voorbeeld(editor))


# --- rendering -------------------------------------------------------------------------------------
def _editor(concept: Concept, editor: f.Formulier, revisie: int, *, melding: str = "", melding_ok: str = "",
            problemen: list[Probleem] | None = None, json_tekst: dict[str, str] | None = None,
            nieuwer: int = 0, status: int = 200) -> Page:  # fmt: skip
    fouten = f.fouten(editor) if request.method == "POST" else {}
    schema, ui = _json_van(editor)
    html = render_template(
        "studio/formulier.html", concept=concept, editor=editor, revisie=revisie, fouten=fouten, melding=melding,
        melding_ok=melding_ok, problemen=problemen or [], soorten=f.SOORTEN, rollen=f.ROLLEN,
        met_keuzes=f.MET_KEUZES, met_grenzen=f.MET_GRENZEN,
        hernoemd=_hernoemd(concept, editor), voorbeeld=_voorbeeld(editor), nieuwer=nieuwer,
        verwijderd={n: f.gebruik_in_diagram(concept.bpmn_xml, n) for n in editor.verwijderd},
        mag_bewerken=current_user.heeft_rol(*BEWERKEN),
        json_tekst=json_tekst or {"schema": schema, "ui": ui},
    )  # fmt: skip
    return html, status


def _json_van(editor: f.Formulier) -> tuple[str, str]:
    try:
        schema, ui = f.naar_json(editor)
    except ValueError:  # a min/max that is no number yet: the field list shows the error
        return "", ""
    return (json.dumps(schema, ensure_ascii=False, indent=2), json.dumps(ui, ensure_ascii=False, indent=2))


def _hernoemd(concept: Concept, editor: f.Formulier) -> dict[int, list[str]]:
    """index -> the diagram elements that still use the field's old name."""
    return {i: f.gebruik_in_diagram(concept.bpmn_xml, v.oud) for i, v in enumerate(editor.velden)
            if v.oud and v.oud != v.naam and f.gebruik_in_diagram(concept.bpmn_xml, v.oud)}  # fmt: skip


def _voorbeeld(editor: f.Formulier) -> dict[str, Any]:
    """What the task page will draw, with empty task data."""
    try:
        schema, ui = f.naar_json(editor)
    except ValueError:
        return {"titel": editor.titel, "velden": [], "onvolledig": True}
    velden = fields(Form(schema, ui), {}, {})
    for veld in velden:
        veld.label = veld.label or f"({veld.name}: nog geen label)"  # an input without a label fails WCAG
    return {"titel": editor.titel, "velden": velden, "onvolledig": bool(f.fouten(editor))}


# --- the posted editor state -----------------------------------------------------------------------
def _uit_invoer(bestand: str, form: MultiDict[str, str]) -> f.Formulier:
    try:
        aantal = min(int(form.get("aantal", "0")), f.MAX_VELDEN + 1)
    except ValueError:
        aantal = 0
    velden = [_veld_uit_invoer(form, i) for i in range(aantal) if f"v{i}-naam" in form]
    extra, ui_extra = _object(form.get("extra")), _object(form.get("ui_extra"))
    verwijderd = [n for n in form.getlist("verwijderd")[: f.MAX_VELDEN] if n]
    return f.Formulier(bestand, form.get("titel", ""), velden, extra, ui_extra, verwijderd, form.get("intern") == "ja")


def _veld_uit_invoer(form: MultiDict[str, str], i: int) -> f.Veld:
    def waarde(naam: str) -> str:
        return form.get(f"v{i}-{naam}", "")

    return f.Veld(
        naam=waarde("naam").strip(), oud=waarde("oud"), titel=waarde("titel"), help=waarde("help"),
        soort=waarde("soort"), rol=waarde("rol"), intern=waarde("intern") == "ja",
        verplicht=waarde("verplicht") == "ja", keuzes=waarde("keuzes"), min=waarde("min"), max=waarde("max"),
        extra=_object(waarde("extra")), ui_extra=_object(waarde("ui")),
    )  # fmt: skip


def _object(tekst: str | None) -> dict[str, Any]:
    """A hidden JSON object the page carries; anything else (a tampered field) counts as empty."""
    try:
        waarde = json.loads(tekst or "{}")
    except json.JSONDecodeError:
        return {}
    return waarde if isinstance(waarde, dict) else {}
