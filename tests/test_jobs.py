"""Background jobs: the worker settings that make a lost worker harmless (R8), and a real
Celery worker with beat firing a BPMN timer against the test database."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from app import create_app
from models import Dossier, Hulpvraag, Statuswijziging, db
from tests import workers
from tests.workers import REDIS_URL
from web.seed import DemoWorld
from workflow.engine.definitions import publish, read_diagram
from workflow.engine.runtime import start_process
from workflow.hulpvragen import create_hulpvraag

TIMER_DIAGRAM = Path(__file__).resolve().parent / "diagrams" / "timer.bpmn"
WAIT_FOR_TIMER_S = 40
redis_url, worker = workers.redis_url, workers.worker  # fixtures shared with test_mail_reliability


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
    # Mail: Redis hands a task on only after its lease, and a lease outlives one SMTP wait.
    assert conf.broker_transport_options["visibility_timeout"] > app.config["MAIL_LEASE_SECONDS"], (
        "Redis would hand a mail still being sent to a second worker before its lease ends"
    )
    assert app.config["MAIL_LEASE_SECONDS"] > app.config["MAIL_TIMEOUT_SECONDS"], (
        "a lease must outlast the SMTP timeout, or a slow send is taken over while it runs"
    )
    sweeps = [entry for entry in conf.beat_schedule.values() if entry["task"] == "workflow.mail.sweep_mail"]
    assert len(sweeps) == 1 and sweeps[0]["schedule"] == app.config["CELERY_MAIL_INTERVAL"], (
        "without the sweep a mail queued while the broker was down is never sent"
    )


# --- a real worker with beat ----------------------------------------------------------------
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
