"""GET /healthz: can this process reach its database and its broker?

For load balancers and monitoring: no login, no pupil data, no error details (those go to
the log). 200 when both are reachable, 503 otherwise.

``diagrammen`` says whether the last publication of the diagrams was refused and which ones
(``{"ok": false, "geweigerd": ["tlv"]}``; ``"ok": null`` when the database cannot tell). A
refused diagram is not an outage: the previous version stays live and every page serves, so
it does not change the status code; monitoring should alert on it separately.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from celery import Celery
from flask import Blueprint, current_app, jsonify
from werkzeug.wrappers import Response

from models import db
from web import policy
from workflow.engine.publiceren import laatste_weigering

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)
BROKER_TIMEOUT_S = 3


@bp.get("/healthz")
@policy.public
def healthz() -> tuple[Response, int]:
    database, broker = database_ok(), broker_ok(current_app.extensions["celery"])
    body = {
        "status": "ok" if database and broker else "fout",
        "database": {"ok": database},
        "broker": {"ok": broker},
        "diagrammen": diagrammen() if database else {"ok": None},
    }
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if database and broker else 503


def diagrammen() -> dict[str, object]:
    try:
        weigering = laatste_weigering()
    except Exception as exc:  # not migrated yet, or the database went away: cannot tell
        db.session.rollback()
        log.warning("health: publications unknown (%s)", type(exc).__name__)
        return {"ok": None}
    return {"ok": weigering is None, "geweigerd": weigering.geweigerd if weigering else []}


def database_ok() -> bool:
    try:
        with db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as exc:  # any failure means "not reachable"; the reason goes to the log
        log.warning("health: database unreachable (%s)", type(exc).__name__)
        return False
    return True


def broker_ok(celery: Celery) -> bool:
    """Declare the default queue over a pooled connection (virtual transports such as SQLAlchemy
    only touch their storage on a queue operation, Redis already on connect). A connection that
    failed is closed before it goes back to the pool, so the next check connects afresh."""
    try:
        connection = celery.pool.acquire(block=True, timeout=BROKER_TIMEOUT_S)
    except Exception as exc:  # noqa: BLE001 - the pool is exhausted or broken: not reachable
        log.warning("health: broker pool unavailable (%s)", type(exc).__name__)
        return False
    try:
        connection.ensure_connection(max_retries=1, interval_start=0.2, timeout=BROKER_TIMEOUT_S)
        connection.default_channel.queue_declare(queue=celery.conf.task_default_queue)
    except Exception as exc:  # any failure means "not reachable"; the reason goes to the log
        log.warning("health: broker unreachable (%s)", type(exc).__name__)
        connection.collect()  # drop the broken transport; the pool hands out a fresh one next time
        return False
    finally:
        connection.release()
    return True
