"""Issue 17: the findings of an attack on the running app, each with the test that would have caught it."""

from __future__ import annotations

import re
import statistics
import time
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from models import AuditEntry, HumanTask, InlogVertraging, OutgoingMail, PasswordReset, User, db, utcnow
from tests.conftest import PASSWORD, csrf_token, login, new_hulpvraag, submit_form
from web.ui import safe_path

# --- 1. open redirect -----------------------------------------------------------------------
# Every way a browser turns a "path" into another host: tab/CR/LF are stripped anywhere (WHATWG),
# a backslash is a slash, leading spaces and C0 controls are dropped, and a scheme is a scheme.
OFFSITE = [
    "//attacker.example/x", "/\t/attacker.example/x", "/\n/attacker.example/x", "/\r/attacker.example/x",
    "\t//attacker.example", "/\\attacker.example", "\\\\attacker.example", "\\/attacker.example",
    "/\\/attacker.example", " /attacker.example", " //attacker.example", "\x00//attacker.example",
    "/\x0b/attacker.example", "/\x1f/attacker.example", "/\u3000/attacker.example", "/\u200b/attacker.example",
    "https:attacker.example", "https://attacker.example", "javascript:alert(1)", "http:/attacker.example",
    "attacker.example", "", "///attacker.example", "/%09/attacker.example", "/%0a/attacker.example",
    "/%5cattacker.example", "%2f%2fattacker.example",
]  # fmt: skip


def _decoded(target: str) -> str:
    """As it arrives in request.args / request.form: percent-decoded once."""
    from urllib.parse import unquote

    return unquote(target)


@pytest.mark.parametrize("target", OFFSITE)
def test_safe_path_refuses_every_offsite_form(target):
    assert safe_path(_decoded(target), "/taken") == "/taken"


@pytest.mark.parametrize(
    "target",
    [
        "/hulpvragen",
        "/hulpvragen?status=Aanmelding&q=a%20b",
        "/taken/5#x",
        "/%2F%2Fattacker.example",
        "/hulpvragen/3/bijlagen",
    ],
)
def test_safe_path_keeps_paths_on_this_site(target):
    assert safe_path(target, "/taken") == target


def _location_is_on_site(response) -> None:  # type: ignore[no-untyped-def]
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//"), location
    assert "\\" not in location and "attacker" not in location, location


@pytest.mark.parametrize("target", [t for t in OFFSITE if t.startswith(("/", "\\", " ", "\t"))][:14])
def test_login_next_never_leaves_the_site(client, world, target):
    from urllib.parse import quote

    user = world.users["scp"]
    user.demo = True
    db.session.commit()
    client.application.config["DEMO_MODE"] = True  # password step only: the redirect is the point
    page = client.get("/login")
    response = client.post(f"/login?next={quote(target, safe='')}",
                           data={"username": "scp", "password": PASSWORD, "csrf_token": csrf_token(page.text)})  # fmt: skip
    assert response.status_code == 302
    _location_is_on_site(response)
    assert response.headers["Location"] == "/taken"


def test_login_next_to_a_page_here_still_works(client, world):
    world.users["scp"].demo = True
    db.session.commit()
    client.application.config["DEMO_MODE"] = True
    page = client.get("/login")
    response = client.post("/login?next=/hulpvragen%3Fstatus%3DAanmelding",
                           data={"username": "scp", "password": PASSWORD, "csrf_token": csrf_token(page.text)})  # fmt: skip
    assert response.headers["Location"] == "/hulpvragen?status=Aanmelding"


def _indienen(world) -> HumanTask:  # type: ignore[no-untyped-def]
    hulpvraag = new_hulpvraag(world)
    return db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, completed_at=None)).one()


@pytest.mark.parametrize(
    "target",
    [
        "/\t/attacker.example/x",
        "/\\attacker.example",
        "//attacker.example",
        "\\\\attacker.example",
        " /x",
        "https:attacker.example",
        "/\n/attacker.example",
    ],
)
def test_claim_and_vrijgeven_terug_never_leaves_the_site(client, world, target):
    task = _indienen(world)
    login(client, "aanvrager")
    for action in ("claim", "vrijgeven"):
        response = submit_form(client, f"/taken/{task.id}", {"terug": target}, action=f"/taken/{task.id}/{action}")
        assert response.status_code == 302
        _location_is_on_site(response)
        assert response.headers["Location"] == f"/taken/{task.id}"


