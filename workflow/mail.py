"""Mail through an outbox table: queued in the request's transaction, sent by the worker.

A rolled-back change therefore never sends its mail, and a mail is never lost when the
broker is down: the beat job picks up whatever is still queued. (The mail issue adds
retries with backoff, per-user opt-out and status-change mails on top of this.)
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from celery import shared_task
from flask import current_app

from models import OutgoingMail, db, utcnow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def queue_mail(to: str, subject: str, body: str) -> OutgoingMail:
    mail = OutgoingMail(to=to, subject=subject, body=body)
    db.session.add(mail)
    db.session.flush()
    return mail


def _message(mail: OutgoingMail, config: Any) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    return message


def _deliver(message: EmailMessage, config: Any, mail_id: int) -> None:
    if not config["MAIL_SERVER"]:  # development: a folder of .eml files instead of SMTP
        folder = Path(current_app.instance_path) / "mail"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{mail_id:06d}.eml").write_bytes(bytes(message))
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def send_queued(limit: int = 100) -> int:
    """Send queued mails, one transaction each; returns how many were sent."""
    ids = db.session.scalars(
        sa.select(OutgoingMail.id).where(OutgoingMail.status == "wachtrij").order_by(OutgoingMail.id).limit(limit)
    ).all()
    sent = 0
    for mail_id in ids:
        mail = db.session.get(OutgoingMail, mail_id, with_for_update=True)
        if mail is None or mail.status != "wachtrij":
            continue
        try:
            _deliver(_message(mail, current_app.config), current_app.config, mail.id)
            mail.status, mail.sent_at = "verzonden", utcnow()
            sent += 1
        except (OSError, smtplib.SMTPException) as exc:
            mail.attempts += 1
            mail.error = type(exc).__name__
            mail.status = "mislukt" if mail.attempts >= MAX_ATTEMPTS else "wachtrij"
            log.warning("mail %s not sent (%s), attempt %s", mail.id, type(exc).__name__, mail.attempts)
        db.session.commit()
    return sent


@shared_task(ignore_result=True)
def send_queued_mail() -> int:
    return send_queued()
