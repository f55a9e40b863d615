"""The dossier page: basisgegevens, parents' e-mail, adressen, schoolgegevens, its hulpvragen."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from models import Adres, Dossier, Hulpvraag, School, Schoolgegevens, db
from models.adres import ADRES_SOORTEN
from models.dossier import GESLACHTEN
from web import policy
from web.dossiers.schemas import AdresSchema, BasisgegevensSchema, SchoolgegevensSchema, load, split_emails
from workflow import audit
from workflow.access import dossier_filter, hulpvraag_filter, may_edit_dossier
from workflow.dossiers import normaliseer, school_uit_tekst

bp = Blueprint("dossiers", __name__, url_prefix="/dossiers")


def _visible_or_404(dossier_id: int) -> Dossier:
    dossier = db.session.scalar(sa.select(Dossier).where(Dossier.id == dossier_id, dossier_filter(current_user)))
    if dossier is None:
        abort(404)
    return dossier


def _editable_or_404(dossier_id: int) -> Dossier:
    dossier = _visible_or_404(dossier_id)
    if not may_edit_dossier(current_user, dossier.school_id):
        abort(403, "Alleen de school van de leerling (of een beheerder) kan het dossier wijzigen.")
    return dossier


def _page(dossier: Dossier, errors: dict[str, str] | None = None, values: dict[str, str] | None = None) -> str:
    hulpvragen = db.session.scalars(
        sa.select(Hulpvraag).where(Hulpvraag.dossier_id == dossier.id, hulpvraag_filter(current_user))
        .order_by(Hulpvraag.created_at.desc())
    ).all()  # fmt: skip
    scholen = db.session.scalars(sa.select(School).where(School.swv_id == dossier.swv_id).order_by(School.naam)).all()
    return render_template(
        "dossiers/show.html", d=dossier, hulpvragen=hulpvragen, scholen=scholen, soorten=ADRES_SOORTEN,
        geslachten=GESLACHTEN, errors=errors or {}, values=values or {},
        bewerkbaar=may_edit_dossier(current_user, dossier.school_id),
    )  # fmt: skip


@bp.get("/<int:dossier_id>")
@policy.authenticated
def show(dossier_id: int) -> str:
    dossier = _visible_or_404(dossier_id)
    page = _page(dossier)
    audit.record(current_user, "bekijken", "dossier", dossier.id, dossier_id=dossier.id)
    db.session.commit()
    return page


@bp.post("/<int:dossier_id>")
@policy.authenticated
def update(dossier_id: int) -> str | Response | tuple[str, int]:
    dossier = _editable_or_404(dossier_id)
    data, errors = load(BasisgegevensSchema(), request.form.to_dict())
    if errors:
        db.session.rollback()
        return _page(dossier, errors, request.form.to_dict()), 422
    naam = normaliseer(data["roepnaam"], data["tussenvoegsel"], data["achternaam"])
    dossier.roepnaam, dossier.tussenvoegsel, dossier.achternaam = (
        naam.roepnaam,
        naam.tussenvoegsel or None,
        naam.achternaam,
    )
    dossier.geboortedatum, dossier.geslacht = data["geboortedatum"], data["geslacht"]
    dossier.ouder_emails = split_emails(data["ouder_emails"])
    audit.record(current_user, "wijzigen", "dossier", dossier.id, dossier_id=dossier.id, detail="basisgegevens")
    db.session.commit()
    flash("De basisgegevens zijn opgeslagen.", "success")
    return redirect(url_for("dossiers.show", dossier_id=dossier.id))


@bp.post("/<int:dossier_id>/adressen")
@policy.authenticated
def adres_toevoegen(dossier_id: int) -> str | Response | tuple[str, int]:
    dossier = _editable_or_404(dossier_id)
    data, errors = load(AdresSchema(), request.form.to_dict())
    if errors:
        return _page(dossier, {f"adres_{k}": v for k, v in errors.items()}, request.form.to_dict()), 422
    data["postcode"] = data["postcode"].upper().replace(" ", "")
    dossier.adressen.append(Adres(**data))
    audit.record(current_user, "wijzigen", "dossier", dossier.id, dossier_id=dossier.id, detail="adres toegevoegd")
    db.session.commit()
    flash("Het adres is toegevoegd.", "success")
    return redirect(url_for("dossiers.show", dossier_id=dossier.id))


@bp.post("/<int:dossier_id>/adressen/<int:adres_id>/verwijderen")
@policy.authenticated
def adres_verwijderen(dossier_id: int, adres_id: int) -> Response:
    dossier = _editable_or_404(dossier_id)
    adres = next((a for a in dossier.adressen if a.id == adres_id), None)
    if adres is None:
        abort(404)
    dossier.adressen.remove(adres)
    audit.record(current_user, "wijzigen", "dossier", dossier.id, dossier_id=dossier.id, detail="adres verwijderd")
    db.session.commit()
    flash("Het adres is verwijderd.", "success")
    return redirect(url_for("dossiers.show", dossier_id=dossier.id))


@bp.post("/<int:dossier_id>/schoolgegevens")
@policy.authenticated
def schoolgegevens_toevoegen(dossier_id: int) -> str | Response | tuple[str, int]:
    dossier = _editable_or_404(dossier_id)
    data, errors = load(SchoolgegevensSchema(), request.form.to_dict())
    school = school_uit_tekst(data["school"]) if not errors else None
    if not errors and (school is None or school.swv_id != dossier.swv_id):
        errors = {"school": "Kies een school uit de lijst (typ een deel van de naam of het BRIN-nummer)."}
    if errors:
        return _page(dossier, {f"sg_{k}": v for k, v in errors.items()}, request.form.to_dict()), 422
    assert school is not None
    dossier.schoolgegevens.append(
        Schoolgegevens(school_id=school.id, groep=data["groep"], van=data["van"], tot=data["tot"])
    )
    audit.record(
        current_user, "wijzigen", "dossier", dossier.id, dossier_id=dossier.id, detail="schoolgegevens toegevoegd"
    )
    db.session.commit()
    flash("De schoolgegevens zijn toegevoegd.", "success")
    return redirect(url_for("dossiers.show", dossier_id=dossier.id))


@bp.post("/<int:dossier_id>/schoolgegevens/<int:sg_id>/verwijderen")
@policy.authenticated
def schoolgegevens_verwijderen(dossier_id: int, sg_id: int) -> Response:
    dossier = _editable_or_404(dossier_id)
    rij = next((s for s in dossier.schoolgegevens if s.id == sg_id), None)
    if rij is None:
        abort(404)
    dossier.schoolgegevens.remove(rij)
    audit.record(
        current_user, "wijzigen", "dossier", dossier.id, dossier_id=dossier.id, detail="schoolgegevens verwijderd"
    )
    db.session.commit()
    flash("De schoolgegevens zijn verwijderd.", "success")
    return redirect(url_for("dossiers.show", dossier_id=dossier.id))
