"""Login in two steps (password, then TOTP), enrolment, logout, password reset and change."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from models import PasswordReset, User, db, utcnow
from models.auth_token import token_hash
from models.user import TAKEN_MAIL
from web import policy
from web.auth import passwords, sessions, totp, vertraging
from web.auth.passwords import password_problem
from web.extensions import limiter, login_manager
from web.ui import safe_path
from workflow.meldingen import herstellinks_aanvragen

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)
FOUT = "Onjuiste gebruikersnaam of wachtwoord."


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.actief or not sessions.valid_for(user):
        return None
    return user


def _account_key() -> str:
    return "account:" + request.form.get("username", "").strip().lower()[:200]


def _user_key() -> str:
    return f"user:{session.get('_user_id', '-')}"


def _limit(name: str):  # type: ignore[no-untyped-def]
    return lambda: current_app.config[name]


def _failed(response: Response) -> bool:
    """The per-address limit counts failed attempts only (a school behind one address logs in all day)."""
    return response.status_code in (401, 422)


def _wait_page(template: str, seconds: int) -> tuple[str, int, dict[str, str]]:
    """429 with the Dutch wait time and Retry-After; nothing was checked."""
    message = f"Te veel mislukte pogingen voor dit account. {vertraging.tekst(seconds)}"
    return render_template(template, error=message), 429, {"Retry-After": str(seconds)}


def _refused(template: str, sleutel: str, message: str, **context: object) -> tuple[str, int, dict[str, str]]:
    """A wrong password or code: counted; the message says when the next try is checked, if it must wait."""
    seconds = vertraging.mislukt(sleutel)
    db.session.commit()
    if seconds:
        message = f"{message} {vertraging.tekst(seconds)}"
        return render_template(template, error=message, **context), 401, {"Retry-After": str(seconds)}
    return render_template(template, error=message, **context), 401, {}


def _after_login() -> Response:
    target = session.pop("na_login", None)
    return redirect(safe_path(target, url_for("taken.inbox")))


@bp.route("/login", methods=["GET", "POST"])
@policy.public
@limiter.limit(_limit("LOGIN_LIMIT_PER_ADDRESS"), methods=["POST"], deduct_when=_failed)
def login() -> str | Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    if current_user.is_authenticated and sessions.second_factor_done():
        return redirect(url_for("taken.inbox"))
    if request.method == "GET":
        return render_template("auth/login.html", error="")
    if seconds := vertraging.wachttijd(_account_key()):
        log.warning("login refused (waiting after failures) from %s", request.remote_addr)
        return _wait_page("auth/login.html", seconds)
    username = request.form.get("username", "").strip()
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.username) == username.lower()))
    if not passwords.check(user, request.form.get("password", "")):
        log.warning("login failed (password) from %s", request.remote_addr)
        return _refused("auth/login.html", _account_key(), FOUT)
    assert user is not None
    vertraging.gelukt(_account_key())
    next_page = safe_path(request.args.get("next"), "") or None
    sessions.start(user)  # a fresh session id at every login
    session["na_login"] = next_page
    login_user(user)
    db.session.commit()
    log.info("login password ok user_id=%s", user.id)
    if sessions.second_factor_done():
        return _after_login()
    return redirect(url_for("auth.code" if user.totp_secret else "auth.inschrijven"))


@bp.route("/login/code", methods=["GET", "POST"])
@policy.login_step
@limiter.limit(_limit("LOGIN_LIMIT_PER_ADDRESS"), methods=["POST"], deduct_when=_failed)
def code() -> str | Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    if not current_user.totp_secret:
        return redirect(url_for("auth.inschrijven"))
    if request.method == "GET":
        return render_template("auth/code.html", error="")
    if seconds := vertraging.wachttijd(_user_key()):
        return _wait_page("auth/code.html", seconds)
    entered = request.form.get("code", "").strip()
    result = totp.verify(current_user, entered) if "-" not in entered else "fout"
    if result != "ok" and "-" in entered and totp.use_recovery_code(current_user, entered):
        result = "ok"
        flash("U heeft een herstelcode gebruikt; die werkt nu niet meer.", "info")
    if result != "ok":
        log.warning("second factor refused (%s) user_id=%s", result, current_user.id)
        message = (
            "Deze code is al gebruikt. Wacht op de volgende code." if result == "hergebruikt" else "Onjuiste code."
        )
        return _refused("auth/code.html", _user_key(), message)
    vertraging.gelukt(_user_key())
    sessions.mark_second_factor()
    db.session.commit()
    log.info("second factor ok user_id=%s", current_user.id)
    return _after_login()


@bp.route("/login/inschrijven", methods=["GET", "POST"])
@policy.login_step
@limiter.limit(_limit("LOGIN_LIMIT_PER_ADDRESS"), methods=["POST"], deduct_when=_failed)
def inschrijven() -> str | Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    if current_user.totp_secret:
        return redirect(url_for("auth.code"))
    row = sessions.current()
    assert row is not None  # load_user guarantees a live session
    if not row.totp_pending:
        row.totp_pending = totp.new_secret()
        db.session.commit()
    secret = row.totp_pending
    page = {"qr": totp.qr_svg_data_uri(current_user, secret), "secret": secret}
    if request.method == "POST" and (seconds := vertraging.wachttijd(_user_key())):
        message = f"Te veel mislukte pogingen voor dit account. {vertraging.tekst(seconds)}"
        return render_template("auth/inschrijven.html", error=message, **page), 429, {"Retry-After": str(seconds)}
    if request.method == "POST":
        step = totp.matching_step(secret, request.form.get("code", ""))
        if step is not None:
            vertraging.gelukt(_user_key())
            current_user.totp_secret, current_user.totp_last_step = secret, step
            row.totp_pending = None
            codes = totp.new_recovery_codes(current_user)
            sessions.mark_second_factor()
            db.session.commit()
            log.info("second factor enrolled user_id=%s", current_user.id)
            return render_template("auth/herstelcodes.html", codes=codes)
        log.warning("enrolment code refused user_id=%s", current_user.id)
        error = "Onjuiste code. Controleer de tijd op uw telefoon en probeer het opnieuw."
        return _refused("auth/inschrijven.html", _user_key(), error, **page)
    return render_template("auth/inschrijven.html", error="", **page)


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


# --- password reset --------------------------------------------------------------------
@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@policy.public
@limiter.limit(_limit("LOGIN_LIMIT_PER_ADDRESS"), methods=["POST"])
def wachtwoord_vergeten() -> str:
    if request.method == "POST":
        identifier = request.form.get("identifier", "").strip().lower()[:200]
        if identifier:
            _send_reset(identifier)
            db.session.commit()
        flash("Als dit account bestaat, is er een e-mail met een herstellink verstuurd. De link werkt één uur.", "info")
    return render_template("auth/wachtwoord_vergeten.html")


def _send_reset(identifier: str) -> None:
    """Username or e-mail address in one field; the answer never tells which accounts exist.

    The links are made in the background (workflow/meldingen.py), so the request does the same
    work for an unknown identifier as for a known one. At most LOGIN_DELAY_AFTER_FAILURES
    requests per identifier before the delay applies (no mail bombing).
    """
    sleutel = f"herstel:{identifier}"
    if vertraging.wachttijd(sleutel):
        log.info("password reset not sent (too many requests)")
        return
    vertraging.mislukt(sleutel)  # every request counts: the same write for known and unknown
    herstellinks_aanvragen(identifier)


def _valid_reset(token: str) -> PasswordReset | None:
    row = db.session.scalar(sa.select(PasswordReset).where(PasswordReset.token_hash == token_hash(token)))
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        return None
    return row


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
@policy.public
@limiter.limit(_limit("LOGIN_LIMIT_PER_ADDRESS"), methods=["POST"])
def wachtwoord_herstellen(token: str) -> str | Response | tuple[str, int]:
    reset = _valid_reset(token)
    if reset is None:
        return render_template("auth/herstellen_ongeldig.html"), 404
    user = db.session.get(User, reset.user_id)
    assert user is not None
    error = ""
    if request.method == "POST":
        error = _new_password_error(user)
        if not error:
            reset.used_at = utcnow()
            _set_password(user, keep=None)
            db.session.commit()
            flash("Uw wachtwoord is gewijzigd. Log in met uw nieuwe wachtwoord.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/wachtwoord_nieuw.html", error=error, met_huidig=False), 422 if error else 200


def _new_password_error(user: User) -> str:
    new, repeat = request.form.get("nieuw", ""), request.form.get("herhaal", "")
    if new != repeat:
        return "De twee wachtwoorden zijn niet gelijk."
    return password_problem(new, user.username, user.email) or ""


def _set_password(user: User, keep: sessions.LoginSession | None) -> None:
    """A new password ends the user's other sessions and every reset link still open."""
    user.set_password(request.form["nieuw"])
    user.password_changed_at = now = utcnow()
    ended = sessions.end_all(user, "wachtwoord gewijzigd", keep=keep)
    open_links = sa.update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
    db.session.execute(open_links.values(used_at=now))
    log.info("password changed user_id=%s, %s other sessions ended", user.id, ended)


