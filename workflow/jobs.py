"""Background work with Celery, wired the Flask way (see Flask's examples/celery).

Tasks take ids, never objects; JSON only. The default broker is Kombu's SQLAlchemy transport
on a SQLite file, so development runs the same code path as production with Redis.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery, Task, shared_task
from celery.schedules import crontab
from flask import Flask

log = logging.getLogger(__name__)


def celery_settings(config: Any) -> dict[str, Any]:
    """Worker settings that make a lost worker or broker hiccup harmless (R8)."""
    return {
        "broker_url": config["CELERY_BROKER_URL"],
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_always_eager": config["CELERY_ALWAYS_EAGER"],
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": _transport_options(config),
        "task_time_limit": 300,
        "task_soft_time_limit": 240,
        "beat_schedule": {
            "fire-due-timers": {
                "task": "workflow.jobs.fire_due_timers",
                "schedule": config["CELERY_TIMER_INTERVAL"],
            },
            "sweep-mail": {  # mails nobody picked up (broker down at commit), retries, expired leases
                "task": "workflow.mail.sweep_mail",
                "schedule": config["CELERY_MAIL_INTERVAL"],
            },
            "dagoverzicht-taken": {  # for users who chose one mail a day instead of one per task
                "task": "workflow.meldingen.send_dagoverzichten",
                "schedule": crontab(hour=config["MAIL_DIGEST_HOUR"], minute=0),
            },
            "lvs-pushes": {  # status pushes to LVS callback URLs that are due or whose task was lost
                "task": "workflow.lvs_push.bezorg_wachtende_pushes",
                "schedule": config["CELERY_LVS_PUSH_INTERVAL"],
            },
            "gekozen-bestanden-opruimen": {  # files kept for a form that came back, never submitted
                "task": "workflow.jobs.ruim_gekozen_bestanden_op",
                "schedule": crontab(minute=17),
            },
            "list-due-retention": {  # proposes only; a beheerder approves every deletion
                "task": "workflow.retention.list_due_retention",
                "schedule": crontab(day_of_month=1, hour=3, minute=0),
            },
        },
        "timezone": "Europe/Amsterdam",
        # workflow/beat_lock.py: where beat takes its lock, so only one beat schedules at a time
        "kansrijk_database_url": config.get("SQLALCHEMY_DATABASE_URI"),
        "kansrijk_instance_path": config["INSTANCE_PATH"],
        "beat_schedule_filename": f"{config['INSTANCE_PATH']}/celerybeat-schedule",
    }


def _transport_options(config: Any) -> dict[str, Any]:
    """visibility_timeout is a Redis/SQS option; Kombu's SQLAlchemy transport hands every
    option to create_engine(), which refuses unknown ones."""
    if str(config["CELERY_BROKER_URL"]).startswith(("redis", "rediss", "sqs")):
        return {"visibility_timeout": config["CELERY_VISIBILITY_TIMEOUT"]}
    return {}


def celery_init_app(app: Flask) -> Celery:
    # Modules whose receivers listen to workflow.signals: imported here, in the web app and the worker alike.
    from workflow import beat_lock, lvs_push, meldingen  # noqa: F401 - beat_lock: one beat at a time

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    include = ["workflow.jobs", "workflow.mail", "workflow.meldingen", "workflow.lvs_push", "workflow.retention"]
    celery_app = Celery(app.name, task_cls=FlaskTask, include=include)
    celery_app.config_from_object(celery_settings({**app.config, "INSTANCE_PATH": app.instance_path}))
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


@shared_task(ignore_result=True)
def fire_due_timers() -> int:
    """Fire every due timer; safe to run twice at once (row lock + version column). A timer step the
    engine cannot take saves nothing and becomes an incident (the sweep stops retrying that case)."""
    from models import db
    from workflow import incidenten
    from workflow.engine.runtime import ProcessFailed, TaskAlreadyDone, due_instance_ids, fire_timers_or_fail

    fired = 0
    for instance_id in due_instance_ids():
        try:
            if fire_timers_or_fail(instance_id):
                incidenten.na_succes(incidenten.sleutel_timer(instance_id), None)
                fired += 1
            db.session.commit()
        except ProcessFailed as exc:
            db.session.rollback()
            log.error("timer failed for instance %s at %s", instance_id, exc.bpmn_id)
            incidenten.bij_timer(instance_id, exc)
        except TaskAlreadyDone:  # another sweep handled this instance first
            db.session.rollback()
        except Exception:
            db.session.rollback()
            log.exception("timer sweep failed for instance %s", instance_id)
    return fired


@shared_task(ignore_result=True)
def ruim_gekozen_bestanden_op() -> int:
    """Hourly: remove files chosen on a form that came back and were never submitted (after 24 h)."""
    from models import db
    from workflow import gekozen_bestanden

    removed = gekozen_bestanden.ruim_op()
    db.session.commit()
    return removed