# --- 8. vrijgeven by someone who may not do the task --------------------------------------------
def test_vrijgeven_by_someone_who_may_not_do_the_task_is_refused(client, world):
    task = _indienen(world)  # a school task: the SCP may see the hulpvraag only later, the other school never
    task.claimed_by_id = world.users["aanvrager"].id
    db.session.commit()
    login(client, "directeur")  # same school, sees the hulpvraag, but the task is the aanvrager's lane
    token = csrf_token(client.get(f"/hulpvragen/{task.hulpvraag_id}").text)
    before = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    response = client.post(f"/taken/{task.id}/vrijgeven", data={"csrf_token": token})
    assert response.status_code in (403, 404)
    assert "vrijgegeven" not in response.text
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).claimed_by_id == world.users["aanvrager"].id
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == before
    follow = client.get("/taken")
    assert "De taak is vrijgegeven" not in follow.text


# --- 2. no username enumeration by timing -----------------------------------------------------
def _post_login(client, username: str, password: str):  # type: ignore[no-untyped-def]
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_token(page.text)})


def _median_ms(action, runs: int = 7) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def test_unknown_accounts_cost_the_same_argon2_work(client, world, monkeypatch, capsys):
    """Counted, not timed: an unknown or inactive account runs argon2 exactly as often as a real one."""
    from argon2 import PasswordHasher

    calls: list[str] = []
    real_verify = PasswordHasher.verify
    monkeypatch.setattr(PasswordHasher, "verify", lambda self, h, p: calls.append("v") or real_verify(self, h, p))
    world.users["scp2"].actief = False
    db.session.commit()
    for username in ("scp", "bestaat-niet", "scp2", "lvs-koppeling-999"):
        calls.clear()
        assert _post_login(client, username, "fout-wachtwoord-123").status_code == 401
        assert calls == ["v"], username
    # The figures, for whoever reads the output (bench/login_timing.py measures them properly).
    bestaand = _median_ms(lambda: _post_login(client, "aanvrager", "fout-wachtwoord-123"), 3)
    onbekend = _median_ms(lambda: _post_login(client, "niemand-hier", "fout-wachtwoord-123"), 3)
    with capsys.disabled():
        print(f"\n  login, mediaan: bestaand account {bestaand:.0f} ms, onbekend {onbekend:.0f} ms")


def test_reset_request_does_the_same_work_for_unknown_identifiers(app, client, world, monkeypatch, capsys):
    """As in production (no eager Celery): the request writes one row and publishes one job, known or not;
    the job makes the link and the mail."""
    from workflow import meldingen

    published: list[tuple] = []
    monkeypatch.setattr(meldingen.herstellinks_versturen, "apply_async", lambda args, **kw: published.append(args))
    app.config["CELERY_ALWAYS_EAGER"] = False

    def request(identifier: str):  # type: ignore[no-untyped-def]
        page = client.get("/wachtwoord-vergeten").text
        return client.post("/wachtwoord-vergeten", data={"identifier": identifier, "csrf_token": csrf_token(page)})

    def count(model) -> int:  # type: ignore[no-untyped-def]
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    for identifier in ("aanvrager", "iemand@elders.example"):
        before = count(InlogVertraging)
        assert request(identifier).status_code == 200
        assert count(InlogVertraging) == before + 1  # the same write either way
        assert count(PasswordReset) == 0 and count(OutgoingMail) == 0  # nothing else in the request
    assert published == [("aanvrager",), ("iemand@elders.example",)]  # the same job either way
    assert [meldingen.herstellinks_versturen.run(*args) for args in published] == [1, 0]  # the worker's part
    assert [m.to for m in db.session.scalars(sa.select(OutgoingMail))] == [world.users["aanvrager"].email]
    bestaand = _median_ms(lambda: request("aanvrager2"), 3)
    onbekend = _median_ms(lambda: request("niemand@elders.example"), 3)
    with capsys.disabled():
        print(f"\n  herstel, mediaan: bestaand account {bestaand:.0f} ms, onbekend {onbekend:.0f} ms")


