"""Time to preview and to migrate 1,000 running cases of one version to the next.

The cases run the intake (bpmn/hulpvraag.bpmn) and wait at "Aanmelding beoordelen". One case is
started the ordinary way; the others are copies of its rows (hulpvraag, instance state, open
HumanTask), so setting up is quick. The next version renames the open task and changes its
form, so every case has a changed open task (the row that mirrors it is rebuilt too).

Each round makes a fresh set of cases on version 1, then times ``voorbeeld`` (a dry-run move
per case) and ``migreer`` (every case moved and committed on its own). Anchors measured in the
same run: loading one case from its stored state, and one task completion (engine,
persistence and commit). Prints medians and ratios; no assertions (the machine is shared).
Usage: .venv/bin/python bench/migratie.py [--cases 1000] [--rounds 3] [--database-url URL]
"""

from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from app import create_app  # noqa: E402
from bench.task_completion import intake_bij_scp, open_task  # noqa: E402
from models import Hulpvraag, HumanTask, ProcessDefinition, ProcessInstance, db  # noqa: E402
from web.seed import create_world  # noqa: E402
from workflow.engine.definitions import publish, read_diagram  # noqa: E402
from workflow.engine.migratie import migreer, voorbeeld  # noqa: E402
from workflow.engine.runtime import _load, complete_task  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
INCOMPLEET = {"besluit": "dossier_incompleet", "ontbreekt": "OPP", "reden": "Nog niet compleet"}


def publish_v1(folder: Path) -> ProcessDefinition:
    """Version 1: the intake as it is."""
    for path in (ROOT / "bpmn").glob("hulpvraag*"):
        shutil.copy(path, folder / path.name)
    v1, _ = publish(read_diagram(folder / "hulpvraag.bpmn"))
    db.session.commit()
    return v1


def publish_v2(folder: Path) -> ProcessDefinition:
    """Version 2: the open task renamed and its form changed."""
    diagram = folder / "hulpvraag.bpmn"
    diagram.write_text(diagram.read_text().replace('name="Aanmelding beoordelen"', 'name="Aanmelding toetsen"'))
    form = folder / "hulpvraag-beoordelen.json"
    form.write_text(form.read_text().replace('"title": "Reden"', '"title": "Motivering"'))
    v2, _ = publish(read_diagram(diagram))
    db.session.commit()
    return v2


def template_case(world) -> tuple[ProcessInstance, dict[str, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    """One case on v1 at "Aanmelding beoordelen", started and completed the ordinary way, and its rows as
    dicts to copy; the case itself is then set aside (marked completed), so every round has exactly n cases."""
    hulpvraag = intake_bij_scp(world)
    instance = db.session.scalars(sa.select(ProcessInstance).filter_by(hulpvraag_id=hulpvraag.id)).one()
    objects = {"hulpvraag": hulpvraag, "instance": instance, "task": open_task(hulpvraag.id)}
    rows = {name: {c.key: getattr(o, c.key) for c in o.__table__.columns if c.key != "id"}
            for name, o in objects.items()}  # fmt: skip
    instance.completed = True
    db.session.commit()
    return instance, rows


def copy_cases(rows: dict[str, dict[str, Any]], count: int, round_no: int) -> None:
    """``count`` copies of the template case's rows (hulpvraag, instance, open task), inserted in bulk."""
    prefix = f"B{round_no}-"
    hulpvragen = [{**rows["hulpvraag"], "aanvraagnummer": f"{prefix}{i:06d}"} for i in range(count)]
    db.session.execute(sa.insert(Hulpvraag), hulpvragen)
    ids = list(db.session.scalars(sa.select(Hulpvraag.id).where(Hulpvraag.aanvraagnummer.like(f"{prefix}%"))))
    db.session.execute(sa.insert(ProcessInstance), [{**rows["instance"], "hulpvraag_id": hid} for hid in ids])
    instances = dict(db.session.execute(
        sa.select(ProcessInstance.hulpvraag_id, ProcessInstance.id).where(ProcessInstance.hulpvraag_id.in_(ids))
    ).all())  # fmt: skip
    db.session.execute(sa.insert(HumanTask), [
        {**rows["task"], "instance_id": instances[hid], "hulpvraag_id": hid} for hid in ids
    ])  # fmt: skip
    db.session.commit()


def median_ms(action, repeat: int) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def completion_anchor(world) -> float:  # type: ignore[no-untyped-def]
    """One SCP completion on a fresh intake case (engine + persistence + commit), as bench/task_completion.py."""
    hulpvraag = intake_bij_scp(world, "anker")
    samples = []
    for user, data in [(world.users["scp"], INCOMPLEET), (world.users["aanvrager"], {"aangevuld": "OPP"})] * 10:
        task_id = open_task(hulpvraag.id).id
        start = time.perf_counter()
        complete_task(task_id, user, data)
        db.session.commit()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "BPMN_PUBLISH_ON_START": False, "CELERY_BROKER_URL": "memory://"})  # fmt: skip
    logging.getLogger("workflow.engine.migratie").setLevel(logging.WARNING)  # one line per moved case
    with app.app_context():
        db.drop_all()
        db.create_all()
        world = create_world()
        v1 = publish_v1(folder)
        template, rows_to_copy = template_case(world)
        v2 = publish_v2(folder)
        load_ms = median_ms(lambda: _load(template), 200)
        complete_ms = completion_anchor(world)
        previews, moves = [], []
        for round_no in range(args.rounds):
            copy_cases(rows_to_copy, args.cases, round_no)
            start = time.perf_counter()
            rows = voorbeeld(v1, v2)
            previews.append(time.perf_counter() - start)
            start = time.perf_counter()
            results = migreer(v1, v2, None, None)
            moves.append(time.perf_counter() - start)
            moved = sum(r.verplaatst for r in results)
            print(f"round {round_no + 1}: preview {previews[-1]:.2f} s ({sum(r.kan for r in rows)} of {len(rows)} "
                  f"can move), migrate {moves[-1]:.2f} s ({moved} of {len(results)} moved)")  # fmt: skip
        n = args.cases
        preview, move = statistics.median(previews), statistics.median(moves)
        print(f"database: {db.engine.dialect.name}; {n} running cases per round, {args.rounds} rounds")
        print(f"median preview of {n} cases: {preview:.2f} s ({preview / n * 1000:.2f} ms per case)")
        print(f"median migration of {n} cases: {move:.2f} s ({move / n * 1000:.2f} ms per case)")
        print(f"anchor: loading one case {load_ms:.2f} ms; one task completion {complete_ms:.1f} ms")
        print(f"ratio per case: preview/load {preview / n * 1000 / load_ms:.1f}, "
              f"migration/completion {move / n * 1000 / complete_ms:.2f}")  # fmt: skip
        db.drop_all()


if __name__ == "__main__":
    main()
