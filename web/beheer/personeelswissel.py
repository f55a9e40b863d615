"""Personeelswissel: move aanvrager and contactpersoon of a school's open hulpvragen to a colleague."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from models import Hulpvraag, School, User, UserRol, db
from models.user import Rol, user_school
from web import policy
from web.beheer import bp
from workflow import audit
from workflow.access import hulpvraag_filter
from workflow.hulpvragen import open_hulpvragen_van, wissel_personeel


def _scholen() -> list[School]:
    query = sa.select(School).order_by(School.naam)
    if Rol.BEHEERDER not in current_user.rollen:
        query = query.where(School.scp_id == current_user.id)
    return list(db.session.scalars(query))


def _staff(school: School) -> list[User]:
    query = (
        sa.select(User).join(user_school, user_school.c.user_id == User.id).join(UserRol)
        .where(user_school.c.school_id == school.id, UserRol.rol.in_([Rol.AANVRAGER, Rol.DIRECTEUR]))
        .order_by(User.naam).distinct()
    )  # fmt: skip
    return list(db.session.scalars(query))


def _selection() -> tuple[School | None, User | None, User | None, list[Hulpvraag]]:
    values = request.values
    school = next((s for s in _scholen() if str(s.id) == values.get("school")), None)
    if school is None:
        return None, None, None, []
    staff = {str(u.id): u for u in _staff(school)}
    former = db.session.get(User, int(values["van"])) if values.get("van", "").isdigit() else None
    new = staff.get(values.get("naar", ""))
    rows = open_hulpvragen_van(school.id, former, hulpvraag_filter(current_user)) if former and new else []
    return school, former, new, rows


@bp.get("/personeelswissel")
@policy.roles("beheerder", "scp")
def personeelswissel() -> str:
    school, former, new, rows = _selection()
    error = ""
    if former and new and former.id == new.id:
        error, rows = "Kies twee verschillende personen.", []
    return render_template(
        "beheer/personeelswissel.html", scholen=_scholen(), school=school, staff=_staff(school) if school else [],
        van=former, naar=new, rows=rows, error=error, is_beheerder=Rol.BEHEERDER in current_user.rollen,
    )  # fmt: skip


@bp.post("/personeelswissel")
@policy.roles("beheerder", "scp")
def personeelswissel_uitvoeren() -> Response:
    school, former, new, rows = _selection()
    if school is None or former is None or new is None or former.id == new.id:
        abort(400, "Kies een school, de vertrekkende en de nieuwe medewerker.")
    for hulpvraag in rows:
        changes = wissel_personeel(hulpvraag, former, new)
        detail = f"personeelswissel: {', '.join(changes)} van {former.naam} naar {new.naam}"
        audit.record(
            current_user, "wijzigen", "hulpvraag", hulpvraag.id, dossier_id=hulpvraag.dossier_id, detail=detail
        )
    db.session.commit()
    flash(
        f"{len(rows)} open hulpvra{'ag' if len(rows) == 1 else 'gen'} overgezet van {former.naam} naar {new.naam}.",
        "success",
    )
    return redirect(url_for("beheer.personeelswissel", school=school.id))