# --- 3. a reset or a password change ends every open reset link --------------------------------
def _reset_links(client, identifier: str) -> list[str]:  # type: ignore[no-untyped-def]
    for _ in range(2):  # two links in the same hour
        page = client.get("/wachtwoord-vergeten").text
        client.post("/wachtwoord-vergeten", data={"identifier": identifier, "csrf_token": csrf_token(page)})
    mails = db.session.scalars(
        sa.select(OutgoingMail).filter_by(soort="wachtwoord_herstellen").order_by(OutgoingMail.id)
    )
    return [re.search(r"/wachtwoord-herstellen/(\S+)", m.body).group(1) for m in mails]


def _set_via_link(client, token: str, new: str):  # type: ignore[no-untyped-def]
    url = f"/wachtwoord-herstellen/{token}"
    page = client.get(url)
    if page.status_code != 200:
        return page
    return client.post(url, data={"nieuw": new, "herhaal": new, "csrf_token": csrf_token(page.text)})


def test_a_reset_ends_the_older_link_of_the_same_hour(client, world):
    older, newer = _reset_links(client, "scp")
    assert _set_via_link(client, newer, "een heel nieuw lang wachtwoord").status_code == 302
    refused = _set_via_link(client, older, "nog een ander lang wachtwoord")
    assert refused.status_code == 404 and "werkt niet meer" in refused.text
    user = db.session.scalar(sa.select(User).filter_by(username="scp"))
    db.session.refresh(user)
    assert user.check_password("een heel nieuw lang wachtwoord")
    assert all(r.used_at is not None for r in db.session.scalars(sa.select(PasswordReset).filter_by(user_id=user.id)))


def test_a_password_change_ends_every_open_reset_link(client, world):
    (token,) = _reset_links(client, "aanvrager2")[:1]
    login(client, "aanvrager2")
    page = client.get("/account/wachtwoord").text
    new = "mijn eigen nieuwe wachtwoord"
    changed = client.post("/account/wachtwoord", data={"huidig": PASSWORD, "nieuw": new, "herhaal": new,
                                                       "csrf_token": csrf_token(page)})  # fmt: skip
    assert changed.status_code == 302
    assert _set_via_link(client, token, "iemand anders zijn wachtwoord").status_code == 404


# --- issue 14 item 5: login limits that stop attackers, not users -----------------------------
def test_ten_good_logins_in_a_row_do_not_lock_out(app, client, world):
    from web.extensions import limiter

    # The limits as they were in production (the test config is generous): good logins must not count.
    app.config.update(LOGIN_LIMIT_PER_ACCOUNT="10 per 15 minutes", LOGIN_LIMIT_PER_ADDRESS="30 per 15 minutes")
    limiter.reset()
    try:
        for _ in range(16):
            assert "Mijn taken" in login(client, "aanvrager").text
            client.post("/logout", data={"csrf_token": csrf_token(client.get("/taken").text)})
    finally:
        limiter.reset()


def _wachten_voorbij(username: str | None = None) -> None:
    """The delay has passed (the clock moved on), as it would for a user who waits."""
    db.session.execute(sa.update(InlogVertraging).values(wacht_tot=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def test_wrong_passwords_slow_the_account_down_and_the_owner_gets_in_after_the_wait(client, world):
    statuses = [_post_login(client, "beheerder", "geraden-wachtwoord-1") for _ in range(5)]
    assert [r.status_code for r in statuses] == [401] * 5
    assert "Probeer het over 1 minuut opnieuw." in statuses[-1].text
    refused = _post_login(client, "beheerder", PASSWORD)  # even the right password is not checked now
    assert refused.status_code == 429
    assert "Probeer het over 1 minuut opnieuw." in refused.text and refused.headers["Retry-After"] in ("59", "60")
    for _ in range(5):  # ten wrong passwords in all, each waiting out the delay
        _wachten_voorbij()
        again = _post_login(client, "beheerder", "geraden-wachtwoord-2")
    assert again.status_code == 401
    assert "Probeer het over 32 minuten opnieuw." in again.text  # 1, 2, 4, 8, 16, 32 minutes
    assert int(again.headers["Retry-After"]) == 32 * 60
    _wachten_voorbij()
    assert "Mijn taken" in login(client, "beheerder").text  # the owner is in after the wait
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InlogVertraging)) == 0  # and the count is gone


