"""Background jobs: the worker settings that make a lost worker harmless (R8), and a real
Celery worker with beat firing a BPMN timer against the test database."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from flask import Flask

from app import create_app
from models import Dossier, Hulpvraag, Statuswijziging, db
from web.seed import DemoWorld
from workflow.definitions import publish, read_diagram
from workflow.hulpvragen import create_hulpvraag
from workflow.runtime import start_process

ROOT = Path(__file__).resolve().parent.parent
TIMER_DIAGRAM = Path(__file__).resolve().parent / "diagrams" / "timer.bpmn"
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
WAIT_FOR_TIMER_S = 40


# --- R8: settings drift -------------------------------------------------------------------
def test_worker_settings_make_a_lost_worker_harmless(tmp_path: Path) -> None:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'jobs.sqlite'}",
            "BPMN_PUBLISH_ON_START": False,
            "CELERY_BROKER_URL": REDIS_URL,
        }
    )
    conf = app.extensions["celery"].conf

    assert conf.task_acks_late is True, "a task must be acknowledged only after it ran"
    assert conf.task_reject_on_worker_lost is True, "a killed worker must hand its task back"
    assert conf.worker_prefetch_multiplier == 1, "a worker must not hoard tasks it cannot run"
    assert conf.task_time_limit, "tasks need a hard time limit"
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit, (
        "Redis would hand a still-running task to a second worker"
    )
    assert conf.task_serializer == "json"
    assert list(conf.accept_content) == ["json"]


# --- a real worker with beat ----------------------------------------------------------------
@pytest.fixture
def redis_url() -> str:
    """Redis for the worker; unreachable fails the run in CI and skips it elsewhere."""
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
        client.flushdb()  # no stale tasks from an earlier run
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis op {REDIS_URL} is niet bereikbaar in CI: {exc}")
        pytest.skip(f"Redis op {REDIS_URL} is niet bereikbaar: {exc}")
    return REDIS_URL


@pytest.fixture
def worker(database_url: str, redis_url: str, tmp_path: Path) -> Iterator[Path]:
    """A Celery worker with embedded beat in its own process group; yields its log file."""
    log_file = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_hex(16),
        "CELERY_BROKER_URL": redis_url,
        "CELERY_TIMER_INTERVAL": "1",
        "BPMN_PUBLISH_ON_START": "0",
        "BPMN_DIR": str(tmp_path / "bpmn"),
    }
    command = [
        str(ROOT / ".venv" / "bin" / "celery"), "-A", "workflow.worker", "worker", "-B",
        "--pool=solo", "--loglevel=INFO", "--schedule", str(tmp_path / "celerybeat-schedule"),
    ]  # fmt: skip
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield log_file
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Warm shutdown first; then kill the whole group, embedded beat included."""
    process.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=20)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _hulpvraag_with_timer(world: DemoWorld) -> int:
    """A hulpvraag whose 'timer' process waits one second, then sets status Afgerond."""
    publish(read_diagram(TIMER_DIAGRAM))
    aanvrager = world.users["aanvrager"]
    school = world.scholen[0]
    dossier = Dossier(swv_id=world.swv.id, school_id=school.id, roepnaam="Test", achternaam="Timer")
    db.session.add(dossier)
    db.session.flush()
    hulpvraag = create_hulpvraag(dossier, aanvrager, titel="KANS")
    start_process(hulpvraag, "timer", aanvrager)
    db.session.commit()
    return int(hulpvraag.id)


def _wait_for_status(hulpvraag_id: int, status: str) -> bool:
    deadline = time.monotonic() + WAIT_FOR_TIMER_S
    while time.monotonic() < deadline:
        db.session.expire_all()
        if db.session.get(Hulpvraag, hulpvraag_id).status == status:  # type: ignore[union-attr]
            return True
        db.session.rollback()  # end the read transaction so the worker's commit becomes visible
        time.sleep(0.5)
    return False


@pytest.mark.integration
def test_worker_with_beat_fires_a_due_timer(app: Flask, world: DemoWorld, worker: Path) -> None:
    hulpvraag_id = _hulpvraag_with_timer(world)

    fired = _wait_for_status(hulpvraag_id, "Afgerond")

    log = worker.read_text(errors="replace")
    assert fired, f"timer not fired within {WAIT_FOR_TIMER_S}s; worker log:\n{log[-4000:]}"
    change = db.session.scalar(
        sa.select(Statuswijziging).where(
            Statuswijziging.hulpvraag_id == hulpvraag_id, Statuswijziging.naar == "Afgerond"
        )
    )
    assert change is not None and change.reden == "timer" and change.bron == "status_afgerond"
    assert "fire-due-timers" in log, "beat did not send the timer sweep"
