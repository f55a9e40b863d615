"""Hulpvragen: a new dossier + hulpvraag, and the hulpvraag page (the list is in lijst.py)."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from models import Dossier, Hulpvraag, HumanTask, ProcessInstance, School, db
from models.dossier import GESLACHTEN
from models.hulpvraag import TITELS
from models.user import SCHOOL_ROLLEN
from web import policy
from web.hulpvragen.schemas import load_nieuwe_hulpvraag
from workflow import audit
from workflow.access import hulpvraag_filter, task_candidates
from workflow.bijlagen import bijlagen_van, mag_bijlage_toevoegen
from workflow.forms import FormField
from workflow.hulpvragen import create_hulpvraag
from workflow.runtime import ProcessFailed

bp = Blueprint("hulpvragen", __name__, url_prefix="/hulpvragen")
log = logging.getLogger(__name__)


# --- new --------------------------------------------------------------------------------
def _my_schools() -> list[School]:
    return sorted(current_user.scholen, key=lambda s: s.naam)


def _new_fields(values: dict[str, str], errors: dict[str, str]) -> list[FormField]:
    schools = [(str(s.id), f"{s.naam} ({s.brin6})") for s in _my_schools()]

    def f(name: str, label: str, widget: str = "text", required: bool = True, **kw: object) -> FormField:
        return FormField(name=name, label=label, widget=widget, required=required, value=values.get(name),
                         error=errors.get(name, ""), **kw)  # type: ignore[arg-type]  # fmt: skip

    return [
        f("school_id", "School", "select", options=schools),
        f("roepnaam", "Roepnaam", attrs={"maxlength": 100}),
        f("tussenvoegsel", "Tussenvoegsel", required=False, attrs={"maxlength": 40}),
        f(
            "achternaam",
            "Achternaam",
            attrs={"maxlength": 150},
            help="Buitenlandse voorvoegsels horen bij de achternaam, bijvoorbeeld El-Makrini.",
        ),
        f("geboortedatum", "Geboortedatum", "date"),
        f("geslacht", "Geslacht", "radio", options=list(GESLACHTEN.items())),
        f("titel", "Titel van de hulpvraag", "select", options=[(t, t) for t in TITELS]),
        f(
            "omschrijving",
            "Omschrijving",
            "textarea",
            attrs={"maxlength": 2000},
            help="Beschrijf kort de hulpvraag. Noem hier niet de naam van de leerling.",
        ),
        f("contactpersoon_naam", "Contactpersoon", attrs={"maxlength": 200}),
        f("contactpersoon_email", "E-mail contactpersoon", "email"),
        f(
            "contactpersoon_telefoon",
            "Telefoon contactpersoon",
            required=False,
            attrs={"maxlength": 40},
            help="Liever een zakelijk nummer dan een privénummer.",
        ),
    ]


def _require_school_user() -> None:
    if not current_user.rollen & SCHOOL_ROLLEN or not current_user.scholen:
        abort(403, "Alleen medewerkers van een school kunnen een hulpvraag aanmaken.")


@bp.get("/nieuw")
@policy.roles(*SCHOOL_ROLLEN)
def nieuw() -> str:
    _require_school_user()
    schools = _my_schools()
    defaults = {"contactpersoon_naam": current_user.naam, "contactpersoon_email": current_user.email,
                "contactpersoon_telefoon": current_user.telefoon or "",
                "school_id": str(schools[0].id) if len(schools) == 1 else ""}  # fmt: skip
    return render_template("hulpvragen/nieuw.html", fields=_new_fields(defaults, {}), errors={})


@bp.post("/nieuw")
@policy.roles(*SCHOOL_ROLLEN)
def create() -> str | Response:
    _require_school_user()
    raw = request.form.to_dict()
    data, errors = load_nieuwe_hulpvraag(raw)
    if not errors and data["school_id"] not in current_user.school_ids:
        errors = {"school_id": "Kies een van uw eigen scholen."}
    if errors:
        return render_template("hulpvragen/nieuw.html", fields=_new_fields(raw, errors), errors=errors), 422  # type: ignore[return-value]
    try:
        hulpvraag = _create(data)
        audit.record(current_user, "aanmaken", "dossier", hulpvraag.dossier_id, dossier_id=hulpvraag.dossier_id)
        audit.record(current_user, "aanmaken", "hulpvraag", hulpvraag.id, dossier_id=hulpvraag.dossier_id,
                     detail=hulpvraag.titel)  # fmt: skip
        db.session.commit()
    except ProcessFailed as exc:
        db.session.rollback()
        abort(409, f"{exc} Er is niets opgeslagen.")
    flash(f"Hulpvraag {hulpvraag.aanvraagnummer} is aangemaakt als voorlopige aanmelding. "
          "Dien haar in om haar naar het samenwerkingsverband te sturen.", "success")  # fmt: skip
    return redirect(url_for("hulpvragen.show", hulpvraag_id=hulpvraag.id))


def _create(data: dict[str, object]) -> Hulpvraag:
    school = db.session.get(School, data["school_id"])
    assert school is not None
    dossier = Dossier(swv_id=school.swv_id, school_id=school.id, niveau="leerling",
                      roepnaam=data["roepnaam"], tussenvoegsel=data.get("tussenvoegsel"),
                      achternaam=data["achternaam"], geboortedatum=data["geboortedatum"],
                      geslacht=data["geslacht"])  # fmt: skip
    db.session.add(dossier)
    db.session.flush()
    return create_hulpvraag(
        dossier, current_user, titel=str(data["titel"]), omschrijving=str(data["omschrijving"]),
        contactpersoon_naam=str(data["contactpersoon_naam"]), contactpersoon_email=str(data["contactpersoon_email"]),
        contactpersoon_telefoon=str(data.get("contactpersoon_telefoon") or ""),
    )  # fmt: skip


# --- detail -----------------------------------------------------------------------------
def _visible_or_404(hulpvraag_id: int) -> Hulpvraag:
    hulpvraag = db.session.scalar(
        sa.select(Hulpvraag).where(Hulpvraag.id == hulpvraag_id, hulpvraag_filter(current_user))
    )
    if hulpvraag is None:
        exists = db.session.get(Hulpvraag, hulpvraag_id) is not None
        log.warning("denied: hulpvraag_id=%s user_id=%s (%s)", hulpvraag_id, current_user.id,
                    "out of scope" if exists else "not found")  # fmt: skip
        abort(404)  # invisible and nonexistent look the same
    return hulpvraag


@bp.get("/<int:hulpvraag_id>")
@policy.authenticated
def show(hulpvraag_id: int) -> str:
    hulpvraag = _visible_or_404(hulpvraag_id)
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
    )  # fmt: skip
    audit.record(current_user, "bekijken", "hulpvraag", hulpvraag.id, dossier_id=hulpvraag.dossier_id)
    db.session.commit()  # a read is only shown once its audit entry is stored (workflow/audit.py)
    return html