def test_the_delay_is_capped(app, client, world):
    for _ in range(20):
        _wachten_voorbij()
        last = _post_login(client, "scp", "fout-fout-fout-1")
    assert int(last.headers["Retry-After"]) == app.config["LOGIN_DELAY_MAX_SECONDS"]
    assert "Probeer het over 60 minuten opnieuw." in last.text


def test_two_accounts_behind_one_address_are_independent(client, world):
    for _ in range(6):
        _post_login(client, "aanvrager", "fout-wachtwoord-x")
    assert _post_login(client, "aanvrager", PASSWORD).status_code == 429
    assert "Mijn taken" in login(client, "aanvrager2").text  # a colleague at the same school logs in


def test_the_address_limit_counts_failures_only_and_speaks_dutch(app, client, world):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "8 per 15 minutes"
    from web.extensions import limiter

    limiter.reset()
    try:
        for _ in range(10):  # successes never count
            assert _post_login(client, "directeur", PASSWORD).status_code == 302
            client.post("/logout", data={"csrf_token": csrf_token(client.get("/login/code").text)})
        names = [f"gebruiker{i}" for i in range(8)]  # eight accounts, one failure each
        assert [_post_login(client, n, "fout-wachtwoord-1").status_code for n in names] == [401] * 8
        refused = _post_login(client, "nog-een", "fout-wachtwoord-1")
        assert refused.status_code == 429
        assert re.search(r"Te veel pogingen vanaf dit adres\. Probeer het over \d+ minuten? opnieuw\.", refused.text)
        assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    finally:
        limiter.reset()


def test_wrong_codes_slow_down_the_code_step_too(client, world):
    _post_login(client, "scp2", PASSWORD)

    def code(value: str):  # type: ignore[no-untyped-def]
        page = client.get("/login/code").text
        return client.post("/login/code", data={"code": value, "csrf_token": csrf_token(page)})

    assert [code("000000").status_code for _ in range(5)] == [401] * 5
    waiting = code(pyotp.TOTP(world.users["scp2"].totp_secret).now())
    assert waiting.status_code == 429 and "Probeer het over 1 minuut opnieuw." in waiting.text
    assert waiting.headers["Retry-After"] in ("59", "60")
    _wachten_voorbij()
    db.session.execute(sa.update(User).where(User.username == "scp2").values(totp_last_step=None))
    db.session.commit()
    assert code(pyotp.TOTP(world.users["scp2"].totp_secret).now()).status_code == 302


# --- 6. calendar edges in every list's date filter ----------------------------------------------
EDGES = ["0001-01-01", "01-01-0001", "9999-12-31", "31-12-9999", "1899-12-31", "3000-01-01"]


@pytest.mark.parametrize("value", EDGES)
@pytest.mark.parametrize("name", ["van", "tot"])
def test_hulpvragen_list_and_export_take_calendar_edges_with_a_dutch_note(client, world, name, value):
    login(client, "beheerder")
    label = "aangemaakt van" if name == "van" else "aangemaakt tot en met"
    note = f"Ongeldige datum ‘{value}’ bij {label}: kies een datum tussen 1900 en 2999. Dit filter is niet toegepast."
    for response in (client.get(f"/hulpvragen?{name}={value}"),
                     client.get(f"/hulpvragen?{name}={value}", headers={"HX-Request": "true"})):  # fmt: skip
        assert response.status_code == 200
        assert note in response.text
    export = client.get(f"/hulpvragen/export.xlsx?{name}={value}")
    assert export.status_code == 200 and export.data[:2] == b"PK"


def test_hulpvragen_filter_takes_the_first_and_last_day_it_allows(client, world):
    login(client, "beheerder")
    response = client.get("/hulpvragen?van=1900-01-01&tot=2999-12-31")
    assert response.status_code == 200 and "Ongeldige datum" not in response.text
    assert client.get("/hulpvragen/export.xlsx?van=01-01-1900&tot=31-12-2999").status_code == 200


