"""Speed of the hulpvragen list at scale: filter, search while typing, next page, Excel export.

Fills an EMPTY database (all tables are dropped first!) with the demo world plus N generated
hulpvragen (``flask seed-bulk``), then measures through the Flask test client as a logged-in
user: real views, real queries, real templates. Prints median and p95 in milliseconds.

Usage: .venv/bin/python bench/lijst.py [N=100000] [--database-url URL] [--rondes 40] [--als beheerder scp]
Targets (issue 4): list and search p95 < 50 ms; export of 100000 rows < 10 s, peak memory < 200 MB.
"""

from __future__ import annotations

import argparse
import io
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyotp  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402

from app import create_app  # noqa: E402
from models import User, db  # noqa: E402
from web.cli import bulk_hulpvragen  # noqa: E402
from web.seed import create_world  # noqa: E402

PASSWORD = "kansrijk-bench-wachtwoord"  # noqa: S105 - accounts of a throwaway database
HX = {"HX-Request": "true"}
TWEE_STATUSSEN = "status=Aanmelding&status=In+behandeling"
# Three letters as typed at the start of a search: pupil names, a school, a title.
BULK_SCP = "bulk-scp-0"  # coordinates 8 generated schools (about 4000 hulpvragen at N = 100000)
ZOEK = ["jan", "ber", "vis", "mak", "dek", "kom", "tlv", "bos", "ram", "sof", "ste", "mee"]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class IsolatedClient(FlaskClient):
    """Each request in its own app context (own ``g`` and db session), as in production."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_app(url: str) -> Flask:
    limits = {"LOGIN_LIMIT_PER_ACCOUNT": "1000 per minute", "LOGIN_LIMIT_PER_ADDRESS": "1000 per minute"}
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "BPMN_PUBLISH_ON_START": False, "CELERY_BROKER_URL": "memory://", **limits})  # fmt: skip
    app.test_client_class = IsolatedClient
    return app


def fill(url: str, aantal: int) -> None:
    """Runs in a child process, so the measuring process's peak memory starts low."""
    app = make_app(url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        world = create_world(password=PASSWORD)
        for user in world.users.values():
            user.demo, user.totp_secret = False, pyotp.random_base32()
        db.session.commit()
        start = time.perf_counter()
        bulk_hulpvragen(aantal)
        print(f"seed-bulk {aantal}: {time.perf_counter() - start:.1f} s", flush=True)
        scp = db.session.scalar(sa.select(User).filter_by(username=BULK_SCP))
        if scp is not None:  # a generated SCP with a full share of schools, who can log in here
            scp.set_password(PASSWORD)
            scp.totp_secret = pyotp.random_base32()
            db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM ANALYZE"))
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()


def login(client: FlaskClient, username: str) -> None:
    token = CSRF.search(client.get("/login").text).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    user = db.session.scalar(sa.select(User).filter_by(username=username))
    db.session.execute(sa.update(User).where(User.id == user.id).values(totp_last_step=None))  # type: ignore[union-attr]
    db.session.commit()  # the bench logs in more than once a minute; a person would wait for the next code
    token = CSRF.search(client.get("/login/code").text).group(1)  # type: ignore[union-attr]
    code = pyotp.TOTP(user.totp_secret).now()  # type: ignore[union-attr]
    response = client.post("/login/code", data={"code": code, "csrf_token": token}, follow_redirects=True)
    assert "Mijn taken" in response.text, f"login as {username} failed"


def timed(rondes: int, request: Callable[[int], object]) -> list[float]:
    request(0)  # warm up caches and the statement cache
    times = []
    for i in range(rondes):
        start = time.perf_counter()
        request(i)
        times.append((time.perf_counter() - start) * 1000)
    return times


def get_ok(client: FlaskClient, url: str) -> str:
    response = client.get(url, headers=HX)
    assert response.status_code == 200, (url, response.status_code)
    return response.text


def report(label: str, times: list[float]) -> None:
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
    print(f"  {label:<44} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms")


def count_of(html: str) -> str:
    match = re.search(r'class="count">([^<]+)<', html)
    return match.group(1) if match else "?"


def measure_lists(client: FlaskClient, rondes: int) -> None:
    print(f"    list, two statuses: {count_of(get_ok(client, '/hulpvragen?' + TWEE_STATUSSEN))}")
    report("list filtered on two statuses", timed(rondes, lambda i: get_ok(client, f"/hulpvragen?{TWEE_STATUSSEN}")))
    print(f"    search 'jan': {count_of(get_ok(client, '/hulpvragen?q=jan'))}")
    zoek = timed(rondes, lambda i: get_ok(client, f"/hulpvragen?q={ZOEK[i % len(ZOEK)]}"))
    report("search while typing, three letters", zoek)
    geen = timed(rondes, lambda i: get_ok(client, "/hulpvragen?q=xqz"))
    report("search without any hit ('xqz': reads every row)", geen)
    report("next page (page 2 of the two statuses)",
           timed(rondes, lambda i: get_ok(client, f"/hulpvragen?{TWEE_STATUSSEN}&pagina={2 + i % 2}")))  # fmt: skip
    report("full page, no filter (first visit)", timed(rondes, lambda i: client.get("/hulpvragen").text))


def measure_export(client: FlaskClient) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    response = client.get("/hulpvragen/export.xlsx")
    body = response.get_data()
    seconds = time.perf_counter() - start
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    rows = _rows(body)
    print(f"  export: {rows} rows, {len(body) / 1e6:.1f} MB file, {seconds:.1f} s, peak RSS growth {grown:.0f} MB")
    tracemalloc.start()
    client.get("/hulpvragen/export.xlsx").get_data()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    print(f"  export again under tracemalloc: Python heap peak {peak:.0f} MB")


def _rows(body: bytes) -> int:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    return (sheet.max_row or 1) - 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("aantal", nargs="?", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--rondes", type=int, default=40)
    parser.add_argument("--als", nargs="+", default=["beheerder", BULK_SCP], help="users to measure as")
    parser.add_argument("--vul-alleen", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--bestaand", action="store_true", help="measure the database as it is (filled before)")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    if args.vul_alleen:
        return fill(url, args.aantal)
    if not args.bestaand:
        command = [sys.executable, __file__, str(args.aantal), "--database-url", url, "--vul-alleen"]
        subprocess.run(command, check=True)
    app = make_app(url)
    with app.app_context():
        total = db.session.scalar(sa.text("SELECT count(*) FROM hulpvraag"))
        print(f"database: {db.engine.dialect.name}; hulpvragen: {total}; rounds: {args.rondes}")
        for username in args.als:
            client = app.test_client()
            login(client, username)
            print(f"as {username}:")
            measure_lists(client, args.rondes)
        client = app.test_client()
        login(client, "beheerder")
        measure_export(client)


if __name__ == "__main__":
    main()
