"""Account activation: a new user follows the link from the mail and chooses a first password.

The second factor follows at the first login (``/login/inschrijven``, as for any account
without one). A spent, replaced or expired link says so in Dutch and lets the user ask the
beheerder for a new one (the beheerder resends it from the account page).
"""

from __future__ import annotations

import logging

from flask import current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from models import User, db
from web import policy
from web.auth.passwords import password_problem
from web.auth.views import bp
from web.extensions import limiter
from workflow import gebruikers as use_cases

log = logging.getLogger(__name__)


def _per_adres() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_ADDRESS"])


@bp.route("/activeren/<token>", methods=["GET", "POST"])
@policy.public
@limiter.limit(_per_adres, methods=["POST"])
def activeren(token: str) -> str | Response | tuple[str, int]:
    row = use_cases.activatie(token)
    if row is None or not use_cases.bruikbaar(row):
        return _ongeldig(token, row is not None)
    user = db.session.get(User, row.user_id)
    assert user is not None
    error = ""
    if request.method == "POST":
        nieuw, herhaal = request.form.get("nieuw", ""), request.form.get("herhaal", "")
        error = "De twee wachtwoorden zijn niet gelijk." if nieuw != herhaal else (
            password_problem(nieuw, user.username, user.email) or "")  # fmt: skip
        if not error:
            use_cases.activeer(row, nieuw)
            db.session.commit()
            log.info("account activated user_id=%s", user.id)
            flash(f"Uw account is geactiveerd. Log in met gebruikersnaam {user.username} en uw nieuwe wachtwoord; "
                  "daarna stelt u de tweede factor in met een app op uw telefoon.", "success")  # fmt: skip
            return redirect(url_for("auth.login"))
    html = render_template("auth/activeren.html", user=user, error=error)
    return (html, 422) if error else html


def _ongeldig(token: str, bekend: bool) -> tuple[str, int]:
    return render_template("auth/activeren_ongeldig.html", token=token, bekend=bekend), 404


@bp.post("/activeren/<token>/nieuwe-link")
@policy.public
@limiter.limit(_per_adres)
def activeren_nieuwe_link(token: str) -> str | tuple[str, int]:
    """Ask the beheerder for a new link; the answer is the same whether or not anyone was mailed."""
    row = use_cases.activatie(token)
    if row is not None and not use_cases.bruikbaar(row) and use_cases.vraag_nieuwe_link(row):
        db.session.commit()
        log.info("new activation link requested user_id=%s", row.user_id)
    return render_template("auth/activeren_gevraagd.html")
