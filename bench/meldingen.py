"""Mail latency: from the commit of a status change to the moment an SMTP server accepted its mail.

A real Celery worker (solo pool, embedded beat, default sweep interval, as `make run` starts it)
sends to a local SMTP server (tests/smtp_sink.py); the changes are committed one by one at a
steady pace. Measured once with the embedded broker (Kombu's SQLAlchemy transport on a SQLite
file, the `make run` default) and once with Redis. Prints median and p95; no assertions.

Usage: .venv/bin/python bench/meldingen.py [--changes 200] [--pace 0.05] [--database-url URL]
Target (issue 6): p95 < 5 s. Redis from REDIS_URL (default redis://127.0.0.1:6379/15).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from app import create_app  # noqa: E402
from models import Dossier, OutgoingMail, db  # noqa: E402
from tests.smtp_sink import SmtpSink  # noqa: E402
from tests.workers import Worker, worker_env  # noqa: E402
from web.seed import create_world  # noqa: E402
from workflow.engine.definitions import publish_all  # noqa: E402
from workflow.engine.runtime import set_status  # noqa: E402
from workflow.hulpvragen import create_hulpvraag  # noqa: E402

TARGET_P95_S = 5.0
STATUSES = ("Aanmelding", "In behandeling")


def run(broker_url: str, database_url: str, changes: int, pace: float, folder: Path) -> list[float]:
    """Seconds from commit to acceptance, one figure per mail the status changes queued."""
    sink = SmtpSink().start()
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": database_url,
                      "BPMN_PUBLISH_ON_START": False, "CELERY_BROKER_URL": broker_url})  # fmt: skip
    env = worker_env(database_url, broker_url, folder, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(sink.port))
    worker = Worker(env, folder)
    try:
        with app.app_context():
            hulpvraag_id = _fresh_database(app.config["BPMN_DIR"])
            worker.start()
            _wait_until(lambda: "ready." in worker.log(), 60, "the worker did not start")
            committed = _change_statuses(hulpvraag_id, changes, pace)
            _wait_until(lambda: set(committed) <= set(sink.sleutels()), 120, "not every mail arrived")
            accepted = {r.sleutel: r.at for r in sink.received}
            db.session.remove()
            db.drop_all()
        return [accepted[key] - at for key, at in committed.items()]
    finally:
        worker.stop()
        sink.stop()


def _fresh_database(bpmn_dir: str) -> int:
    """An empty schema, the demo world and one hulpvraag whose status the bench changes."""
    db.drop_all()
    db.create_all()
    publish_all(bpmn_dir)
    world = create_world()
    dossier = Dossier(swv_id=world.swv.id, school_id=world.scholen[0].id, roepnaam="B", achternaam="Ench")
    db.session.add(dossier)
    db.session.flush()
    hulpvraag = create_hulpvraag(dossier, world.users["aanvrager"], titel="KANS", omschrijving="bench")
    db.session.commit()
    return int(hulpvraag.id)


def _change_statuses(hulpvraag_id: int, changes: int, pace: float) -> dict[str, float]:
    """Commit ``changes`` status changes; returns each queued mail's key with its commit time."""
    from models import Hulpvraag

    committed: dict[str, float] = {}
    last_id = db.session.scalar(sa.select(sa.func.max(OutgoingMail.id))) or 0
    for i in range(changes):
        hulpvraag = db.session.get(Hulpvraag, hulpvraag_id)
        assert hulpvraag is not None
        set_status(hulpvraag, STATUSES[i % 2], "bench", None, "bench")
        db.session.commit()  # publishes the mail's task after the commit, as a web request does
        at = time.time()
        new = db.session.execute(sa.select(OutgoingMail.id, OutgoingMail.sleutel).where(OutgoingMail.id > last_id))
        for mail_id, key in new:
            committed[key] = at
            last_id = max(last_id, mail_id)
        db.session.rollback()
        time.sleep(pace)
    return committed


def _wait_until(condition, timeout: float, message: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(message)
        time.sleep(0.05)


def report(name: str, latencies: list[float]) -> None:
    ordered = sorted(latencies)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    verdict = "ok" if p95 < TARGET_P95_S else "ABOVE TARGET"
    print(f"{name:<48} mails {len(ordered):>4}   median {statistics.median(ordered):6.3f} s   "
          f"p95 {p95:6.3f} s   max {ordered[-1]:6.3f} s   (target p95 < {TARGET_P95_S:.0f} s: {verdict})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--pace", type=float, default=0.05, help="seconds between two committed changes")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file per broker")
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    print(f"{args.changes} status changes, one every {args.pace * 1000:.0f} ms; worker: solo pool, embedded beat, "
          "default sweep; latency = commit -> accepted by the SMTP server")  # fmt: skip
    for name, broker in (("embedded broker (sqla+sqlite)", "sqla+sqlite:///{folder}/broker.sqlite"),
                         ("redis", redis_url)):  # fmt: skip
        folder = Path(tempfile.mkdtemp(prefix="meldingen-"))
        url = args.database_url or f"sqlite:///{folder / 'bench.sqlite'}"
        if broker.startswith("redis"):
            try:
                redis.Redis.from_url(broker, socket_connect_timeout=3).flushdb()
            except redis.RedisError as exc:
                print(f"{name:<48} skipped: {exc}")
                continue
        latencies = run(broker.format(folder=folder), url, args.changes, args.pace, folder)
        report(f"{name}, database {url.split(':')[0]}", latencies)


if __name__ == "__main__":
    main()
