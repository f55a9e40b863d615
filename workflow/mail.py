"""Mail through an outbox: queued in the change's own transaction, delivered once by the worker.

- ``queue_mail`` writes an ``OutgoingMail`` row; a rolled-back change therefore sends nothing.
  After the commit one Celery task is published per row (``workflow.outbox.na_commit``).
- ``deliver`` claims the row with a lease (so a duplicate task, the sweep and a message
  redelivered after a killed worker never send it at the same time) and hands it to SMTP.
  The row is marked ``verzonden`` *before* the final "." of the SMTP DATA command: a worker
  killed before that commit leaves no complete mail at the server and the row is sent again;
  one killed after it has already told the server everything. The window in which a kill
  can still lose or double a mail is a single socket write.
- ``sweep`` (beat, every ``CELERY_MAIL_INTERVAL``) re-publishes rows nobody picked up (the
  broker was down at commit time), retries whose backoff has passed, and leases that expired.
- SMTP errors are retried with exponential backoff and jitter, then the row is ``mislukt``;
  a beheerder sees it at /beheer/mail and can send it again.
- Without ``MAIL_SERVER`` (development) a mail is written to ``instance/mail/<id>.eml``.
"""

from __future__ import annotations

import hashlib
import logging
import re
import smtplib
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from celery import shared_task
from flask import current_app

from models import OutgoingMail, db, utcnow
from workflow.outbox import na_commit, volgende_poging

log = logging.getLogger(__name__)

SMTP_FOUTEN = (OSError, smtplib.SMTPException)
# Mails carrying a personal one-time link (password reset, account activation): a beheerder
# sees that they were sent, never their body.
GEHEIME_SOORTEN = frozenset({"wachtwoord_herstellen", "overlegronde_uitnodiging", "account_activeren"})


# --- queueing ------------------------------------------------------------------------------
def queue_mail(
    to: str,
    subject: str,
    body: str,
    *,
    html: str | None = None,
    sleutel: str | None = None,
    soort: str = "algemeen",
    user_id: int | None = None,
    hulpvraag_id: int | None = None,
) -> OutgoingMail:
    """Queue one mail in the current transaction; the same ``sleutel`` twice queues it once."""
    if sleutel is not None:
        bestaand = db.session.scalar(sa.select(OutgoingMail).where(OutgoingMail.sleutel == sleutel))
        if bestaand is not None:
            return bestaand
    mail = OutgoingMail(
        to=to, subject=subject[:200], body=body, html=html, sleutel=sleutel or f"mail-{uuid.uuid4().hex}",
        soort=soort, user_id=user_id, hulpvraag_id=hulpvraag_id, status="wachtrij", attempts=0,
        volgende_poging_op=_niet_vegen_tot(),
    )  # fmt: skip
    db.session.add(mail)
    _publiceer(mail)
    return mail


def opnieuw_versturen(mail: OutgoingMail) -> None:
    """A beheerder's resend of a failed mail: a fresh set of attempts (flushed, published after commit)."""
    mail.status, mail.attempts, mail.error, mail.lease_tot = "wachtrij", 0, None, None
    mail.volgende_poging_op = _niet_vegen_tot()
    _publiceer(mail)


def _publiceer(mail: OutgoingMail) -> None:
    """Flush, and hand the row to a worker once the transaction commits."""
    db.session.flush()
    if not current_app.config["CELERY_ALWAYS_EAGER"]:  # eager (tests): send_queued() delivers instead
        na_commit(db.session, deliver_mail, mail.id)


def _niet_vegen_tot() -> datetime:
    """A freshly published row is left to its task for a while before the sweep publishes it again."""
    return utcnow() + timedelta(seconds=current_app.config["MAIL_SWEEP_GRACE"])


# --- delivering ----------------------------------------------------------------------------
def deliver(mail_id: int) -> bool:
    """Send one queued mail if nobody else is; True when this call handed it over."""
    lease = _claim(mail_id)
    if lease is None:
        return False
    mail = db.session.get(OutgoingMail, mail_id)
    assert mail is not None
    message, config = _message(mail, current_app.config), current_app.config
    db.session.rollback()  # no transaction stays open while SMTP talks
    # The 'verzonden' write goes through a connection taken beforehand and a prepared statement:
    # between that commit and the final '.' a killed worker loses the mail, so keep it short.
    with db.engine.connect() as connection:
        try:
            _deliver(message, config, mail_id, lambda: _mark_sent(connection, mail_id, lease))
        except SMTP_FOUTEN as exc:
            _mark_failed(mail_id, lease, exc)
            return False
        except _LeaseLost:
            return False
    return True


class _LeaseLost(Exception):
    """Another worker took the row over after our lease expired: we must not finish the send."""


def _claim(mail_id: int) -> datetime | None:
    """Atomically take the row for sending; the lease end doubles as the claim's token."""
    now = utcnow()
    lease = now + timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    t = OutgoingMail.__table__
    vrij = sa.or_(
        sa.and_(t.c.status == "wachtrij", sa.or_(t.c.attempts == 0, t.c.volgende_poging_op <= now)),
        sa.and_(t.c.status == "verzenden", t.c.lease_tot < now),
    )
    result = db.session.execute(
        sa.update(t).where(t.c.id == mail_id, vrij).values(status="verzenden", lease_tot=lease)
    )
    db.session.commit()
    return lease if result.rowcount == 1 else None  # type: ignore[attr-defined]


def _mark_sent(connection: sa.Connection, mail_id: int, lease: datetime) -> None:
    t = OutgoingMail.__table__
    with connection.begin():
        result = connection.execute(
            sa.update(t)
            .where(t.c.id == mail_id, t.c.status == "verzenden", t.c.lease_tot == lease)
            .values(status="verzonden", sent_at=utcnow(), lease_tot=None, error=None)
        )
    if result.rowcount != 1:
        raise _LeaseLost