@pytest.mark.parametrize("value", EDGES)
@pytest.mark.parametrize("name", ["van", "tot"])
def test_audit_search_takes_calendar_edges_with_a_dutch_note(client, world, name, value):
    login(client, "beheerder")
    response = client.get("/beheer/audit", query_string={name: value})
    assert response.status_code == 200
    assert "Vul een geldige datum in tussen 1900 en 2999" in response.text
    edges = client.get("/beheer/audit", query_string={"van": "1900-01-01", "tot": "2999-12-31"})
    assert edges.status_code == 200 and "Vul een geldige datum" not in edges.text


# --- 8. polish: counted messages, wording, BASE_URL of make run ---------------------------------
def test_one_wrong_field_is_named_in_the_singular(client, world):
    task = _indienen(world)
    login(client, "aanvrager")
    refused = submit_form(client, f"/taken/{task.id}", {})  # the one required Ja/Nee is missing
    assert refused.status_code == 422
    assert "controleer het gemarkeerde veld." in refused.text
    assert "1 gemarkeerde veld" not in refused.text


def test_no_diagram_says_deskundigen_is():
    from pathlib import Path

    bpmn = Path(__file__).resolve().parent.parent / "bpmn"
    texts = {p.name: p.read_text("utf-8") for p in bpmn.glob("*.bpmn")}
    assert not [name for name, text in texts.items() if re.search(r"deskundigen is\b", text)]
    assert "Twee deskundigen zijn om advies over de TLV gevraagd" in texts["tlv.bpmn"]


@pytest.mark.parametrize(("env", "expected"), [
    ({"PORT": "8000"}, "http://127.0.0.1:8000"),
    ({}, "http://127.0.0.1:5000"),
    ({"PORT": "8000", "BASE_URL": "https://swv.example"}, "https://swv.example"),
])  # fmt: skip
def test_make_run_sets_base_url_to_its_port_unless_given(env, expected):
    """The lines of scripts/run.sh that choose PORT and BASE_URL, run as make run runs them."""
    import os
    import subprocess
    from pathlib import Path

    script = (Path(__file__).resolve().parent.parent / "scripts" / "run.sh").read_text("utf-8")
    lines = [line for line in script.splitlines() if line.startswith(("PORT=", "BASE_URL=", "export BASE_URL"))]
    assert len(lines) == 3, lines
    clean = {k: v for k, v in os.environ.items() if k not in ("PORT", "BASE_URL")}
    out = subprocess.run(["bash", "-c", "\n".join([*lines, 'echo "$BASE_URL"'])], env={**clean, **env},
                         capture_output=True, text=True, check=True)  # fmt: skip
    assert out.stdout.strip() == expected


# --- 7. the overlegronde picker offers the own school only ---------------------------------------
def _informatie_hulpvraag(world, school: int = 0):  # type: ignore[no-untyped-def]
    return new_hulpvraag(world, titel="Informatieuitwisseling overig", school=school)


def test_the_picker_offers_own_staff_and_externs_this_school_invited_only(client, world):
    from workflow.overlegronde import NieuweDeelnemer, start_overlegronde

    # School 2 invited an extern before; school 0 never did.
    andere = new_hulpvraag(world, titel="Informatieuitwisseling overig", school=2)
    andere.aanvrager_id = world.users["aanvrager2"].id
    start_overlegronde(andere, world.users["aanvrager2"], "Elders", "", utcnow() + timedelta(days=3), [],
                       [NieuweDeelnemer("", world.users["extern"].email)])  # fmt: skip
    db.session.commit()
    hulpvraag = _informatie_hulpvraag(world)
    login(client, "aanvrager")
    url = f"/hulpvragen/{hulpvraag.id}/overlegronde/nieuw"
    page = client.get(url).text
    picker = page[
        page.index('<select id="deelnemers"') : page.index("</select>", page.index('<select id="deelnemers"'))
    ]
    assert world.users["directeur"].email in picker  # a colleague of the own school
    for other in ("aanvrager2", "extern", "scp", "orthopedagoog", "beheerder"):
        assert world.users[other].email not in page and world.users[other].naam not in picker, other
    # an id from outside the picker is refused, and shows nobody's name
    refused = submit_form(client, url, {"onderwerp": "Verslag", "deadline": "2999-01-01T10:00",
                                        "deelnemers": str(world.users["aanvrager2"].id)})  # fmt: skip
    assert refused.status_code == 422 and "kan niet worden uitgenodigd" in refused.text
    assert world.users["aanvrager2"].naam not in refused.text
    # by exact e-mail address the other school's IB'er can be invited
    invited = submit_form(client, url, {"onderwerp": "Verslag", "deadline": "2999-01-01T10:00",
                                        "nieuw_email": world.users["aanvrager2"].email.upper()})  # fmt: skip
    assert invited.status_code == 302
    # once invited by this school, an extern is offered the next time
    start_overlegronde(_informatie_hulpvraag(world), world.users["aanvrager"], "Eerder", "",
                       utcnow() + timedelta(days=3), [], [NieuweDeelnemer("", world.users["extern"].email)])  # fmt: skip
    db.session.commit()
    volgende = client.get(f"/hulpvragen/{_informatie_hulpvraag(world).id}/overlegronde/nieuw").text
    assert world.users["extern"].email in volgende


