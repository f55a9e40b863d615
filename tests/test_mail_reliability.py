"""Mail delivery under failure (R4-R7), with real parts: a Celery worker with beat on Redis, the
test database, and a local SMTP server (tests/smtp_sink.py) that records each mail's key.

The test process queues mails with an app that publishes to the broker (not eager), exactly
as the web server does. Worker timings are shortened through the environment (config.py), so
a sweep, a lease or a retry takes seconds instead of minutes.
"""

from __future__ import annotations

import random
import re
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from flask import Flask, current_app

from app import create_app
from models import Hulpvraag, HumanTask, OutgoingMail, db, utcnow
from tests import workers
from tests.conftest import IsolatedClient, _test_config, csrf_token, login, submit_form
from tests.smtp_sink import SmtpSink
from tests.workers import TcpProxy, Worker, redis_address, worker_env
from web.seed import DemoWorld
from workflow.mail import message_id, queue_mail
from workflow.outbox import volgende_poging

SWEEP_GRACE = 3.0  # seconds a published mail is left to its own task before the sweep re-publishes it
FAST = {  # the worker's timings: every recovery path within seconds
    "CELERY_MAIL_INTERVAL": "1",
    "CELERY_TIMER_INTERVAL": "3600",  # BPMN timers are not what these tests are about
    "MAIL_SWEEP_GRACE": str(SWEEP_GRACE),
    "MAIL_LEASE_SECONDS": "3",
    "MAIL_TIMEOUT_SECONDS": "2",
}
MESSAGE_ID = re.compile(r"<[^@<>\s]+@[^@<>\s]+>")
QUICK_REQUEST_S = 2.0  # a request must not wait for a broker that is down
redis_url = workers.redis_url  # the fixture: Redis, or a failure in CI when it is unreachable


# --- fixtures --------------------------------------------------------------------------------
@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    sink = SmtpSink(delay=0.005).start()  # a few ms per mail: kills land in the middle of a batch
    yield sink
    sink.stop()


@pytest.fixture
def proxy(redis_url: str) -> Iterator[TcpProxy]:
    proxy = TcpProxy(*redis_address(redis_url)).start()
    yield proxy
    proxy.stop()


