"""Does the time of a login or a reset request tell whether an account exists? (issue 17 item 2)

Builds a throwaway SQLite database (or uses --database-url, whose tables are dropped!) with the
demo world, then posts through the Flask test client (Celery not eager, as in production: a reset
request only records itself and publishes a job), alternating: a wrong password for an
existing account and for an unknown username; a reset request for an existing username and for
an unknown one. Prints the medians in milliseconds and their ratio (close to 1.0 is the goal).

Usage: .venv/bin/python bench/login_timing.py [--rondes 40] [--database-url URL]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402

from app import create_app  # noqa: E402
from models import db  # noqa: E402
from web.seed import create_world  # noqa: E402

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class IsolatedClient(FlaskClient):
    """Each request in its own app context, as in production."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_app(url: str) -> Flask:
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "BPMN_PUBLISH_ON_START": False, "CELERY_BROKER_URL": "memory://",
                      "CELERY_ALWAYS_EAGER": False, "LOGIN_LIMIT_PER_ADDRESS": "100000 per minute",
                      "LOGIN_DELAY_AFTER_FAILURES": 10**6})  # fmt: skip
    app.test_client_class = IsolatedClient
    return app


def _post(client: FlaskClient, page: str, data: dict[str, str]) -> int:
    token = CSRF.search(client.get(page).text)
    assert token is not None
    return client.post(page, data={**data, "csrf_token": token.group(1)}).status_code


def measure(rondes: int, pairs: dict[str, tuple[Callable[[], int], Callable[[], int]]]) -> None:
    for name, (bestaand, onbekend) in pairs.items():
        times: dict[str, list[float]] = {"bestaand": [], "onbekend": []}
        for _ in range(rondes):  # alternate, so a slow moment hits both
            for label, action in (("bestaand", bestaand), ("onbekend", onbekend)):
                start = time.perf_counter()
                action()
                times[label].append((time.perf_counter() - start) * 1000)
        a, b = statistics.median(times["bestaand"]), statistics.median(times["onbekend"])
        print(f"{name:8s} mediaan bestaand account {a:7.1f} ms   onbekend {b:7.1f} ms   verhouding {a / b:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rondes", type=int, default=40)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(args.database_url or f"sqlite:///{tmp}/bench.sqlite")
        with app.app_context():
            db.drop_all()
            db.create_all()
            create_world(password="kansrijk-bench-wachtwoord")  # noqa: S106 - throwaway database
            db.session.commit()
        client = app.test_client()
        login = "/login"
        herstel = "/wachtwoord-vergeten"
        measure(args.rondes, {
            "login": (lambda: _post(client, login, {"username": "scp", "password": "fout-wachtwoord-123"}),
                      lambda: _post(client, login, {"username": "niemand", "password": "fout-wachtwoord-123"})),
            "herstel": (lambda: _post(client, herstel, {"identifier": "aanvrager"}),
                        lambda: _post(client, herstel, {"identifier": "niemand@elders.example"})),
        })  # fmt: skip
        with app.app_context():
            db.drop_all()


if __name__ == "__main__":
    main()