def _mark_failed(mail_id: int, lease: datetime, exc: BaseException) -> None:
    """Back to the queue with backoff, or ``mislukt`` after the last attempt (also after a late 5xx)."""
    mail = db.session.get(OutgoingMail, mail_id, with_for_update=True)
    if mail is None or mail.status not in ("verzenden", "verzonden") or (mail.lease_tot not in (lease, None)):
        db.session.rollback()
        return
    config = current_app.config
    mail.attempts += 1
    mail.error = f"{type(exc).__name__}: {str(exc)[:200]}"
    mail.lease_tot, mail.sent_at = None, None
    if mail.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        mail.status, mail.volgende_poging_op = "mislukt", None
    else:
        mail.status = "wachtrij"
        mail.volgende_poging_op = volgende_poging(mail.attempts, basis=config["MAIL_RETRY_BASE_SECONDS"])
    db.session.commit()
    log.warning("mail %s not sent (%s), attempt %s, now %s", mail_id, type(exc).__name__, mail.attempts, mail.status)


def _message(mail: OutgoingMail, config: Any) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = message_id(mail, config["MAIL_MESSAGE_ID_DOMAIN"])
    message["X-Kansrijk-Sleutel"] = mail.sleutel
    message.set_content(mail.body)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    return message


def message_id(mail: OutgoingMail, domain: str) -> str:
    """The same Message-ID on every attempt, so a receiver can recognise a redelivered mail."""
    return f"<kansrijk.{mail.id}.{hashlib.sha256(mail.sleutel.encode()).hexdigest()[:20]}@{domain}>"


def _deliver(message: EmailMessage, config: Any, mail_id: int, mark_sent: Callable[[], None]) -> None:
    if not config["MAIL_SERVER"]:  # development: a folder of .eml files instead of SMTP
        folder = Path(current_app.instance_path) / "mail"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{mail_id:06d}.eml").write_bytes(bytes(message))  # same name on a retry: never two files
        mark_sent()
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT_SECONDS"]) as smtp:
        if smtp.sock is not None:  # the final "." is a small write of its own: without this it waits
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # ~40 ms for a delayed ACK
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        _send_committing_before_end(smtp, message, mark_sent)


def _send_committing_before_end(smtp: smtplib.SMTP, message: EmailMessage, mark_sent: Callable[[], None]) -> None:
    """smtplib's sendmail, except that ``mark_sent`` runs between the content and the final '.'."""
    smtp.ehlo_or_helo_if_needed()
    sender, recipient = _address(message["From"]), _address(message["To"])
    code, reply = smtp.mail(sender)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = smtp.rcpt(recipient)
    if code not in (250, 251):
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    smtp.putcmd("data")
    code, reply = smtp.getreply()
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    smtp.send(_dot_stuffed(message.as_bytes(policy=SMTP_POLICY)))
    mark_sent()  # from here on the row says verzonden; the next write completes the mail
    smtp.send(b".\r\n")
    code, reply = smtp.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)


def _dot_stuffed(data: bytes) -> bytes:
    data = re.sub(rb"(?m)^\.", b"..", re.sub(rb"\r\n|\r|\n", b"\r\n", data))
    return data if data.endswith(b"\r\n") else data + b"\r\n"


def _address(header: str) -> str:
    return parseaddr(header)[1]


# --- sweeping -----------------------------------------------------------------------------
def due_ids(limit: int = 500, *, ook_nieuwe: bool = False) -> list[int]:
    """Rows that need a (new) task: never picked up, backoff passed, or lease expired.

    ``ook_nieuwe`` includes fresh rows whose own task may still come (for delivering in-process).
    """
    now, t = utcnow(), OutgoingMail.__table__
    klaar = sa.or_(t.c.volgende_poging_op.is_(None), t.c.volgende_poging_op <= now)
    if ook_nieuwe:
        klaar = sa.or_(klaar, t.c.attempts == 0)
    query = sa.select(t.c.id).where(
        sa.or_(sa.and_(t.c.status == "wachtrij", klaar), sa.and_(t.c.status == "verzenden", t.c.lease_tot < now))
    )
    return list(db.session.scalars(query.order_by(t.c.id).limit(limit)))


def sweep() -> int:
    """Publish a delivery task for every due row; returns how many were published."""
    ids = due_ids()
    if not ids:
        return 0
    t = OutgoingMail.__table__
    until = utcnow() + timedelta(seconds=current_app.config["MAIL_SWEEP_GRACE"])
    nieuw = sa.and_(t.c.id.in_(ids), t.c.status == "wachtrij", t.c.attempts == 0)
    db.session.execute(sa.update(t).where(nieuw).values(volgende_poging_op=until))
    db.session.commit()
    published = 0
    for mail_id in ids:
        try:
            deliver_mail.apply_async((mail_id,), retry=False)
            published += 1
        except Exception as exc:  # broker still down: the next sweep tries again
            log.warning("mail sweep: broker unreachable (%s)", type(exc).__name__)
            break
    return published


def send_queued(limit: int = 500) -> int:
    """Deliver every due row in this process (tests, the CLI, eager mode); returns how many were sent."""
    return sum(1 for mail_id in due_ids(limit, ook_nieuwe=True) if deliver(mail_id))


@shared_task(ignore_result=True)
def deliver_mail(mail_id: int) -> bool:
    return deliver(mail_id)


@shared_task(ignore_result=True)
def sweep_mail() -> int:
    if current_app.config["CELERY_ALWAYS_EAGER"]:
        return send_queued()
    return sweep()
