"""Who gets which mail: status changes, new tasks, the daily task overview, and helpers for the rest.

Every mail is rendered from ``web/templates/mail/<naam>.txt`` (and ``.html`` when present)
and queued in the outbox in the transaction of the change it reports. Rules (S18, domain §4, §9):
a mail names the hulpvraag by number, title and status and links to it; it never carries a
pupil's name, birth date or other dossier data, nor any text typed by staff (a reason can hold
health data: it is read after logging in). *Dossier incompleet* names what is missing only from
the form's fixed list. Links are built from ``BASE_URL``, never from the request's Host header.
Nobody is mailed about a hulpvraag they may not see (Voorlopige aanmelding stays with the school).
"""

from __future__ import annotations

import logging
import re
import secrets
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from celery import shared_task
from flask import current_app

from models import Hulpvraag, HumanTask, PasswordReset, Rol, Statuswijziging, User, db, utcnow
from models.auth_token import token_hash
from models.overlegronde import Overlegronde
from workflow.access import may_see_hulpvraag, task_candidates, task_filter
from workflow.engine.runtime import human_task_properties, task_form
from workflow.mail import queue_mail
from workflow.outbox import na_commit
from workflow.signals import status_gewijzigd, taak_aangemaakt

INCOMPLEET = "Dossier incompleet"
log = logging.getLogger(__name__)


# --- rendering --------------------------------------------------------------------------
def link(endpoint: str, **values: Any) -> str:
    """An absolute link from the configured BASE_URL (a spoofed Host header cannot change it)."""
    path = current_app.url_map.bind("kansrijk.invalid").build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path


def render(naam: str, **context: Any) -> tuple[str, str | None]:
    """The plain-text body and, when a template exists, the HTML body of mail ``naam``."""
    env = current_app.jinja_env
    text = env.get_template(f"mail/{naam}.txt").render(**context)
    html_name = f"mail/{naam}.html"
    html = env.get_template(html_name).render(**context) if html_name in env.list_templates() else None
    return text, html


def stuur(naam: str, ontvanger: str, onderwerp: str, *, sleutel: str, user: User | None = None,
          hulpvraag_id: int | None = None, **context: Any) -> None:  # fmt: skip
    """Render mail ``naam`` and queue it for one address (once per ``sleutel``)."""
    text, html = render(naam, ontvanger=user, **context)
    queue_mail(ontvanger, onderwerp, text, html=html, sleutel=sleutel, soort=naam,
               user_id=user.id if user else None, hulpvraag_id=hulpvraag_id)  # fmt: skip


def zonder_leerling(tekst: str, hulpvraag: Hulpvraag) -> str:
    """Engine text (an incident's message) with the pupil's name and birth date replaced.

    Mails carry no staff text at all; this is for the procesbeheerder's incident views. The whole
    name first, then roepnaam and achternaam, never a tussenvoegsel alone ("de", "van" are words).
    """
    dossier = hulpvraag.dossier
    achternaam = " ".join(w for w in (dossier.tussenvoegsel, dossier.achternaam) if w and w.strip())
    for woord in (" ".join(w for w in (dossier.roepnaam, achternaam) if w), achternaam, dossier.roepnaam,
                  dossier.achternaam):  # fmt: skip
        if woord and len(woord.strip()) >= 2:
            tekst = re.sub(rf"(?i)\b{re.escape(woord.strip())}\b", "[leerling]", tekst)
    if dossier.geboortedatum:
        d = dossier.geboortedatum
        for vorm in {f"{d:%d-%m-%Y}", f"{d.day}-{d.month}-{d.year}", f"{d:%Y-%m-%d}", f"{d:%d/%m/%Y}"}:
            tekst = tekst.replace(vorm, "[geboortedatum]")
    return tekst


# --- who follows a hulpvraag ------------------------------------------------------------------
def volgers(hulpvraag: Hulpvraag) -> list[tuple[str, User | None]]:
    """The aanvrager and the contactpersoon (when another address), minus those who opted out."""
    result: list[tuple[str, User | None]] = []
    aanvrager = hulpvraag.aanvrager
    if aanvrager is not None and aanvrager.email:
        result.append((aanvrager.email, aanvrager))
    contact = (hulpvraag.contactpersoon_email or "").strip()
    if contact and all(contact.lower() != email.lower() for email, _ in result):
        account = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == contact.lower()).limit(1))
        result.append((contact, account))
    return [(email, user) for email, user in result if _wil_statusmail(user, hulpvraag)]


