"""How quickly the sandbox stops runaway diagram code, and what a normal step costs meanwhile.

For every denial-of-service case of the hostile corpus (tests/test_sandbox.py) it runs the
diagram up to the user task, completes it, and measures how long the engine takes to stop
the runaway code (median of ``--rounds``). The anchor is the same diagram with harmless code,
measured in the same run. The time a web request waits meanwhile is measured by
tests/test_sandbox_web.py, which prints it.

    .venv/bin/python bench/sandbox.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.test_sandbox import CORPUS, diagram, run_unchecked  # noqa: E402
from workflow.engine.run import EngineError  # noqa: E402


def stop_time(where: str, code: str) -> tuple[float, str]:
    run = run_unchecked(diagram(where, code))
    [task] = run.ready_user_tasks()
    started = time.perf_counter()
    try:
        run.complete(str(task.id), {})
        run.fast_forward_timers()
    except EngineError as exc:
        return time.perf_counter() - started, str(exc)
    return time.perf_counter() - started, "niet gestopt!"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    anchor = statistics.median(_anchor() for _ in range(max(rounds, 5)))
    print(f"anchor: a harmless script step takes {anchor * 1000:.2f} ms (median)\n")
    start = [c[0] for c in CORPUS].index("power tower")
    print(f"{'case':32} {'stopped after':>14} {'× anchor':>10}  message")
    for name, where, code, _static in CORPUS[start:]:
        timings, message = [], ""
        for _ in range(rounds):
            seconds, message = stop_time(where, code)
            timings.append(seconds)
        median = statistics.median(timings)
        print(f"{name:32} {median:>12.3f} s {median / anchor:>10.0f}  {message[:90]}")


def _anchor() -> float:
    seconds, _message = _timed_harmless()
    return seconds


def _timed_harmless() -> tuple[float, str]:
    run = run_unchecked(diagram("script", "x = 1\ntotaal = sum(range(100))"))
    [task] = run.ready_user_tasks()
    started = time.perf_counter()
    run.complete(str(task.id), {})
    run.fast_forward_timers()
    return time.perf_counter() - started, ""


if __name__ == "__main__":
    main()