def _push_mail_app(database_url: str, broker_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app like the web server's: publishes after commit to ``broker_url`` instead of eager."""
    config = {
        **_test_config(database_url, tmp_path / "instance"),
        "CELERY_ALWAYS_EAGER": False,
        "CELERY_BROKER_URL": broker_url,
        "MAIL_SWEEP_GRACE": SWEEP_GRACE,
        "MAIL_SERVER": "127.0.0.1",  # shown on /beheer/mail; this process never sends itself
    }
    mail_app = create_app(config)
    mail_app.test_client_class = IsolatedClient
    with mail_app.app_context():
        yield mail_app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def direct_app(app: Flask, world: DemoWorld, database_url: str, redis_url: str, tmp_path: Path) -> Iterator[Flask]:
    yield from _push_mail_app(database_url, redis_url, tmp_path)


@pytest.fixture
def proxied_app(app: Flask, world: DemoWorld, database_url: str, proxy: TcpProxy, redis_url: str,
                tmp_path: Path) -> Iterator[Flask]:  # fmt: skip
    yield from _push_mail_app(database_url, proxy.url(redis_url), tmp_path)


@pytest.fixture
def start_worker(app: Flask, database_url: str, sink: SmtpSink, tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    """Starts workers that send to ``sink``; all are stopped before the tables are emptied."""
    started: list[Worker] = []

    def start(broker_url: str, pool: str = "solo", concurrency: int = 1, **settings: str) -> Worker:
        env = worker_env(database_url, broker_url, tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(sink.port),
                         **{**FAST, **settings})  # fmt: skip
        started.append(Worker(env, tmp_path, pool, concurrency).start())
        return started[-1]

    yield start
    for worker in started:
        worker.stop()


# --- helpers -----------------------------------------------------------------------------------
def _queue(n: int, prefix: str, per_transaction: int = 50) -> list[str]:
    """``n`` mails in committed transactions (each commit publishes its tasks); returns the keys."""
    keys = [f"{prefix}-{i:04d}" for i in range(n)]
    for start in range(0, n, per_transaction):
        for key in keys[start : start + per_transaction]:
            queue_mail(f"{key}@ontvanger.example", f"Melding {key}", "Er is iets veranderd.", sleutel=key)
        db.session.commit()
    return keys


def _statuses() -> Counter[str]:
    rows = db.session.execute(sa.select(OutgoingMail.status, sa.func.count()).group_by(OutgoingMail.status))
    result = Counter({status: int(count) for status, count in rows})
    db.session.rollback()  # end the read transaction so the worker's next commit is visible
    return result


def _row(key: str) -> OutgoingMail:
    db.session.expire_all()
    mail = db.session.scalar(sa.select(OutgoingMail).where(OutgoingMail.sleutel == key))
    assert mail is not None, key
    return mail


def _wait(condition: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def _all_sent(n: int) -> Callable[[], bool]:
    return lambda: _statuses() == Counter({"verzonden": n})


def _context(worker: Worker, sink: SmtpSink) -> str:
    """What a failing assertion shows: the database, the sink, the end of the worker log."""
    return f"statuses {dict(_statuses())}, sink {sink.count()} mails; worker log:\n{worker.log()[-4000:]}"


# --- R4: SIGKILL while sending ---------------------------------------------------------------------
@pytest.mark.integration
def test_r4_worker_killed_five_times_while_sending_500_mails(
    direct_app: Flask, redis_url: str, sink: SmtpSink, start_worker: Callable[..., Worker]
) -> None:
    keys = _queue(500, "r4")
    # Two pool processes send at once, so claims compete and each kill interrupts two sends.
    worker = start_worker(redis_url, pool="prefork", concurrency=2)
    rng = random.Random()
    in_flight: list[int] = []
    kills: list[float] = []
    for _ in range(5):
        target = sink.count() + rng.randint(50, 80)  # kills spread over the batch, each after fresh sends
        assert sink.wait_for(target, timeout=60), _context(worker, sink)
        time.sleep(rng.uniform(0, 0.03))  # anywhere in a send, not just after an accepted one
        kills.append(time.time())
        worker.kill()
        in_flight.append(_statuses()["verzenden"])
        worker.start()

    drained = _wait(_all_sent(500), timeout=90, interval=0.25)
    time.sleep(SWEEP_GRACE + 1)  # a late duplicate (an expired lease re-sent) would arrive by now

    assert drained, _context(worker, sink)
    assert sink.duplicates() == {}, "a mail was delivered twice"
    assert _statuses() == Counter({"verzonden": 500})
    assert sum(in_flight) > 0, f"no kill interrupted a send (rows in 'verzenden' after each kill: {in_flight})"
    _assert_message_ids(sink)
    lost = _ms_before_kill(set(keys) - set(sink.sleutels()), kills)
    _assert_only_window_losses(lost, kills, concurrency=2)


# The design's one gap (workflow/mail.py): a row is marked verzonden just before the final "."
# is written, so a kill after that commit is durable and before the "." leaves loses the mail.
# Measured, that window is ~0.2-0.5 ms of a ~15-25 ms send (the rest of the commit: the DB's
# reply, SQLAlchemy returning the connection), so five kills of two busy senders lose a mail in
# roughly one run out of three. Such a loss is allowed; any other loss, or any duplicate, fails.
WINDOW_MS = 25.0  # sent_at is set before the UPDATE, which may wait briefly for a lock


def _ms_before_kill(missing: set[str], kills: list[float]) -> dict[str, float | None]:
    """For each mail the sink never got: how long before the next kill its row was marked sent."""
    rows = db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.sleutel.in_(missing))).all()
    db.session.rollback()
    result: dict[str, float | None] = {}
    for row in rows:
        marked = row.sent_at.timestamp() if row.sent_at else None
        later = [kill - marked for kill in kills if marked is not None and kill >= marked]
        result[row.sleutel] = min(later) * 1000 if later else None
    return result


def _assert_only_window_losses(lost: dict[str, float | None], kills: list[float], concurrency: int) -> None:
    outside = {key: ms for key, ms in lost.items() if ms is None or ms > WINDOW_MS}
    assert not outside, f"lost outside the commit-to-final-dot window (ms before a kill): {outside}"
    assert len(lost) <= concurrency * len(kills), lost
    if lost:
        warnings.warn(f"R4: {len(lost)} mail(s) lost in the commit-to-final-dot window: {lost}", stacklevel=2)


def _assert_message_ids(sink: SmtpSink) -> None:
    """Each mail carries its row's own Message-ID (the same on any attempt): one '@', no spaces."""
    rows = {row.sleutel: row for row in db.session.scalars(sa.select(OutgoingMail))}
    domain = current_app.config["MAIL_MESSAGE_ID_DOMAIN"]
    for received in sink.received:
        assert received.message_id == message_id(rows[received.sleutel], domain), received
        assert MESSAGE_ID.fullmatch(received.message_id), received.message_id
    db.session.rollback()


# --- R5: broker unreachable at commit; rollback ------------------------------------------------------
@pytest.mark.integration
def test_r5_mail_queued_while_broker_is_down_is_sent_once_when_it_is_back(
    proxied_app: Flask, proxy: TcpProxy, redis_url: str, sink: SmtpSink, start_worker: Callable[..., Worker]
) -> None:
    worker = start_worker(proxy.url(redis_url))
    assert _wait(lambda: "ready." in worker.log(), timeout=30), worker.log()
    proxy.stop()

    started = time.monotonic()
    queue_mail("ouder@ontvanger.example", "Broker weg", "tekst", sleutel="r5-broker-weg")
    db.session.commit()  # publishing fails after the commit; the change itself stands
    took = time.monotonic() - started

    time.sleep(SWEEP_GRACE + 2)  # long enough for a sweep, had the worker been able to run one
    assert took < QUICK_REQUEST_S, f"commit waited {took:.1f}s for the broker"
    assert _row("r5-broker-weg").status == "wachtrij" and sink.count() == 0
    db.session.rollback()

    proxy.start()
    assert _wait(_all_sent(1), timeout=60), _context(worker, sink)
    time.sleep(SWEEP_GRACE + 2)  # later sweeps must not send it again
    assert sink.sleutels() == ["r5-broker-weg"]


@pytest.mark.integration
def test_r5_rolled_back_transaction_sends_nothing(
    direct_app: Flask, redis_url: str, sink: SmtpSink, start_worker: Callable[..., Worker]
) -> None:
    queue = redis.Redis.from_url(redis_url)
    queue_mail("ouder@ontvanger.example", "Teruggedraaid", "tekst", sleutel="r5-rollback")
    db.session.rollback()
    with pytest.raises(RuntimeError), db.session.begin_nested():  # a savepoint rolled back inside a commit
        queue_mail("ouder@ontvanger.example", "Savepoint", "tekst", sleutel="r5-savepoint")
        raise RuntimeError("change refused")
    queue_mail("ouder@ontvanger.example", "Wel verstuurd", "tekst", sleutel="r5-control")
    db.session.commit()

    assert [row.sleutel for row in db.session.scalars(sa.select(OutgoingMail))] == ["r5-control"]
    # The control's task, and the savepoint's: a rolled-back savepoint keeps its publication,
    # whose task then finds no row (or, on SQLite, a reused id whose claim decides) - harmless.
    assert queue.llen("celery") <= 2, "the rolled-back transaction published a task"
    worker = start_worker(redis_url)
    assert _wait(_all_sent(1), timeout=30), _context(worker, sink)
    time.sleep(SWEEP_GRACE + 2)  # give a stray task or sweep every chance to send more
    assert sink.sleutels() == ["r5-control"]


# --- R6: broker down while users work ------------------------------------------------------------------
NIEUW = {
    "roepnaam": "Jan", "geslacht": "m",
    "titel": "TLV -Nieuw", "omschrijving": "Leerling loopt vast in de groep.", "contactpersoon_naam": "Ilse Bakker",
}  # fmt: skip
OUTAGE_S = 20


def _timed(requests: list[float], call: Callable[[], Any]) -> Any:
    started = time.monotonic()
    response = call()
    requests.append(time.monotonic() - started)
    assert response.status_code < 400, response.status_code
    return response


def _open_task(hulpvraag_id: int, bpmn_id: str) -> int:
    query = sa.select(HumanTask.id).filter_by(hulpvraag_id=hulpvraag_id, bpmn_id=bpmn_id, completed_at=None)
    task_id = db.session.scalars(query).one()
    db.session.rollback()
    return int(task_id)


def _users_work(app: Flask, world: DemoWorld, n: int) -> tuple[list[int], list[float]]:
    """School staff submit ``n`` hulpvragen, the SCP finds each dossier incomplete: status mails."""
    durations: list[float] = []
    client = app.test_client()
    login(client, "aanvrager")
    ids = []
    for i in range(n):
        data = {**NIEUW, "school_id": str(world.scholen[0].id), "achternaam": f"Boven{'x' * i}",
                "geboortedatum": f"2016-03-{10 + i}", "contactpersoon_email": f"contact{i}@school.example"}  # fmt: skip
        _timed(durations, lambda d=data: submit_form(client, "/hulpvragen/nieuw", d))
        ids.append(int(db.session.scalar(sa.select(sa.func.max(Hulpvraag.id))) or 0))
        db.session.rollback()
        task = _open_task(ids[-1], "indienen")
        _timed(durations, lambda t=task: submit_form(client, f"/taken/{t}", {"ouders_geinformeerd": "ja"}))
    client = app.test_client()
    login(client, "scp")
    for hulpvraag_id in ids:
        task = _open_task(hulpvraag_id, "beoordelen")
        data = {"besluit": "dossier_incompleet", "ontbreekt": "OPP", "reden": "OPP mist"}
        _timed(durations, lambda t=task, d=data: submit_form(client, f"/taken/{t}", d))
    return ids, durations


@pytest.mark.integration
def test_r6_users_keep_working_while_the_broker_is_down_and_the_backlog_drains(
    proxied_app: Flask, world: DemoWorld, proxy: TcpProxy, redis_url: str, sink: SmtpSink,
    start_worker: Callable[..., Worker],
) -> None:  # fmt: skip
    worker = start_worker(proxy.url(redis_url))
    assert _wait(lambda: "ready." in worker.log(), timeout=30), worker.log()
    proxy.stop()
    down_since = time.monotonic()

    ids, durations = _users_work(proxied_app, world, n=3)
    time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - down_since)))  # the broker stays away a while
    queued = [row.sleutel for row in db.session.scalars(sa.select(OutgoingMail))]
    statuses = _statuses()

    assert max(durations) < QUICK_REQUEST_S, f"slowest request {max(durations):.1f}s while the broker was down"
    assert all(db.session.get(Hulpvraag, i).status == "Dossier incompleet" for i in ids)  # type: ignore[union-attr]
    assert len(queued) >= 2 * len(ids), f"expected status mails, queued: {queued}"
    assert sink.count() == 0 and statuses == Counter({"wachtrij": len(queued)}), statuses

    proxy.start()
    assert _wait(_all_sent(len(queued)), timeout=90, interval=0.25), _context(worker, sink)
    time.sleep(SWEEP_GRACE + 1)
    assert sink.duplicates() == {}
    assert sorted(sink.sleutels()) == sorted(queued)
    _assert_message_ids(sink)  # status mails have an address in their key


