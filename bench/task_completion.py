"""Cost of completing one user task, on a fresh case and on a case with a long history.

Prints medians in milliseconds and the ratio; no assertions (the machine is shared and noisy).
Usage: .venv/bin/python bench/task_completion.py [--rounds 200] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from app import create_app  # noqa: E402
from models import Dossier, Hulpvraag, HumanTask, db  # noqa: E402
from web.seed import create_world  # noqa: E402
from workflow.engine.definitions import publish_all  # noqa: E402
from workflow.engine.runtime import complete_task  # noqa: E402
from workflow.hulpvragen import create_hulpvraag  # noqa: E402

INCOMPLEET = {"besluit": "dossier_incompleet", "ontbreekt": "OPP", "reden": "Nog niet compleet"}


def intake_bij_scp(world, omschrijving: str = "bench") -> Hulpvraag:  # type: ignore[no-untyped-def]
    """A new intake hulpvraag whose school step is done: its open task is the SCP's assessment."""
    dossier = Dossier(swv_id=world.swv.id, school_id=world.scholen[0].id, roepnaam="B", achternaam="Ench")
    db.session.add(dossier)
    db.session.flush()
    hulpvraag = create_hulpvraag(dossier, world.users["aanvrager"], titel="KANS", omschrijving=omschrijving)
    db.session.commit()
    complete_task(open_task(hulpvraag.id).id, world.users["aanvrager"], {"ouders_geinformeerd": "ja"})
    db.session.commit()
    return hulpvraag


def open_task(hulpvraag_id: int) -> HumanTask:
    return db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag_id, completed_at=None)).one()


def one_round(world, hulpvraag_id: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Time SCP 'incompleet' and school 'aanvullen' (HTTP excluded: engine + persistence + commit)."""
    times = []
    for user, data in ((world.users["scp"], INCOMPLEET), (world.users["aanvrager"], {"aangevuld": "OPP erbij"})):
        task_id = open_task(hulpvraag_id).id
        start = time.perf_counter()
        complete_task(task_id, user, data)
        db.session.commit()
        times.append((time.perf_counter() - start) * 1000)
    return times[0], times[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=100, help="history length: rounds of incompleet + aanvullen")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "BPMN_PUBLISH_ON_START": False, "CELERY_BROKER_URL": "memory://"})  # fmt: skip
    with app.app_context():
        db.drop_all()
        db.create_all()
        publish_all(app.config["BPMN_DIR"])
        world = create_world()
        hulpvraag = intake_bij_scp(world)
        samples: list[float] = []
        early: list[float] = []
        for i in range(args.rounds):
            pair = one_round(world, hulpvraag.id)
            (early if i < 5 else samples).extend(pair)
        late = samples[-10:]
        completed = db.session.scalar(sa.select(sa.func.count()).where(HumanTask.completed_at.is_not(None)))
        print(f"database: {db.engine.dialect.name}; completed tasks at the end: {completed}")
        print(f"median completion, first 5 rounds (<= 11 completed tasks): {statistics.median(early):.1f} ms")
        print(f"median completion, last 5 rounds (~{completed} completed tasks): {statistics.median(late):.1f} ms")
        print(f"ratio late/early: {statistics.median(late) / statistics.median(early):.2f}")
        db.drop_all()


if __name__ == "__main__":
    main()
