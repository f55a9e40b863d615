"""Who is mailed when (issue 6): status changes, dossier incompleet, new tasks, the daily
overview, overlegronde, opt-out, rollback; S18 (no pupil data in any mail, links from BASE_URL)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
import sqlalchemy as sa

from models import Hulpvraag, HumanTask, OutgoingMail, User, db, utcnow
from tests.conftest import csrf_token, submit_form
from workflow import meldingen
from workflow.engine.runtime import set_status
from workflow.mail import send_queued

NIEUW = {
    "roepnaam": "Jantje", "tussenvoegsel": "van", "achternaam": "Bovenkamp", "geboortedatum": "2016-03-14",
    "geslacht": "m", "titel": "TLV -Nieuw", "omschrijving": "Leerling loopt vast in de groep.",
    "contactpersoon_naam": "Carla Contact", "contactpersoon_email": "carla@school.example",
}  # fmt: skip
GEHEIM = ("Jantje", "Bovenkamp", "14-03-2016", "2016-03-14", "vast in de groep")


def _new_hulpvraag(client, world, **extra: str) -> Hulpvraag:
    data = {**NIEUW, "school_id": str(world.scholen[0].id), **extra}
    assert submit_form(client, "/hulpvragen/nieuw", data, follow_redirects=True).status_code == 200
    return db.session.scalars(sa.select(Hulpvraag).order_by(Hulpvraag.id.desc())).first()


def _task(hulpvraag: Hulpvraag, bpmn_id: str) -> HumanTask:
    return db.session.scalars(
        sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, bpmn_id=bpmn_id, completed_at=None)
    ).one()


def _complete(client, hulpvraag: Hulpvraag, bpmn_id: str, data: dict[str, str]):
    response = submit_form(client, f"/taken/{_task(hulpvraag, bpmn_id).id}", data)
    assert response.status_code == 302, response.text
    return response


def _mails(soort: str | None = None, to: str | None = None) -> list[OutgoingMail]:
    query = sa.select(OutgoingMail).order_by(OutgoingMail.id)
    if soort:
        query = query.where(OutgoingMail.soort == soort)
    if to:
        query = query.where(OutgoingMail.to == to)
    return list(db.session.scalars(query))


def _ingediend(client, world, auth, **extra: str) -> Hulpvraag:
    auth.login("aanvrager")
    hulpvraag = _new_hulpvraag(client, world, **extra)
    _complete(client, hulpvraag, "indienen", {"ouders_geinformeerd": "ja"})
    auth.logout()
    return hulpvraag


def _assert_no_pupil_data(text: str) -> None:
    for value in GEHEIM:
        assert value.lower() not in text.lower(), f"{value!r} in a mail body"


# --- status changes -------------------------------------------------------------------------
def test_every_status_change_mails_aanvrager_and_contactpersoon(client, world, auth, app):
    hulpvraag = _ingediend(client, world, auth)
    aanvrager = world.users["aanvrager"]
    status_mails = _mails("statuswijziging")
    assert sorted(m.to for m in status_mails) == sorted([aanvrager.email, "carla@school.example"])
    mail = status_mails[0]
    assert mail.subject == f"Hulpvraag {hulpvraag.aanvraagnummer}: Aanmelding"
    assert (
        hulpvraag.aanvraagnummer in mail.body and "TLV -Nieuw" in mail.body and "Nieuwe status: Aanmelding" in mail.body
    )
    assert f"http://kansrijk.test/hulpvragen/{hulpvraag.id}" in mail.body  # BASE_URL, not the request's host
    assert mail.html and f'href="http://kansrijk.test/hulpvragen/{hulpvraag.id}"' in mail.html
    _assert_no_pupil_data(mail.body + mail.html)

    auth.login("scp")
    _complete(client, hulpvraag, "beoordelen", {"besluit": "afgewezen", "reden": "Geen TLV nodig voor Jantje"})
    afgewezen = [m for m in _mails("statuswijziging") if "Afgewezen" in m.subject]
    assert len(afgewezen) == 2
    # No text typed by staff in a mail (S18, issue 17 item 4): the reason is read after logging in.
    assert "Geen TLV nodig" not in afgewezen[0].body + (afgewezen[0].html or "")
    assert "De reden van deze wijziging leest u na het inloggen" in afgewezen[0].body
    _assert_no_pupil_data(afgewezen[0].body + (afgewezen[0].html or ""))


def test_dossier_incompleet_says_what_is_missing_and_to_use_this_hulpvraag(client, world, auth):
    hulpvraag = _ingediend(client, world, auth)
    auth.login("scp")
    _complete(client, hulpvraag, "beoordelen",
              {"besluit": "dossier_incompleet", "ontbreekt": "Groepsplan",
               "ontbreekt_toelichting": "Het groepsplan van Jantje; hij heeft ADHD", "reden": "Heeft ADHD, plan mist"})  # fmt: skip
    mails = _mails("dossier_incompleet")
    assert {m.to for m in mails} == {world.users["aanvrager"].email, "carla@school.example"}
    body = mails[0].body
    assert "Wat ontbreekt:" in body and f"DEZE hulpvraag ({hulpvraag.aanvraagnummer})" in body
    assert "  - Groepsplan" in body and "<li>Groepsplan</li>" in (mails[0].html or "")  # from the form's list
    assert "ADHD" not in body + (mails[0].html or "") and "plan mist" not in body  # nothing the SCP typed
    assert "geen nieuwe hulpvraag" in body
    _assert_no_pupil_data(body + (mails[0].html or ""))
    assert not [m for m in _mails("statuswijziging") if "incompleet" in m.subject]  # one mail, not two


def test_a_user_can_switch_status_mails_off(client, world, auth):
    auth.login("aanvrager")
    page = client.get("/account/meldingen")
    assert page.status_code == 200 and "E-mailmeldingen" in page.text
    response = client.post("/account/meldingen", data={"csrf_token": csrf_token(page.text), "taken_mail": "direct"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, world.users["aanvrager"].id).mail_bij_status is False
    hulpvraag = _new_hulpvraag(client, world)
    _complete(client, hulpvraag, "indienen", {"ouders_geinformeerd": "ja"})
    assert [m.to for m in _mails("statuswijziging")] == ["carla@school.example"]  # the contactpersoon still hears


def test_bad_mail_settings_get_a_dutch_message_and_change_nothing(client, world, auth):
    auth.login("aanvrager")
    page = client.get("/account/meldingen")
    response = client.post("/account/meldingen", data={"csrf_token": csrf_token(page.text), "taken_mail": "x"})
    assert response.status_code == 422 and "Kies hoe u over nieuwe taken wilt horen." in response.text
    db.session.expire_all()
    user = db.session.get(User, world.users["aanvrager"].id)
    assert user.taken_mail == "direct" and user.mail_bij_status is True


def test_a_rolled_back_change_queues_no_mail(client, world, auth):
    hulpvraag = _ingediend(client, world, auth)
    assert send_queued() > 0
    before = len(_mails())
    set_status(hulpvraag, "In beraad", "test", world.users["scp"])
    db.session.flush()
    assert len(_mails()) > before  # queued in the transaction …
    db.session.rollback()
    assert len(_mails()) == before  # … and gone with it
    assert send_queued() == 0


# --- tasks ----------------------------------------------------------------------------------
def test_new_swv_task_is_mailed_to_the_scp_unless_daily(client, world, auth):
    scp = db.session.get(User, world.users["scp"].id)
    hulpvraag = _ingediend(client, world, auth)
    taak_mails = _mails("nieuwe_taak", to=scp.email)
    assert len(taak_mails) == 1 and "Aanmelding beoordelen" in taak_mails[0].subject
    assert f"http://kansrijk.test/taken/{_task(hulpvraag, 'beoordelen').id}" in taak_mails[0].body
    _assert_no_pupil_data(taak_mails[0].body)

    scp.taken_mail = "dagelijks"
    db.session.commit()
    _ingediend(client, world, auth, roepnaam="Pietje", achternaam="Puk", geboortedatum="2015-01-02")
    assert len(_mails("nieuwe_taak", to=scp.email)) == 1  # no second single mail

    assert meldingen.stuur_dagoverzichten(date(2026, 11, 24)) == 1
    overzicht = _mails("dagoverzicht", to=scp.email)
    assert len(overzicht) == 1 and "Aanmelding beoordelen" in overzicht[0].body
    _assert_no_pupil_data(overzicht[0].body)
    meldingen.stuur_dagoverzichten(date(2026, 11, 24))
    assert len(_mails("dagoverzicht", to=scp.email)) == 1  # once a day, also when the job runs twice


def test_voorlopige_aanmelding_mails_no_swv_staff(client, world, auth):
    auth.login("aanvrager")
    _new_hulpvraag(client, world)
    swv_emails = {world.users[u].email for u in ("scp", "scp2", "orthopedagoog", "beheerder")}
    assert not [m for m in _mails() if m.to in swv_emails]


# --- S18 --------------------------------------------------------------------------------------
def test_links_ignore_a_spoofed_host_header(client, world, auth):
    client.environ_base["HTTP_HOST"] = "evil.example"  # every request of this user claims another host
    _ingediend(client, world, auth)
    bodies = " ".join(m.body + (m.html or "") for m in _mails())
    assert "evil.example" not in bodies and "http://kansrijk.test/" in bodies


MAIL_TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates" / "mail"


def test_every_mail_template_renders_without_pupil_data(client, world, auth):
    """Render each template with a hulpvraag whose pupil data is distinctive; none may leak it."""
    hulpvraag = _ingediend(client, world, auth)
    task = _task(hulpvraag, "beoordelen")
    user = world.users["scp"]
    context = {
        "ontvanger": user, "h": hulpvraag, "status": "Afgewezen", "van": "Aanmelding", "taak": task, "aantal": 1,
        "ontbreekt": ["OPP"],
        "per_hulpvraag": {hulpvraag.aanvraagnummer: [task]}, "dag": date(2026, 11, 24), "uren": 168, "dagen": 7,
        "deadline": utcnow() + timedelta(days=3), "activatie": "http://kansrijk.test/wachtwoord-herstellen/x",
        "link": meldingen.link("hulpvragen.show", hulpvraag_id=hulpvraag.id), "user": user,
        # who asks for a new activation link; the beheerder who reassigned a task
        "aanvrager": world.users["aanvrager"], "door": world.users["beheerder"],
    }  # fmt: skip
    names = sorted({p.stem for p in MAIL_TEMPLATES.glob("*.txt") if not p.stem.startswith("_")})
    assert {"statuswijziging", "dossier_incompleet", "nieuwe_taak", "dagoverzicht", "taak_school",
            "overlegronde_uitnodiging", "overlegronde_deadline", "wachtwoord_herstellen"} <= set(names)  # fmt: skip
    for name in names:
        text, html = meldingen.render(name, **context)
        assert len(text) > 50, name
        _assert_no_pupil_data(text + (html or ""))
        assert "http://kansrijk.test/" in text, name


def test_a_queued_mail_is_a_multipart_message_with_its_key(app, world, tmp_path):
    from workflow.mail import message_id, queue_mail

    mail = queue_mail("x@school.example", "Onderwerp", "Tekst", html="<p>Tekst</p>", sleutel="test-1")
    assert queue_mail("x@school.example", "Onderwerp", "Tekst", sleutel="test-1").id == mail.id  # same key: once
    db.session.commit()
    assert send_queued() == 1
    eml = Path(app.instance_path) / "mail" / f"{mail.id:06d}.eml"
    message: Message = message_from_bytes(eml.read_bytes())
    assert message.is_multipart() and message["X-Kansrijk-Sleutel"] == "test-1"
    assert message["Message-ID"] == message_id(mail, "kansrijk.invalid")  # the same on every attempt
    assert re.fullmatch(r"<kansrijk\.\d+\.[0-9a-f]{20}@kansrijk\.invalid>", message["Message-ID"])
    assert db.session.get(OutgoingMail, mail.id).status == "verzonden"
    assert send_queued() == 0  # delivered once


# --- /beheer/mail -----------------------------------------------------------------------------
def test_beheerder_sees_mails_and_resends_a_failed_one(client, world, auth):
    hulpvraag = _ingediend(client, world, auth)
    failed = _mails("statuswijziging")[0]
    failed.status, failed.attempts, failed.error = "mislukt", 6, "SMTPServerDisconnected: gone"
    db.session.commit()
    auth.login("beheerder")
    page = client.get("/beheer/mail?status=mislukt")
    assert page.status_code == 200 and hulpvraag.aanvraagnummer in page.text and "SMTPServerDisconnected" in page.text
    response = client.post(f"/beheer/mail/{failed.id}/opnieuw", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(OutgoingMail, failed.id).status == "wachtrij"
    assert send_queued() >= 1
    assert db.session.get(OutgoingMail, failed.id).status == "verzonden"


@pytest.mark.parametrize("username", ["aanvrager", "scp"])
def test_others_cannot_see_the_mail_page(client, world, auth, username):
    auth.login(username)
    assert client.get("/beheer/mail").status_code in (403, 404)


def test_password_reset_mail_body_is_not_shown_to_the_beheerder(client, world, auth):
    page = client.get("/wachtwoord-vergeten")
    client.post("/wachtwoord-vergeten", data={"csrf_token": csrf_token(page.text), "identifier": "aanvrager"})
    mail = _mails("wachtwoord_herstellen")[0]
    auth.login("beheerder")
    shown = client.get(f"/beheer/mail/{mail.id}").text
    assert "wachtwoord-herstellen/" not in shown and "persoonlijke eenmalige link" in shown