# --- R7: the SMTP server refuses or hangs ------------------------------------------------------------------
RETRY = {"MAIL_MAX_ATTEMPTS": "4", "MAIL_RETRY_BASE_SECONDS": "0.5", "MAIL_TIMEOUT_SECONDS": "1",
         "CELERY_MAIL_INTERVAL": "0.25"}  # fmt: skip
POLL_LAG_S = 0.25  # how late the test may notice a failed attempt


def test_backoff_doubles_with_full_jitter_and_a_ceiling() -> None:
    for attempt, (low, high) in {1: (15, 30), 2: (30, 60), 3: (60, 120)}.items():
        waits = [(volgende_poging(attempt, basis=30) - utcnow()).total_seconds() for _ in range(300)]
        assert low - 1 <= min(waits) and max(waits) <= high, (attempt, min(waits), max(waits))
        assert max(waits) - min(waits) > (high - low) / 2, "no jitter: every worker would retry at once"
    assert (volgende_poging(30, basis=30, maximum=3600) - utcnow()).total_seconds() <= 3600


def _follow_attempts(key: str, timeout: float) -> list[tuple[int, datetime | None, float]]:
    """(attempts, volgende_poging_op, when the test saw it) for each failed attempt, until mislukt."""
    seen: list[tuple[int, datetime | None, float]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = _row(key)
        if row.attempts > (seen[-1][0] if seen else 0) and row.status in ("wachtrij", "mislukt"):
            seen.append((row.attempts, row.volgende_poging_op, time.time()))
        status = row.status
        db.session.rollback()
        if status == "mislukt":
            break
        time.sleep(0.05)
    return seen


def _resend_as_beheerder(app: Flask, mail_id: int, subject: str) -> None:
    scp = app.test_client()
    login(scp, "scp")
    assert scp.get("/beheer/mail?status=mislukt").status_code in (403, 404), "only a beheerder sees the outbox"
    client = app.test_client()
    login(client, "beheerder")
    page = client.get("/beheer/mail?status=mislukt")
    action = f"/beheer/mail/{mail_id}/opnieuw"
    assert page.status_code == 200 and subject in page.text and action in page.text
    response = client.post(action, data={"csrf_token": csrf_token(page.text)})
    assert response.status_code in (302, 303), response.status_code


@pytest.mark.integration
@pytest.mark.parametrize("storing", ["weigert", "hangt"])
def test_r7_smtp_trouble_retries_with_backoff_then_mislukt_and_a_beheerder_resends(
    direct_app: Flask, world: DemoWorld, redis_url: str, sink: SmtpSink, start_worker: Callable[..., Worker],
    storing: str,
) -> None:  # fmt: skip
    if storing == "weigert":
        sink.refuse = "451 4.3.0 Probeer het later nog eens"
    else:
        sink.hang = True  # the final "." is never answered: the row, already verzonden, goes back after 1 s
    user = world.users["aanvrager"]
    mail = queue_mail(user.email, "Storing bij de mailserver", "tekst", sleutel=f"r7-{storing}", user_id=user.id)
    db.session.commit()
    mail_id = mail.id
    worker = start_worker(redis_url, **RETRY)

    seen = _follow_attempts(f"r7-{storing}", timeout=40)
    row = _row(f"r7-{storing}")
    assert row.status == "mislukt" and row.attempts == 4, _context(worker, sink)
    expected = "SMTPRecipientsRefused" if storing == "weigert" else "SMTPServerDisconnected"
    assert row.error and expected in row.error and (storing == "hangt" or "451" in row.error), row.error
    assert [attempts for attempts, _, _ in seen] == [1, 2, 3, 4], seen
    assert len(sink.attempts) == 4 and sink.count() == 0
    _assert_backoff(seen, sink.attempts)
    db.session.rollback()

    sink.refuse, sink.hang = None, False
    _resend_as_beheerder(direct_app, mail_id, "Storing bij de mailserver")
    assert _wait(_all_sent(1), timeout=20), _context(worker, sink)
    time.sleep(SWEEP_GRACE)
    assert sink.sleutels() == [f"r7-{storing}"]


def _assert_backoff(seen: list[tuple[int, datetime | None, float]], attempts_at: list[float]) -> None:
    """Each wait lies in its own window [base*2^(n-1)/2, base*2^(n-1)]: growing, with jitter,
    and the worker never tries again before the wait is over."""
    base = float(RETRY["MAIL_RETRY_BASE_SECONDS"])
    gaps = []
    for attempts, next_try, noticed in seen[:-1]:  # the last one is mislukt: no next try
        assert next_try is not None
        window = base * 2 ** (attempts - 1)
        gap = next_try.timestamp() - noticed
        assert window / 2 - POLL_LAG_S <= gap <= window, (attempts, gap, window)
        assert attempts_at[attempts] >= next_try.timestamp() - 0.05, "retried before the backoff was over"
        gaps.append(gap)
    assert all(later >= earlier - POLL_LAG_S for earlier, later in zip(gaps, gaps[1:], strict=False)), gaps
    assert seen[-1][1] is None
