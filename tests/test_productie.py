"""The production set-up (issue 18 item 7): gunicorn with several workers, several Celery workers
with beat running once, a pooled /healthz, and /metrics for operators.

The end-to-end test starts 2 gunicorn workers and 2 Celery workers (each started with beat, as a
mistaken deploy would) against a fresh PostgreSQL database and Redis, and runs a case: the school
submits, the SCP decides, the status mails are delivered by a worker, and /metrics counts both
completions across the web workers. It runs in the PostgreSQL half of the suite (CI=true).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from app import create_app
from models import db
from tests.conftest import per_worker
from tests.smtp_sink import SmtpSink
from tests.workers import TcpProxy, Worker, redis_address, redis_url  # noqa: F401 - redis_url is a fixture
from workflow import beat_lock

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"


# --- /metrics ------------------------------------------------------------------------------
def test_metrics_for_internal_addresses_only(app: Flask, client: FlaskClient) -> None:
    page = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert page.status_code == 200 and page.mimetype == "text/plain"
    text = page.get_data(as_text=True)
    for name in ("kansrijk_http_request_duration_seconds", "kansrijk_taken_afgerond_total", "kansrijk_mail_wachtrij",
                 "kansrijk_lvs_pushes_wachtrij", "kansrijk_incidenten_open", "kansrijk_timer_achterstand_seconden"):  # fmt: skip
        assert f"# TYPE {name}" in text, name
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200  # monitoring LAN
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "145.97.1.2"}).status_code == 404  # the internet
    app.config["METRICS_TOKEN"] = "geheim-token"
    with_token = client.get("/metrics", environ_base={"REMOTE_ADDR": "145.97.1.2"},
                            headers={"Authorization": "Bearer geheim-token"})  # fmt: skip
    assert with_token.status_code == 200
    wrong = client.get("/metrics", environ_base={"REMOTE_ADDR": "145.97.1.2"}, headers={"Authorization": "Bearer x"})
    assert wrong.status_code == 404


def test_metrics_count_completions_and_carry_no_pupil_data(app: Flask, client: FlaskClient, world, auth) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import new_hulpvraag

    def completions() -> float:
        text = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_data(as_text=True)
        return float(re.search(r"^kansrijk_taken_afgerond_total (\S+)$", text, re.M).group(1))  # type: ignore[union-attr]

    before = completions()
    hulpvraag = new_hulpvraag(world, roepnaam="Zoë")
    auth.login("aanvrager")
    task = _open_task_id(hulpvraag.id)
    page = client.get(f"/taken/{task}")
    from tests.conftest import csrf_token

    client.post(f"/taken/{task}", data={"csrf_token": csrf_token(page.text), "ouders_geinformeerd": "ja"})
    assert completions() == before + 1
    text = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_data(as_text=True)
    assert "Zoë" not in text and f"/taken/{task}" not in text and 'endpoint="taken.complete"' in text


def _open_task_id(hulpvraag_id: int) -> int:
    from models import HumanTask

    return db.session.scalar(
        sa.select(HumanTask.id).where(HumanTask.hulpvraag_id == hulpvraag_id, HumanTask.completed_at.is_(None))
    )


# --- /healthz over a pooled broker connection ----------------------------------------------
def test_healthz_recovers_when_the_broker_comes_back(database_url: str, redis_url: str, tmp_path: Path) -> None:  # noqa: F811
    proxy = TcpProxy(*redis_address(redis_url)).start()
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database_url,
                      "BPMN_PUBLISH_ON_START": False, "CELERY_BROKER_URL": proxy.url(redis_url)})  # fmt: skip
    client = app.test_client()
    try:
        timings = []
        for _ in range(21):
            start = time.perf_counter()
            assert client.get("/healthz").status_code == 200
            timings.append(time.perf_counter() - start)
        proxy.stop()
        assert client.get("/healthz").status_code == 503
        proxy.start()
        assert client.get("/healthz").status_code == 200  # the broken pooled connection was dropped
    finally:
        proxy.stop()
    timings.sort()
    print(f"\n/healthz over a pooled broker connection: median {timings[10] * 1000:.1f} ms")


# --- beat runs once ------------------------------------------------------------------------
HOLD = """
import sys, time
from workflow import beat_lock
print("ok" if beat_lock.acquire(sys.argv[1], sys.argv[2], wait=False) else "bezet", flush=True)
time.sleep(30)
"""


def test_a_second_beat_waits_while_the_first_holds_the_lock(database_url: str, tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, database_url, str(tmp_path)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        second = subprocess.run([sys.executable, "-c", HOLD.replace("time.sleep(30)", ""), database_url,
                                 str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=60)  # fmt: skip
        assert second.stdout.strip() == "bezet"
    finally:
        holder.kill()
        holder.wait()
    third = subprocess.run([sys.executable, "-c", HOLD.replace("time.sleep(30)", ""), database_url,
                            str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert third.stdout.strip() == "ok"  # the lock went with the first process
    beat_lock._held.clear()


# --- 2 gunicorn workers + 2 Celery workers, one case end to end -----------------------------
@pytest.fixture
def productie_database(database_url: str) -> Iterator[str]:
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("draait in de PostgreSQL-helft van de suite (CI=true)")
    name = per_worker("kansrijk_productie_test")
    server = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    drop = sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    with server.connect() as connection:
        connection.execute(drop)
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(drop)
        server.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(check, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):
            if check():
                return
        time.sleep(0.3)
    raise AssertionError(f"{what} na {seconds} s nog niet gelukt")


def _login(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    answer = session.post(f"{base}/login", data={"csrf_token": token, "username": username,
                                                 "password": "kansrijk-demo"}, timeout=10)  # fmt: skip
    assert "Mijn taken" in answer.text, answer.text[:500]
    return session


def _complete(session: requests.Session, base: str, task_id: int, data: dict[str, str]) -> requests.Response:
    page = session.get(f"{base}/taken/{task_id}", timeout=10)
    assert page.status_code == 200, page.text[:500]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    return session.post(f"{base}/taken/{task_id}", data={"csrf_token": token, **data}, timeout=30)


def test_two_web_and_two_celery_workers_run_a_case(productie_database: str, redis_url: str, tmp_path: Path) -> None:  # noqa: F811
    sink = SmtpSink().start()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ, "DATABASE_URL": productie_database, "CELERY_BROKER_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url, "SECRET_KEY": secrets.token_hex(32), "KANSRIJK_DEMO": "1",
        "KANSRIJK_LOCAL_HTTP": "1", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(sink.port), "BASE_URL": base,
        "KANSRIJK_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "m"),
        "CELERY_MAIL_INTERVAL": "1",
    }  # fmt: skip
    (tmp_path / "m").mkdir()
    for command in (["db", "upgrade"], ["seed-demo"]):
        done = subprocess.run([str(BIN / "flask"), "--app", "app", *command], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
    web_log = (tmp_path / "gunicorn.log").open("wb")
    web = subprocess.Popen([str(BIN / "gunicorn"), "-c", "scripts/gunicorn.conf.py", "app:create_app()"], cwd=ROOT,
                           env=env, stdout=web_log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    workers = []
    for i in (1, 2):
        folder = tmp_path / f"worker{i}"
        folder.mkdir()
        workers.append(Worker(env, folder).start())
    engine = sa.create_engine(productie_database)
    try:
        _wait_for(lambda: requests.get(f"{base}/healthz", timeout=5).status_code == 200, 120, "gunicorn starten")

        def open_task(titel_like: str, rol: str) -> int:
            with engine.connect() as connection:
                return connection.scalar(sa.text(
                    "SELECT t.id FROM human_task t JOIN hulpvraag h ON h.id = t.hulpvraag_id JOIN dossier d "
                    "ON d.id = h.dossier_id WHERE t.completed_at IS NULL AND d.achternaam = :naam AND t.rol = :rol"
                ), {"naam": titel_like, "rol": rol})  # fmt: skip

        school = _login(base, "aanvrager")
        indienen = open_task("Boven", "aanvrager")
        assert _complete(school, base, indienen, {"ouders_geinformeerd": "ja"}).status_code == 200
        scp = _login(base, "scp")
        _wait_for(lambda: open_task("Boven", "scp") is not None, 10, "taak voor de SCP")
        beoordelen = open_task("Boven", "scp")
        answer = _complete(scp, base, beoordelen, {"besluit": "dossier_compleet", "reden": "Alles is er."})
        assert answer.status_code == 200, answer.text[:500]
        with engine.connect() as connection:
            status = connection.scalar(sa.text(
                "SELECT h.status FROM hulpvraag h JOIN dossier d ON d.id = h.dossier_id WHERE d.achternaam = 'Boven'"
            ))  # fmt: skip
        assert status.startswith("Dossier compleet"), status
        _wait_for(lambda: len(sink.received) >= 2, 60, "de e-mails bezorgen")  # delivered by a Celery worker

        metrics = requests.get(f"{base}/metrics", timeout=10).text
        total = re.search(r"^kansrijk_taken_afgerond_total (\S+)$", metrics, re.M)
        assert total and float(total.group(1)) == 2.0, metrics[-2000:]  # summed over both web workers
        web_log.flush()
        booted = set(re.findall(r"Booting worker with pid: (\d+)", (tmp_path / "gunicorn.log").read_text()))
        assert len(booted) == 2
        _wait_for(lambda: "beat: lock acquired" in workers[0].log() + workers[1].log(), 30, "beat starten")
        logs = [w.log() for w in workers]
        assert sum("beat: lock acquired" in log for log in logs) == 1, logs
        _wait_for(lambda: any("waits as a standby" in w.log() for w in workers), 30, "de tweede beat laten wachten")
    finally:
        for worker in workers:
            worker.stop()
        web.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            web.wait(timeout=30)
        web.kill()
        web_log.close()
        engine.dispose()
        sink.stop()
