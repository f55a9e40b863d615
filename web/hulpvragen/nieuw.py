"""A new hulpvraag: for a new leerling (after a duplicate check), an existing dossier, or a school."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from models import Dossier, GekozenBestand, Hulpvraag, School, User, UserRol, db
from models.dossier import GESLACHTEN
from models.hulpvraag import TITELS
from models.user import SCHOOL_ROLLEN, Rol
from web import policy
from web.auth import sessions
from web.dossiers import zoeken
from web.hulpvragen.schemas import load_nieuwe_hulpvraag
from web.hulpvragen.views import bp
from workflow import audit, gekozen_bestanden, incidenten
from workflow.access import dossier_filter, may_edit_dossier
from workflow.bijlagen import BijlageGeweigerd
from workflow.dossiers import mogelijke_dubbelen, naam_in_tekst, normaliseer
from workflow.engine.forms import FormField
from workflow.engine.runtime import ProcessFailed
from workflow.hulpvragen import INTAKE, SchoolGesloten, create_hulpvraag

NAAM_WAARSCHUWING = (
    "De omschrijving lijkt de naam van de leerling te bevatten. Haal de naam weg (die staat al in het dossier) "
    "of sla nogmaals op als het echt nodig is."
)


def _my_schools() -> list[School]:
    return sorted((s for s in current_user.scholen if not s.is_gesloten), key=lambda s: s.naam)


def _scps() -> list[tuple[str, str]]:
    query = sa.select(User).join(UserRol).where(UserRol.rol == Rol.SCP, User.actief.is_(True)).order_by(User.naam)
    return [("", "SCP van de school (automatisch)")] + [(str(u.id), u.naam) for u in db.session.scalars(query)]


def _field(values: dict[str, Any], errors: dict[str, str], name: str, label: str, widget: str = "text",
           required: bool = True, **kw: Any) -> FormField:  # fmt: skip
    return FormField(name=name, label=label, widget=widget, required=required, value=values.get(name),
                     error=errors.get(name, ""), **kw)  # fmt: skip


def _leerling_fields(values: dict[str, Any], errors: dict[str, str]) -> list[FormField]:
    schools = [(str(s.id), f"{s.naam} ({s.brin6})") for s in _my_schools()]
    voor = [("leerling", "Een leerling"), ("school", "De school (school- of wijkaanvraag)")]
    leerling = {"required": False, "required_when": "Verplicht voor een leerling"}
    f = lambda *a, **kw: _field(values, errors, *a, **kw)  # noqa: E731
    return [
        f("niveau", "Dossier voor", "radio", options=voor),
        f("school_id", "School", "select", options=schools),
        f("roepnaam", "Roepnaam", attrs={"maxlength": 100}, **leerling),
        f("tussenvoegsel", "Tussenvoegsel", required=False, attrs={"maxlength": 40},
          help="Alleen Nederlandse voorvoegsels (van, de, van der…)."),
        f("achternaam", "Achternaam", attrs={"maxlength": 150}, **leerling,
          help="Buitenlandse voorvoegsels horen bij de achternaam, bijvoorbeeld El-Makrini of da Silva."),
        f("geboortedatum", "Geboortedatum", "date", **leerling),
        f("geslacht", "Geslacht", "radio", options=list(GESLACHTEN.items()), **leerling),
    ]  # fmt: skip


def _hulpvraag_fields(values: dict[str, Any], errors: dict[str, str]) -> list[FormField]:
    f = lambda *a, **kw: _field(values, errors, *a, **kw)  # noqa: E731
    return [
        f("titel", "Titel van de hulpvraag", "select", options=[(t, t) for t in TITELS]),
        f("omschrijving", "Omschrijving", "textarea", attrs={"maxlength": 2000},
          help="Beschrijf kort de hulpvraag. De naam van de leerling hoort hier niet: die staat in het dossier."),
        f("coordinator_id", "Coördinator (SCP)", "select", required=False, options=_scps()),
        f("contactpersoon_naam", "Contactpersoon", attrs={"maxlength": 200}),
        f("contactpersoon_email", "E-mail contactpersoon", "email"),
        f("contactpersoon_telefoon", "Telefoon contactpersoon", required=False, attrs={"maxlength": 40},
          help="Liever een zakelijk nummer dan een privénummer; u kunt het later wijzigen."),
    ]  # fmt: skip


def _existing_dossier(dossier_id: int | None) -> Dossier | None:
    if not dossier_id:
        return None
    dossier = db.session.scalar(sa.select(Dossier).where(Dossier.id == dossier_id, dossier_filter(current_user)))
    if dossier is None or not may_edit_dossier(current_user, dossier.school_id):
        abort(404)
    return dossier


def _render(values: dict[str, Any], errors: dict[str, str], status: int = 200, **extra: Any) -> tuple[str, int]:
    dossier = _existing_dossier(_int(values.get("dossier_id")))
    page = render_template(
        "hulpvragen/nieuw.html", dossier=dossier, errors=errors, values=values,
        leerling_fields=[] if dossier else _leerling_fields(values, errors),
        hulpvraag_fields=_hulpvraag_fields(values, errors), bijlagen_mogelijk=True, **extra,
    )  # fmt: skip
    return page, status


def _int(value: Any) -> int | None:
    return int(value) if str(value or "").isdigit() else None


@bp.get("/nieuw")
@policy.roles(*SCHOOL_ROLLEN)
def nieuw() -> tuple[str, int] | Response:
    """First a pupil search (pick a dossier); the form for a new leerling only after it."""
    if not current_user.scholen:
        abort(403, "U bent niet aan een school gekoppeld.")
    if not request.args.get("dossier") and request.args.get("stap") != "nieuw":
        if zoeken.htmx():
            return zoeken.resultaten("hulpvragen.nieuw", doel="nieuw")
        q = zoeken.zoektekst()
        w = zoeken.weergave(q, "hulpvragen.nieuw", zoeken.KIES_TABEL)
        return render_template("hulpvragen/nieuw_zoeken.html", w=w, q=q), 200
    schools = _my_schools()
    niveau = "school" if request.args.get("niveau") == "school" else "leerling"
    defaults = {
        "niveau": niveau, "contactpersoon_naam": current_user.naam, "contactpersoon_email": current_user.email,
        "contactpersoon_telefoon": current_user.telefoon or "", "dossier_id": request.args.get("dossier", ""),
        "school_id": str(schools[0].id) if len(schools) == 1 else "",
    }  # fmt: skip
    return _render(defaults, {})


@bp.post("/nieuw")
@policy.roles(*SCHOOL_ROLLEN)
def create() -> Response | tuple[str, int]:
    raw = request.form.to_dict()
    gekozen, bijlage_fout = _kies_bestanden()
    if bijlage_fout is not None:
        return _render(raw, {"bijlagen": bijlage_fout}, 422, gekozen=gekozen)
    data, errors = load_nieuwe_hulpvraag(raw)
    dossier = _existing_dossier(data.get("dossier_id")) if not errors else None
    if not errors and not dossier and data["school_id"] not in {s.id for s in _my_schools()}:
        gesloten = [s for s in current_user.scholen if s.id == data["school_id"] and s.is_gesloten]
        errors = {"school_id": f"{gesloten[0].naam} is gesloten: kies een open school." if gesloten
                  else "Kies een van uw eigen scholen."}  # fmt: skip
    if errors:
        return _render(raw, errors, 422, gekozen=gekozen)
    if dossier is None and data["niveau"] == "leerling" and not data["bevestig_nieuw"]:
        dubbelen = mogelijke_dubbelen(data["school_id"], data["roepnaam"], data["achternaam"], data["geboortedatum"],
                                      data.get("tussenvoegsel") or "")  # fmt: skip
        if dubbelen:
            return _render(raw, {}, 409, dubbelen=dubbelen, gekozen=gekozen)
    namen = (dossier.roepnaam, dossier.achternaam) if dossier else (data["roepnaam"], data["achternaam"])
    if not data["naam_gecontroleerd"] and naam_in_tekst(data["omschrijving"], *namen):
        return _render({**raw, "naam_gecontroleerd": "1"}, {"omschrijving": NAAM_WAARSCHUWING}, 422, gekozen=gekozen)
    try:
        hulpvraag = _create(data, dossier)
        gekozen_bestanden.koppel(hulpvraag, gekozen, current_user)
        incidenten.na_succes(incidenten.sleutel_start(None, INTAKE), current_user)
        db.session.commit()
    except ProcessFailed as exc:
        db.session.rollback()  # the new hulpvraag is gone too: the form comes back filled in
        gemeld = incidenten.bij_start(None, INTAKE, current_user, exc) is not None
        melding = "Het probleem is gemeld bij de procesbeheerder." if gemeld else "Meld dit bij de procesbeheerder."
        flash(f"De hulpvraag kon niet worden aangemaakt. {exc} Er is niets opgeslagen. {melding} Uw invoer en de "
              "gekozen bestanden zijn niet verloren gegaan: u kunt het later opnieuw proberen.",
              "error")  # fmt: skip
        return _render(raw, {}, 409, gekozen=_gekozen())
    except SchoolGesloten as exc:
        db.session.rollback()  # nothing of the new hulpvraag is kept
        flash(f"{exc} Er is niets opgeslagen.", "error")
        return _render(raw, {}, 422, gekozen=_gekozen())
    flash(f"Hulpvraag {hulpvraag.aanvraagnummer} is aangemaakt als voorlopige aanmelding. "
          "Dien haar in om haar naar het samenwerkingsverband te sturen.", "success")  # fmt: skip
    return redirect(url_for("hulpvragen.show", hulpvraag_id=hulpvraag.id))


def _sessie_id() -> str:
    row = sessions.current()
    return row.id if row is not None else ""


def _gekozen() -> list[GekozenBestand]:
    """The files kept on earlier rounds of this form (this user and login session only)."""
    return gekozen_bestanden.van(current_user, _sessie_id(), request.form.getlist("gekozen"))


def _kies_bestanden() -> tuple[list[GekozenBestand], str | None]:
    """Keep the files chosen now beside those kept before (committed: a warning further on loses none).
    A refused file is named and the others are kept. A kept file whose box the user unticked is not
    posted: it is left out, and cleaned up later."""
    gekozen = _gekozen()
    fouten = []
    for upload in request.files.getlist("bijlagen"):
        if not upload.filename:
            continue
        try:  # a refused file is refused before anything is stored
            soort = request.form.get("bijlagen_soort", "")
            gekozen.append(gekozen_bestanden.bewaar(upload.stream, upload.filename, soort, current_user, _sessie_id()))
        except BijlageGeweigerd as exc:
            fouten.append(str(exc))
    db.session.commit()
    if not fouten:
        return gekozen, None
    bewaard = " De andere gekozen bestanden zijn bewaard." if gekozen else ""
    return gekozen, " ".join(fouten) + " De hulpvraag is nog niet aangemaakt." + bewaard


def _new_dossier(data: dict[str, Any]) -> Dossier:
    school = db.session.get(School, data["school_id"])
    assert school is not None
    dossier = Dossier(swv_id=school.swv_id, school_id=school.id, niveau=data["niveau"])
    if data["niveau"] == "leerling":
        naam = normaliseer(data["roepnaam"], data.get("tussenvoegsel") or "", data["achternaam"])
        dossier.roepnaam, dossier.tussenvoegsel, dossier.achternaam = (
            naam.roepnaam,
            naam.tussenvoegsel or None,
            naam.achternaam,
        )
        dossier.geboortedatum, dossier.geslacht = data["geboortedatum"], data["geslacht"]
    db.session.add(dossier)
    db.session.flush()
    audit.record(current_user, "aanmaken", "dossier", dossier.id, dossier_id=dossier.id)
    return dossier


def _create(data: dict[str, Any], dossier: Dossier | None) -> Hulpvraag:
    dossier = dossier or _new_dossier(data)
    coordinator = db.session.get(User, data["coordinator_id"]) if data.get("coordinator_id") else None
    if coordinator is not None and Rol.SCP not in coordinator.rollen:
        coordinator = None
    hulpvraag = create_hulpvraag(
        dossier, current_user, titel=data["titel"], omschrijving=data["omschrijving"],
        contactpersoon_naam=data["contactpersoon_naam"], contactpersoon_email=data["contactpersoon_email"],
        contactpersoon_telefoon=data.get("contactpersoon_telefoon") or "",
        coordinator=coordinator,
    )  # fmt: skip
    audit.record(current_user, "aanmaken", "hulpvraag", hulpvraag.id, dossier_id=dossier.id, detail=hulpvraag.titel)
    return hulpvraag