# --- 4. no text typed by staff in any mail body -------------------------------------------------
def _mail_of(hulpvraag, soort: str) -> OutgoingMail:  # type: ignore[no-untyped-def]
    query = sa.select(OutgoingMail).filter_by(hulpvraag_id=hulpvraag.id, soort=soort).order_by(OutgoingMail.id.desc())
    return db.session.scalars(query).first()


def _beoordeel(world, data: dict[str, str]):  # type: ignore[no-untyped-def]
    from workflow.engine.runtime import complete_task

    dossier_hulpvraag = new_hulpvraag(world, roepnaam="Noor")
    dossier_hulpvraag.dossier.tussenvoegsel, dossier_hulpvraag.dossier.achternaam = "de", "Jong"
    indienen = db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=dossier_hulpvraag.id)).one()
    complete_task(indienen.id, world.users["aanvrager"], {"ouders_geinformeerd": "ja"})
    beoordelen = db.session.scalars(
        sa.select(HumanTask).filter_by(hulpvraag_id=dossier_hulpvraag.id, bpmn_id="beoordelen", completed_at=None)
    ).one()
    complete_task(beoordelen.id, world.users["scp"], data)
    db.session.commit()
    return dossier_hulpvraag


def test_a_status_mail_carries_no_reason_and_no_name(world):
    reden = "Noor de Jong heeft ADHD; een plek bij de ambulante dienst van de regio"
    hulpvraag = _beoordeel(world, {"besluit": "afgewezen", "reden": reden})
    mail = _mail_of(hulpvraag, "statuswijziging")
    text = mail.body + (mail.html or "")
    assert hulpvraag.aanvraagnummer in text and hulpvraag.titel in text and "Afgewezen" in text
    assert f"http://kansrijk.test/hulpvragen/{hulpvraag.id}" in text
    assert "De reden van deze wijziging leest u na het inloggen" in mail.body
    for fragment in ("ADHD", "Noor", "Jong", "ambulante dienst", "[leerling]"):
        assert fragment not in text, fragment


def test_dossier_incompleet_names_only_the_chosen_item_of_the_list(world):
    hulpvraag = _beoordeel(world, {"besluit": "dossier_incompleet", "ontbreekt": "Toestemming ouders",
                                   "ontbreekt_toelichting": "Noor heeft ADHD", "reden": "Heeft ADHD"})  # fmt: skip
    mail = _mail_of(hulpvraag, "dossier_incompleet")
    assert "  - Toestemming ouders" in mail.body
    assert "ADHD" not in mail.body + (mail.html or "") and "Noor" not in mail.body
    assert hulpvraag.status == "Dossier incompleet"
    assert (
        "Heeft ADHD Ontbreekt: Toestemming ouders (Noor heeft ADHD)" in hulpvraag.statuswijzigingen[-1].reden
    )  # in the app


def test_the_scrubbing_no_longer_garbles_a_tussenvoegsel(world):
    from workflow.meldingen import zonder_leerling

    hulpvraag = new_hulpvraag(world, roepnaam="Noor")
    hulpvraag.dossier.tussenvoegsel, hulpvraag.dossier.achternaam = "de", "Jong"
    tekst = zonder_leerling("Noor de Jong krijgt een plek bij de ambulante dienst van de regio", hulpvraag)
    assert tekst == "[leerling] krijgt een plek bij de ambulante dienst van de regio"
