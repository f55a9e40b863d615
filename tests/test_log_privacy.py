"""S14: the logs hold no pupil names, birth dates, e-mail addresses, passwords, codes or cookies,
and they do hold the events a security officer needs (failed logins, denials)."""

from __future__ import annotations

import logging
import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from models import Hulpvraag, HumanTask, LoginSession, db
from tests.conftest import PASSWORD, submit_form
from web.logging import redact

ROEPNAAM, ACHTERNAAM = "Zebedeus", "Quaxelbrink"
GEBOORTEDATUM = "2015-02-27"
BIRTH_DATE_FORMS = ("2015-02-27", "27-02-2015", "27/02/2015", "27.02.2015", "20150227", "2015, 2, 27",
                    "27 februari 2015", "27 feb 2015")  # fmt: skip
CONTACT_EMAIL = "juf.quaxelbrink@school.example"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
LOUD = ("", "werkzeug", "flask", "web", "workflow", "models", "spiff", "SpiffWorkflow", "celery", "kombu",
        "flask_limiter", "urllib3")  # fmt: skip


def _everything_logged(caplog: pytest.LogCaptureFixture) -> None:
    for name in LOUD:
        caplog.set_level(logging.DEBUG, logger=name or None)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # echo: statements and parameters


def _record_texts(record: logging.LogRecord) -> list[str]:
    texts = [record.getMessage(), repr(record.args), record.exc_text or "", record.stack_info or ""]
    standard = set(vars(logging.makeLogRecord({})))
    texts += [repr(v) for k, v in vars(record).items() if k not in standard]  # `extra=` data too
    return texts


def _totp_codes(secrets: list[str], since: float) -> set[str]:
    steps = range(int(since) - 30, int(time.time()) + 31, 30)
    return {pyotp.TOTP(secret).at(moment) for secret in secrets for moment in steps}


def _task_url(hulpvraag: Hulpvraag, bpmn_id: str) -> str:
    task = db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, bpmn_id=bpmn_id)).one()
    return f"/taken/{task.id}"


def _journey(client, world, auth) -> dict[str, str]:
    """Login, a new hulpvraag for a distinctive pupil, submit, the SCP decides; returns secrets seen."""
    auth.login("aanvrager")
    cookie = client.get_cookie("session")
    assert cookie is not None
    sid = db.session.scalars(sa.select(LoginSession.id).order_by(LoginSession.created_at.desc())).first()
    data = {"school_id": str(world.scholen[0].id), "roepnaam": ROEPNAAM, "achternaam": ACHTERNAAM,
            "geboortedatum": GEBOORTEDATUM, "geslacht": "x", "titel": "Thuiszitter",
            "omschrijving": "Komt al weken niet naar school.", "contactpersoon_naam": "Juf Anna",
            "contactpersoon_email": CONTACT_EMAIL}  # fmt: skip
    assert submit_form(client, "/hulpvragen/nieuw", data).status_code == 302
    hulpvraag = db.session.scalars(sa.select(Hulpvraag).order_by(Hulpvraag.id.desc())).first()
    assert client.get(f"/hulpvragen/{hulpvraag.id}").status_code == 200
    assert client.get(f"/hulpvragen?q={ACHTERNAAM}").status_code == 200
    assert submit_form(client, _task_url(hulpvraag, "indienen"), {"ouders_geinformeerd": "ja"}).status_code == 302
    auth.logout()

    assert auth.login("scp", "een-fout-wachtwoord").status_code == 401
    auth.login("scp")
    assert client.get("/beheer/audit").status_code == 404  # a denial by role
    besluit = {"besluit": "dossier_compleet", "reden": "Compleet."}
    assert submit_form(client, _task_url(hulpvraag, "beoordelen"), besluit).status_code == 302
    auth.logout()

    auth.login("aanvrager2")
    assert client.get(f"/hulpvragen/{hulpvraag.id}").status_code == 404  # another school: a denial by scope
    return {"cookie": cookie.value, "sid": sid or ""}