@bp.route("/account/wachtwoord", methods=["GET", "POST"])
@policy.authenticated
@limiter.limit(_limit("LOGIN_LIMIT_PER_ADDRESS"), methods=["POST"], deduct_when=_failed)
def wachtwoord_wijzigen() -> str | Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    error = ""
    if request.method == "POST":
        if seconds := vertraging.wachttijd(_user_key()):
            message = f"Te veel mislukte pogingen voor dit account. {vertraging.tekst(seconds)}"
            page = render_template("auth/wachtwoord_nieuw.html", error=message, met_huidig=True)
            return page, 429, {"Retry-After": str(seconds)}
        if not current_user.check_password(request.form.get("huidig", "")):
            error = "Uw huidige wachtwoord klopt niet."
            vertraging.mislukt(_user_key())
            db.session.commit()
        else:
            error = _new_password_error(current_user)
        if not error:
            _set_password(current_user, keep=sessions.current())
            db.session.commit()
            flash("Uw wachtwoord is gewijzigd. Uw andere sessies zijn beëindigd.", "success")
            return redirect(url_for("taken.inbox"))
    return render_template("auth/wachtwoord_nieuw.html", error=error, met_huidig=True), 422 if error else 200


@bp.route("/account/meldingen", methods=["GET", "POST"])
@policy.authenticated
def meldingen() -> str | Response | tuple[str, int]:
    """Which mails this user gets: status changes on/off, new tasks one by one, daily or not."""
    error = ""
    if request.method == "POST":
        taken_mail = request.form.get("taken_mail", "")
        if taken_mail not in TAKEN_MAIL:
            error = "Kies hoe u over nieuwe taken wilt horen."
        else:
            current_user.mail_bij_status = request.form.get("mail_bij_status") == "ja"
            current_user.taken_mail = taken_mail
            db.session.commit()
            flash("Uw e-mailinstellingen zijn opgeslagen.", "success")
            return redirect(url_for("auth.meldingen"))
    html = render_template("auth/meldingen.html", error=error, keuzes=TAKEN_MAIL)
    return (html, 422) if error else html
