"""Beheer: one account: create, edit (roles, functies, schools), disable and enable, second factor,
activation link. The list is in gebruikers_lijst.py, the import in gebruikers_import.py."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from models import AuditEntry, Functie, School, User, db
from models.user import ROL_LABELS
from web import policy
from web.auth import sessions, totp
from web.beheer import bp, gebruikers_cli, gebruikers_import, gebruikers_lijst  # noqa: F401 - these register routes
from workflow import audit
from workflow import gebruikers as use_cases
from workflow.gebruikers import Gegevens, Ongeldig

log = logging.getLogger(__name__)
GESCHIEDENIS = 20


@bp.get("")
@policy.roles("beheerder", "scp")
def index() -> str:
    """The beheer start page: what this user may manage."""
    return render_template("beheer/index.html")


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.swv_id != current_user.swv_id:
        abort(404)
    return user


def _ids(name: str) -> list[int]:
    return [int(v) for v in request.form.getlist(name) if v.isdigit() and len(v) < 10]


def _gegevens() -> Gegevens:
    form = request.form
    return Gegevens(naam=form.get("naam", "")[:300], email=form.get("email", "")[:300],
                    username=form.get("username", "")[:120], rollen=form.getlist("rol")[:20],
                    functie_ids=_ids("functie"), school_ids=_ids("school"),
                    scp_school_ids=_ids("scp_school"))  # fmt: skip


def _van(user: User) -> Gegevens:
    return Gegevens(user.naam, user.email, user.username, sorted(user.rollen), [f.id for f in user.functies],
                    [s.id for s in user.scholen], [s.id for s in use_cases.gecoordineerd(user)])  # fmt: skip


def _keuzes() -> dict[str, Any]:
    scholen = sa.select(School).where(School.swv_id == current_user.swv_id).order_by(School.naam)
    functies = sa.select(Functie).where(Functie.actief.is_(True)).order_by(Functie.naam)
    return {"rollen": ROL_LABELS, "scholen": db.session.scalars(scholen).all(),
            "functies": db.session.scalars(functies).all()}  # fmt: skip


def _formulier(g: Gegevens, user: User | None, fouten: dict[str, str], overnames: list[Any], status: int = 200):  # type: ignore[no-untyped-def]
    html = render_template("beheer/gebruiker.html", g=g, user=user, fouten=fouten, overnames=overnames,
                           geschiedenis=_geschiedenis(user) if user else [], **_keuzes())  # fmt: skip
    return html, status


def _geschiedenis(user: User) -> list[AuditEntry]:
    query = sa.select(AuditEntry).where(AuditEntry.object_type == "gebruiker", AuditEntry.object_id == user.id)
    return list(db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(GESCHIEDENIS)))


def _te_bevestigen(g: Gegevens, user: User | None) -> list[use_cases.Overname]:
    """Schools taken from another SCP (or left without one) are shown first and stored only when confirmed."""
    lijst = use_cases.overnames(g.opgeschoond(), user)
    return [] if request.form.get("bevestig_overname") == "ja" else lijst


@bp.route("/gebruikers/nieuw", methods=["GET", "POST"])
@policy.roles("beheerder")
def gebruiker_nieuw():  # type: ignore[no-untyped-def]
    if request.method == "GET":
        return _formulier(Gegevens(), None, {}, [])
    g = _gegevens()
    fouten = use_cases.controleer(g.opgeschoond(), swv_id=current_user.swv_id)
    overnames = [] if fouten else _te_bevestigen(g, None)
    if fouten or overnames:
        db.session.rollback()
        return _formulier(g, None, fouten, overnames, 422)
    user = use_cases.maak_aan(g, current_user, current_user.swv_id)
    db.session.commit()
    log.info("account created user_id=%s", user.id)
    flash(f"Het account van {user.naam} is aangemaakt. Er is een activatiemail gestuurd naar {user.email}.",
          "success")
    return redirect(url_for("beheer.gebruiker", user_id=user.id))


@bp.route("/gebruikers/<int:user_id>", methods=["GET", "POST"])
@policy.roles("beheerder")
def gebruiker(user_id: int):  # type: ignore[no-untyped-def]
    user = _user_or_404(user_id)
    if request.method == "GET":
        return _formulier(_van(user), user, {}, [])
    g = _gegevens()
    fouten = use_cases.controleer(g.opgeschoond(), bestaand=user, door=current_user, swv_id=user.swv_id)
    overnames = [] if fouten else _te_bevestigen(g, user)
    if fouten or overnames:
        db.session.rollback()
        return _formulier(g, user, fouten, overnames, 422)
    wijzigingen = use_cases.wijzig(user, g, current_user)
    db.session.commit()
    log.info("account changed user_id=%s (%s fields)", user.id, len(wijzigingen))
    flash(f"De wijzigingen aan {user.naam} zijn opgeslagen." if wijzigingen else "Er was niets gewijzigd.",
          "success" if wijzigingen else "info")
    return redirect(url_for("beheer.gebruiker", user_id=user.id))


@bp.post("/gebruikers/<int:user_id>/activatie")
@policy.roles("beheerder")
def gebruiker_activatie(user_id: int) -> Response:
    user = _user_or_404(user_id)
    try:
        use_cases.stuur_activatie(user, current_user)
    except Ongeldig as fout:
        db.session.rollback()
        flash(str(fout), "error")
        return redirect(url_for("beheer.gebruiker", user_id=user.id))
    db.session.commit()
    flash(f"Er is een nieuwe activatielink gestuurd naar {user.email}; eerdere links werken niet meer.", "success")
    return redirect(url_for("beheer.gebruiker", user_id=user.id))


@bp.post("/gebruikers/<int:user_id>/tweede-factor-resetten")
@policy.roles("beheerder")
def reset_tweede_factor(user_id: int) -> Response:
    user = _user_or_404(user_id)
    totp.reset(user)
    sessions.end_all(user, "tweede factor gereset")
    audit.record(current_user, "wijzigen", "gebruiker", user.id, detail="tweede factor gereset")
    db.session.commit()
    log.info("second factor reset user_id=%s", user.id)
    flash(f"De tweede factor van {user.naam} is gereset: bij de volgende login stelt deze die opnieuw in.", "success")
    return redirect(_terug(user))


@bp.post("/gebruikers/<int:user_id>/actief")
@policy.roles("beheerder")
def wissel_actief(user_id: int) -> Response:
    user = _user_or_404(user_id)
    try:
        if user.actief:
            use_cases.schakel_uit(user, current_user)
            sessions.end_all(user, "account uitgeschakeld")
        else:
            use_cases.schakel_in(user, current_user)
    except Ongeldig as fout:
        db.session.rollback()
        flash(str(fout), "error")
        return redirect(_terug(user))
    db.session.commit()
    log.info("account %s user_id=%s", "enabled" if user.actief else "disabled", user.id)
    flash(f"Het account van {user.naam} is {'ingeschakeld' if user.actief else 'uitgeschakeld'}.", "success")
    return redirect(_terug(user))


def _terug(user: User) -> str:
    """Back to the account page, or to the list when the button was pressed there."""
    if request.form.get("terug") == "lijst":
        return url_for("beheer.gebruikers")
    return url_for("beheer.gebruiker", user_id=user.id)

