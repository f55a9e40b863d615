"""Run one piece of work in n threads that start at the same moment, each in its own session."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from flask import Flask

from models import db

T = TypeVar("T")


def race(app: Flask, n: int, work: Callable[[int], T]) -> list[T]:
    """``work(i)`` for i in 0..n-1, released together by a barrier; results in order."""
    barrier = threading.Barrier(n)

    def one(i: int) -> T:
        with app.app_context():
            barrier.wait()
            try:
                return work(i)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))