def test_a_full_journey_logs_no_personal_data_or_secrets(client, world, auth, caplog):
    _everything_logged(caplog)
    started = time.time()
    seen = _journey(client, world, auth)
    codes = _totp_codes([u.totp_secret for u in world.users.values() if u.totp_secret], started)
    records = caplog.records
    assert len(records) > 50, "the journey should have been logged at DEBUG (is capture working?)"

    forbidden = [ROEPNAAM, ACHTERNAAM, *BIRTH_DATE_FORMS, PASSWORD, "een-fout-wachtwoord", seen["cookie"]]
    forbidden += [seen["sid"]] if seen["sid"] else []
    for record in records:
        for text in _record_texts(record):
            leaks = [word for word in forbidden if word and word.lower() in text.lower()]
            leaks += [m.group(0) for m in EMAIL.finditer(text)]
            leaks += [code for code in codes if re.search(rf"\b{code}\b", text)]
            assert not leaks, f"{record.name} logged {leaks}: {text[:300]}"


def test_the_events_a_security_officer_needs_are_logged(client, world, auth, caplog):
    _everything_logged(caplog)
    _journey(client, world, auth)
    messages = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert any(level >= logging.WARNING and "login failed" in m for level, m in messages), "failed login"
    assert any(level >= logging.WARNING and m.startswith("denied: endpoint=beheer.") for level, m in messages)
    assert any(level >= logging.WARNING and m.startswith("denied: hulpvraag_id=") for level, m in messages)


# --- the safety net: web/logging.py ---------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "kept", "gone"),
    [
        ("mail to ouder.van.zebedeus@gmail.com failed", "mail to", "gmail"),
        ("login with password=geheim123 and code=123456", "login with password=", "geheim123"),
        ("{'username': 'x', 'password': 'kansrijk-test-wachtwoord'}", "'username'", "kansrijk-test-wachtwoord"),
        ("Cookie: session=eyJzaWQiOiJhYmMifQ.ZzYx.Qm9ndXNTaWduYXR1cmU", "Cookie: ", "eyJzaWQiOiJhYmMifQ"),
        ("sid 3q2-X9fK0vLwA7pYtR4mZ8sE1nB6cU5dH2jGkQ0iOo", "sid ", "3q2-X9fK0vLwA7pYtR4mZ8sE1nB6cU5dH2jGkQ0iOo"),
        ("Authorization: Bearer abc.def", "Authorization: ", "abc.def"),
        ('127.0.0.1 - - "GET /hulpvragen?q=Quaxelbrink HTTP/1.1" 200', "GET /hulpvragen?", "Quaxelbrink"),
        ("verificatiecode 00YY00-esis-koppeling-2026", "verificatiecode ", "esis-koppeling"),
        ("totp secret JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "totp secret ", "JBSWY3DPEHPK3PXP"),
        ("key 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "key ", "9f86d081884c7d65"),
        ("boom\n[SQL: INSERT INTO dossier]\n[parameters: ('Zebedeus', 'Quaxelbrink')]", "[SQL: INSERT", "Zebedeus"),
        ("DETAIL:  Key (email)=(a@b.nl) already exists.", "DETAIL: ", "a@b.nl"),
    ],
)
def test_redact_removes_what_a_pattern_can_recognise(text, kept, gone):
    clean = redact(text)
    assert kept in clean and gone not in clean, clean


@pytest.mark.parametrize(
    "text",
    [
        "published hulpvraag version 3",
        "denied: hulpvraag_id=12 user_id=4 (out of scope)",
        "process failed on task 17: Gateway_besluit",
        '  File "/app/.venv/lib/python3.11/site-packages/sqlalchemy/engine/base.py", line 1967',
        "    code = compile(source, filename, 'exec')",
        "aanvraag 2026-000123 kreeg status Aanmelding",
        "test_r1_concurrent_completions_over_http",
    ],
)
def test_redact_leaves_ordinary_log_lines_alone(text):
    assert redact(text) == text


def test_every_logger_is_redacted_including_exceptions(app, caplog):
    caplog.set_level(logging.INFO)
    log = logging.getLogger("some.library")
    log.warning("sending to %s", "ouder@example.org")
    try:
        raise ValueError("no account for ouder@example.org")
    except ValueError:
        log.exception("lookup failed")
    assert caplog.records[0].getMessage() == "sending to [e-mail]"
    assert "ouder@example.org" not in caplog.text and "[e-mail]" in caplog.records[1].exc_text


def test_sql_echo_hides_parameters(app, world, caplog):
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    with db.engine.connect() as connection:
        connection.execute(sa.text("SELECT :naam AS naam"), {"naam": ACHTERNAAM}).all()
    assert caplog.records, "echo should have logged the statement"
    assert ACHTERNAAM not in caplog.text
    # SQLAlchemy hides them itself (hide_parameters, config.py); the log filter is the safety net.
    assert "[parameters [weggelaten]]" in caplog.text or "[SQL parameters hidden" in caplog.text