def _wil_statusmail(user: User | None, hulpvraag: Hulpvraag) -> bool:
    if user is None:  # a contactpersoon without an account cannot switch mails off
        return True
    return user.actief and user.mail_bij_status and may_see_hulpvraag(user, hulpvraag.id)


# --- status changes --------------------------------------------------------------------------
@status_gewijzigd.connect
def _bij_statuswijziging(hulpvraag: Hulpvraag, change: Statuswijziging) -> None:
    if change.van is None:  # the first status is set when the school creates it: nothing changed
        return
    db.session.flush()  # the change's id is part of each mail's idempotency key
    incompleet = change.naar.startswith(INCOMPLEET)
    naam = "dossier_incompleet" if incompleet else "statuswijziging"
    ontbreekt = ontbrekende_stukken(hulpvraag) if incompleet else []
    onderwerp = f"Hulpvraag {hulpvraag.aanvraagnummer}: {change.naar}"
    for email, user in volgers(hulpvraag):
        stuur(naam, email, onderwerp, sleutel=f"status-{change.id}-{email.lower()}", user=user,
              hulpvraag_id=hulpvraag.id, h=hulpvraag, status=change.naar, van=change.van, ontbreekt=ontbreekt,
              link=link("hulpvragen.show", hulpvraag_id=hulpvraag.id))  # fmt: skip


def ontbrekende_stukken(hulpvraag: Hulpvraag) -> list[str]:
    """What the last completed task says is missing, as the titles of its form's fixed choices.

    Only a value the form offers as a choice is named; a free-text answer never reaches a mail.
    """
    query = sa.select(HumanTask).where(HumanTask.hulpvraag_id == hulpvraag.id, HumanTask.completed_at.is_not(None))
    task = db.session.scalars(query.order_by(HumanTask.completed_at.desc(), HumanTask.id.desc()).limit(1)).first()
    if task is None or not task.antwoorden or not task.form:
        return []
    keuzes = task_form(task).properties.get("ontbreekt", {}).get("oneOf") or []
    titels = {k.get("const"): str(k.get("title") or k.get("const")) for k in keuzes if isinstance(k, dict)}
    waarde = task.antwoorden.get("ontbreekt")
    gekozen = waarde if isinstance(waarde, list) else [waarde]
    return [titels[v] for v in gekozen if isinstance(v, str) and v in titels]


# --- new tasks --------------------------------------------------------------------------------
@taak_aangemaakt.connect
def _bij_nieuwe_taak(task: HumanTask, door: User | None = None) -> None:
    """Mail a new task to whoever must do it, when that is a person to tell.

    Tasks assigned to one user (a gemachtigde directeur, the SCP to inform) and tasks of SWV
    roles are mailed to their candidates. A school-lane task is mailed to the hulpvraag's
    followers only when the diagram asks for it (property ``mailSchool="ja"``, e.g. the TLV
    verlenging reminder); the intake's own school tasks are already announced by status mails.
    """
    if task.hulpvraag is None:
        return
    if task.assigned_user_id is None and task.rol in (Rol.AANVRAGER, Rol.DIRECTEUR):
        if human_task_properties(task).get("mailSchool") == "ja":
            _taak_aan_school(task)
        return
    for user in task_candidates(task):
        if user.taken_mail != "direct" or (door is not None and user.id == door.id) or not user.email:
            continue
        if not may_see_hulpvraag(user, task.hulpvraag.id):
            continue
        stuur("nieuwe_taak", user.email, f"Nieuwe taak: {task.titel} (hulpvraag {task.hulpvraag.aanvraagnummer})",
              sleutel=f"taak-{task.id}-{user.id}", user=user, hulpvraag_id=task.hulpvraag_id, taak=task,
              h=task.hulpvraag, link=link("taken.show", task_id=task.id))  # fmt: skip


def _taak_aan_school(task: HumanTask) -> None:
    h = task.hulpvraag
    assert h is not None
    for email, user in volgers(h):
        stuur("taak_school", email, f"Hulpvraag {h.aanvraagnummer}: {task.titel}",
              sleutel=f"taak-{task.id}-{email.lower()}", user=user, hulpvraag_id=h.id, taak=task, h=h,
              link=link("taken.show", task_id=task.id))  # fmt: skip


# --- the daily overview -------------------------------------------------------------------------
def open_taken_van(user: User) -> list[HumanTask]:
    query = sa.select(HumanTask).where(HumanTask.completed_at.is_(None), task_filter(user))
    return list(db.session.scalars(query.order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id)))


