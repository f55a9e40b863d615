"""Login/logout with Flask-Login; CSRF on every form via Flask-WTF."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from models import User, db
from web import policy
from web.auth import sessions
from web.extensions import login_manager
from web.ui import safe_path

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.actief or not sessions.valid_for(user):
        return None
    return user


@bp.route("/login", methods=["GET", "POST"])
@policy.public
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("taken.inbox"))
    error = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        user = db.session.scalar(sa.select(User).where(sa.func.lower(User.username) == username.lower()))
        if user is not None and user.actief and user.check_password(request.form.get("password", "")):
            sessions.start(user)  # a fresh session id at every login
            login_user(user)
            db.session.commit()
            log.info("login ok user_id=%s", user.id)
            return redirect(safe_path(request.args.get("next"), url_for("taken.inbox")))
        log.warning("login failed")
        error = "Onjuiste gebruikersnaam of wachtwoord."
    return render_template("auth/login.html", error=error), 200 if not error else 401  # type: ignore[return-value]


@bp.post("/logout")
@policy.login_step
def logout() -> Response:
    row = sessions.current()
    if row is not None:
        sessions.end(row, "uitgelogd")
        db.session.commit()
    logout_user()
    session.clear()
    flash("U bent uitgelogd.", "info")
    return redirect(url_for("auth.login"))
