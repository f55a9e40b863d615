"""Beheer: accounts. A beheerder resets a second factor or disables an account."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from models import User, db
from web import policy
from web.auth import sessions, totp
from web.beheer import bp

log = logging.getLogger(__name__)


@bp.get("")
@policy.roles("beheerder", "scp")
def index() -> str:
    """The beheer start page: what this user may manage."""
    return render_template("beheer/index.html")


@bp.get("/gebruikers")
@policy.roles("beheerder")
def gebruikers() -> str:
    users = db.session.scalars(sa.select(User).order_by(User.naam)).all()
    return render_template("beheer/gebruikers.html", users=users)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.post("/gebruikers/<int:user_id>/tweede-factor-resetten")
@policy.roles("beheerder")
def reset_tweede_factor(user_id: int) -> Response:
    user = _user_or_404(user_id)
    totp.reset(user)
    sessions.end_all(user, "tweede factor gereset")
    db.session.commit()
    log.info("second factor reset user_id=%s", user.id)
    flash(f"De tweede factor van {user.naam} is gereset: bij de volgende login stelt deze die opnieuw in.", "success")
    return redirect(url_for("beheer.gebruikers"))


@bp.post("/gebruikers/<int:user_id>/actief")
@policy.roles("beheerder")
def wissel_actief(user_id: int) -> Response:
    user = _user_or_404(user_id)
    user.actief = not user.actief
    if not user.actief:
        sessions.end_all(user, "account uitgeschakeld")
    db.session.commit()
    log.info("account %s user_id=%s", "enabled" if user.actief else "disabled", user.id)
    flash(f"Het account van {user.naam} is {'ingeschakeld' if user.actief else 'uitgeschakeld'}.", "success")
    return redirect(url_for("beheer.gebruikers"))