def stuur_dagoverzichten(dag: date | None = None) -> int:
    """One overview per user who chose 'dagelijks' and has open tasks; at most once a day each."""
    dag = dag or utcnow().date()
    users = db.session.scalars(sa.select(User).where(User.taken_mail == "dagelijks", User.actief.is_(True))).all()
    sent = 0
    for user in users:
        taken = [t for t in open_taken_van(user) if t.hulpvraag is None or may_see_hulpvraag(user, t.hulpvraag.id)]
        if taken and user.email:
            per_hulpvraag: dict[str, list[HumanTask]] = defaultdict(list)
            for taak in taken:
                per_hulpvraag[(taak.hulpvraag.aanvraagnummer if taak.hulpvraag else None) or "-"].append(taak)
            stuur("dagoverzicht", user.email, f"Uw open taken in Kansrijk ({len(taken)})",
                  sleutel=f"dagoverzicht-{user.id}-{dag.isoformat()}", user=user, per_hulpvraag=dict(per_hulpvraag),
                  aantal=len(taken), dag=dag, link=link("taken.inbox"))  # fmt: skip
            sent += 1
    db.session.commit()
    return sent


@shared_task(ignore_result=True)
def send_dagoverzichten() -> int:
    return stuur_dagoverzichten()


# --- password reset ------------------------------------------------------------------------------
def herstellinks_aanvragen(identifier: str) -> None:
    """Send reset links for ``identifier`` in the background, after the request's commit.

    The request itself then does the same work whether or not the account exists (its answer
    time tells nothing); with CELERY_ALWAYS_EAGER (tests) the links are made here and now.
    """
    if current_app.config["CELERY_ALWAYS_EAGER"]:
        stuur_herstellinks(identifier)
    else:
        na_commit(db.session, herstellinks_versturen, identifier)


def stuur_herstellinks(identifier: str) -> int:
    """A reset link to every active account whose username or e-mail address is ``identifier`` (flushed)."""
    users = db.session.scalars(
        sa.select(User).where(
            User.actief.is_(True),
            sa.or_(sa.func.lower(User.username) == identifier, sa.func.lower(User.email) == identifier),
        )
    ).all()
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    for user in users:
        token = secrets.token_urlsafe(32)
        verloopt = utcnow() + timedelta(hours=hours)
        reset = PasswordReset(user_id=user.id, token_hash=token_hash(token), expires_at=verloopt)
        db.session.add(reset)
        db.session.flush()
        stuur("wachtwoord_herstellen", user.email, "Kansrijk: wachtwoord herstellen", sleutel=f"wachtwoord-{reset.id}",
              user=user, uren=hours, link=link("auth.wachtwoord_herstellen", token=token))  # fmt: skip
    log.info("password reset requested (%s accounts)", len(users))
    return len(users)


@shared_task(ignore_result=True)
def herstellinks_versturen(identifier: str) -> int:
    sent = stuur_herstellinks(identifier)
    db.session.commit()
    return sent


# --- overlegronde -------------------------------------------------------------------------------
def overlegronde_uitnodigingen(ronde: Overlegronde, uitnodigingen: list[Any], uren: int) -> None:
    """Invite each deelnemer; a new extern account gets its activation link and the 2FA steps."""
    for u in uitnodigingen:
        activatie = link("auth.wachtwoord_herstellen", token=u.token) if u.token else None
        stuur("overlegronde_uitnodiging", u.user.email, "Kansrijk: u bent uitgenodigd voor een overlegronde",
              sleutel=f"overlegronde-{ronde.id}-uitnodiging-{u.user.id}", user=u.user, hulpvraag_id=ronde.hulpvraag_id,
              activatie=activatie, uren=uren, dagen=uren // 24, deadline=ronde.deadline,
              link=link("overlegronde.show", overlegronde_id=ronde.id))  # fmt: skip


def overlegronde_deadline_gewijzigd(ronde: Overlegronde) -> None:
    """Every deelnemer hears the new deadline (their access ends then)."""
    stempel = f"{ronde.deadline:%Y%m%d%H%M}"
    for deelnemer in ronde.deelnemers:
        user = deelnemer.user
        if user is None or not user.actief or not user.email:
            continue
        stuur("overlegronde_deadline", user.email, "Kansrijk: de deadline van een overlegronde is gewijzigd",
              sleutel=f"overlegronde-{ronde.id}-deadline-{stempel}-{user.id}", user=user,
              hulpvraag_id=ronde.hulpvraag_id, deadline=ronde.deadline,
              link=link("overlegronde.show", overlegronde_id=ronde.id))  # fmt: skip
