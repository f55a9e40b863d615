"""How late a due BPMN timer takes effect with the default settings (issue 18 P6: ≤ 5 s p95).

Starts a real Celery worker with embedded beat (as `make run` and production do), then starts
a case with a one-second timer every half second; each timer's lateness is the time between
its due moment (``next_timer_at``) and the status its firing sets. Run once with the default
sweep interval and once with the old default (30 s) as the anchor, on the embedded SQLite broker
and on Redis when reachable. Also prints the plan of the sweep query (an index range, not a scan).

Usage: .venv/bin/python bench/timers.py [--cases 30] [--database-url URL] [--redis redis://127.0.0.1:6379/14]
Prints medians and p95; no assertions (the machine is shared and noisy).
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from app import create_app  # noqa: E402
from config import build_config  # noqa: E402
from models import Dossier, ProcessInstance, Statuswijziging, db  # noqa: E402
from web.seed import create_world  # noqa: E402
from workflow.engine.definitions import publish, publish_all, read_diagram  # noqa: E402
from workflow.engine.runtime import due_instance_ids, start_process  # noqa: E402
from workflow.hulpvragen import create_hulpvraag  # noqa: E402

TIMER_DIAGRAM = ROOT / "tests" / "diagrams" / "timer.bpmn"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def run(database_url: str, broker: str, interval: str | None, cases: int, folder: Path) -> list[float]:
    env = {**os.environ, "DATABASE_URL": database_url, "CELERY_BROKER_URL": broker, "SECRET_KEY": secrets.token_hex(16),
           "BPMN_PUBLISH_ON_START": "0", "MAIL_SERVER": ""}  # fmt: skip
    if interval is not None:
        env["CELERY_TIMER_INTERVAL"] = interval
    else:
        env.pop("CELERY_TIMER_INTERVAL", None)
    log = (folder / f"worker-{secrets.token_hex(3)}.log").open("wb")
    command = [str(ROOT / ".venv/bin/celery"), "-A", "workflow.worker", "worker", "-B", "--pool=solo",
               "--loglevel=INFO", "--schedule", str(folder / f"beat-{secrets.token_hex(3)}")]  # fmt: skip
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        log_path = Path(log.name)
        started = time.monotonic()
        while "beat: lock acquired" not in log_path.read_text(errors="replace") or "ready." not in log_path.read_text(
            errors="replace"
        ):
            if time.monotonic() - started > 120 or worker.poll() is not None:
                raise SystemExit(f"de worker start niet; zie {log_path}")
            time.sleep(0.2)  # measure timers, not the worker's start-up
        time.sleep(2.5)  # beat's first interval has passed: it ticks steadily from here
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "BPMN_PUBLISH_ON_START": False,
                          "CELERY_BROKER_URL": broker, "SECRET_KEY": "bench", "CELERY_ALWAYS_EAGER": True})  # fmt: skip
        with app.app_context():
            world_user = db.session.scalar(sa.text("SELECT id FROM \"user\" WHERE username = 'aanvrager'"))
            from models import School, User

            aanvrager = db.session.get(User, world_user)
            school = db.session.scalars(sa.select(School)).first()
            due: dict[int, object] = {}
            for i in range(cases):
                dossier = Dossier(swv_id=school.swv_id, school_id=school.id, roepnaam=f"T{i}", achternaam="Timer")
                db.session.add(dossier)
                db.session.flush()
                hulpvraag = create_hulpvraag(dossier, aanvrager, titel="KANS")
                instance = start_process(hulpvraag, "timer", aanvrager)
                db.session.commit()
                due[hulpvraag.id] = instance.next_timer_at
                time.sleep(0.5)
            deadline = time.monotonic() + 90
            lags: dict[int, float] = {}
            while len(lags) < cases and time.monotonic() < deadline:
                rows = db.session.execute(
                    sa.select(Statuswijziging.hulpvraag_id, Statuswijziging.created_at).where(
                        Statuswijziging.hulpvraag_id.in_(list(due)), Statuswijziging.naar == "Afgerond"
                    )
                ).all()
                for hulpvraag_id, at in rows:
                    moment = due[hulpvraag_id]
                    lags[hulpvraag_id] = (_aware(at) - _aware(moment)).total_seconds()  # type: ignore[arg-type]
                db.session.rollback()
                time.sleep(0.2)
            missing = cases - len(lags)
            if missing:
                print(f"    let op: {missing} timers niet binnen 90 s afgegaan")
            return list(lags.values())
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()


def _aware(value):  # type: ignore[no-untyped-def]
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def prepare(database_url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "BPMN_PUBLISH_ON_START": False, "SECRET_KEY": "bench",
                      "CELERY_BROKER_URL": "memory://", "CELERY_ALWAYS_EAGER": True})  # fmt: skip
    with app.app_context():
        db.drop_all()
        db.create_all()
        create_world()
        db.session.commit()
        publish_all(app.config["BPMN_DIR"])
        publish(read_diagram(TIMER_DIAGRAM))
        db.session.commit()
        plan = db.session.execute(sa.text("EXPLAIN " + str(
            sa.select(ProcessInstance.id).where(ProcessInstance.completed.is_(False),
                                                ProcessInstance.next_timer_at <= sa.func.now())
            .order_by(ProcessInstance.next_timer_at).compile(db.engine, compile_kwargs={"literal_binds": True})
        ))).all() if db.engine.url.get_backend_name() == "postgresql" else db.session.execute(sa.text(
            "EXPLAIN QUERY PLAN SELECT id FROM process_instance WHERE completed = 0 AND next_timer_at <= "
            "CURRENT_TIMESTAMP ORDER BY next_timer_at")).all()  # fmt: skip
        print("  plan van de sweep-query:", " | ".join(str(row[-1]) for row in plan))
        assert due_instance_ids() == []


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=30)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--kort", action="store_true", help="only the default interval, not the 30 s anchor")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-timers-"))
    database_url = args.database_url or f"sqlite:///{folder / 'bench.sqlite'}"
    default = float(build_config(str(folder))["CELERY_TIMER_INTERVAL"])  # type: ignore[arg-type]
    brokers = [("SQLite-broker", f"sqla+sqlite:///{folder / 'broker.sqlite'}")]
    try:
        import redis

        redis.Redis.from_url(args.redis, socket_connect_timeout=2).flushdb()
        brokers.append(("Redis", args.redis))
    except Exception as exc:  # noqa: BLE001
        print(f"Redis niet bereikbaar ({type(exc).__name__}): alleen de SQLite-broker")
    print(f"database: {sa.engine.make_url(database_url).get_backend_name()}, {args.cases} timers per meting")
    prepare(database_url)
    for naam, broker in brokers:
        settings = [(f"standaard ({default:g} s)", None), ("oude standaard (30 s)", "30")]
        for label, interval in settings[: 1 if args.kort else 2]:
            lags = run(database_url, broker, interval, args.cases, folder)
            if lags:
                print(f"  {naam:14} sweep {label:22} te laat: mediaan {statistics.median(lags):5.2f} s, "
                      f"p95 {p95(lags):5.2f} s, max {max(lags):5.2f} s (doel p95 ≤ 5 s)")  # fmt: skip


if __name__ == "__main__":
    main()
