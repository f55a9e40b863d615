"""Beheer: the mail outbox. In development every mail is kept here (and as .eml in instance/mail);
in production a beheerder finds the mails that failed after all retries and sends them again."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from models import Hulpvraag, OutgoingMail, School, User, db
from models.mail import STATUSSEN
from web import policy
from web.beheer import bp
from workflow import audit
from workflow.mail import GEHEIME_SOORTEN, opnieuw_versturen

PER_PAGINA = 50


def _mijn_swv() -> sa.ColumnElement[bool]:
    """Mails about this SWV's people or hulpvragen; a beheerder of another SWV never sees them."""
    van_user = sa.select(User.id).where(User.swv_id == current_user.swv_id)
    van_hulpvraag = sa.select(Hulpvraag.id).join(School, Hulpvraag.school_id == School.id).where(
        School.swv_id == current_user.swv_id
    )
    return sa.or_(OutgoingMail.user_id.in_(van_user), OutgoingMail.hulpvraag_id.in_(van_hulpvraag))


@bp.get("/mail")
@policy.roles("beheerder")
def mail() -> str:
    status = request.args.get("status", "")
    pagina = max(1, request.args.get("pagina", 1, type=int) or 1)
    query = sa.select(OutgoingMail).where(_mijn_swv())
    if status in STATUSSEN:
        query = query.where(OutgoingMail.status == status)
    totaal = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    mails = db.session.scalars(
        query.order_by(OutgoingMail.id.desc()).offset((pagina - 1) * PER_PAGINA).limit(PER_PAGINA)
    ).all()
    per_status = sa.select(OutgoingMail.status, sa.func.count()).where(_mijn_swv()).group_by(OutgoingMail.status)
    aantallen = dict(db.session.execute(per_status).tuples().all())
    return render_template(
        "beheer/mail.html", mails=mails, status=status, statussen=STATUSSEN, aantallen=aantallen,
        pagina=pagina, paginas=max(1, -(-totaal // PER_PAGINA)), totaal=totaal,
    )  # fmt: skip


def _mail_or_404(mail_id: int) -> OutgoingMail:
    mail = db.session.scalar(sa.select(OutgoingMail).where(OutgoingMail.id == mail_id, _mijn_swv()))
    if mail is None:
        abort(404)
    return mail


@bp.get("/mail/<int:mail_id>")
@policy.roles("beheerder")
def mail_bekijken(mail_id: int) -> str:
    mail = _mail_or_404(mail_id)
    return render_template("beheer/mail_bekijken.html", mail=mail, statussen=STATUSSEN,
                           geheim=mail.soort in GEHEIME_SOORTEN)  # fmt: skip


@bp.post("/mail/<int:mail_id>/opnieuw")
@policy.roles("beheerder")
def mail_opnieuw(mail_id: int) -> Response:
    mail = _mail_or_404(mail_id)
    if mail.status != "mislukt":
        flash("Alleen een mislukte e-mail kan opnieuw worden verstuurd.", "error")
        return redirect(url_for("beheer.mail_bekijken", mail_id=mail.id))
    opnieuw_versturen(mail)
    audit.record(current_user, "wijzigen", "mail", mail.id, detail=f"opnieuw versturen ({mail.soort})")
    db.session.commit()
    flash("De e-mail staat weer in de wachtrij en wordt zo verstuurd.", "success")
    return redirect(url_for("beheer.mail", status="mislukt"))
