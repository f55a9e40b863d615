"""Fixtures in the style of Flask's tutorial: app, client, runner, plus a demo world.

The database comes from TEST_DATABASE_URL (PostgreSQL in CI) or a SQLite file per session.
Tables are created once; after every test all rows are removed, so tests that commit from
several sessions or threads (concurrency, workers) see a real database.

Under pytest-xdist (``-n 2``) every worker has a database of its own: SQLite files live in the
worker's own temporary directory; on PostgreSQL worker ``gw0`` gets ``<database>_gw0`` beside the
one TEST_DATABASE_URL names, created here and dropped at the end. Redis state is per worker too:
REDIS_URL's database number counts down by the worker's number (``/15`` for gw0, ``/14`` for gw1).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pyotp
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

import models.user as user_model
from app import create_app
from models import Dossier, Hulpvraag, User, db
from tests.browser import _chromium  # noqa: F401 - the browser per test process, for tests.browser's page
from web.seed import DemoWorld, create_world

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "kansrijk-test-wachtwoord"


# "gw0", "gw1", ... in a pytest-xdist worker (set before this file is imported); "" without xdist.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


def per_worker(name: str) -> str:
    """``name`` with this xdist worker's suffix (``name_gw1``), unchanged without xdist: for database
    names and other fixed names that two workers running at once must not share."""
    return f"{name}_{WORKER}" if WORKER else name


def _worker_number() -> int:
    return int(WORKER.removeprefix("gw")) if WORKER else 0


def per_worker_redis_url(url: str) -> str:
    """The same Redis server, a database number of this worker's own (counting down from the given one)."""
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(number - _worker_number()) % 16}"))


def pytest_configure(config: pytest.Config) -> None:
    # tests/workers.py and the subprocesses it starts read REDIS_URL; each worker flushes only its own.
    if WORKER:
        os.environ["REDIS_URL"] = per_worker_redis_url(os.environ.get("REDIS_URL", DEFAULT_REDIS_URL))


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@contextmanager
def _own_postgresql_database(url: str) -> Iterator[str]:
    """A fresh database beside ``url`` for this xdist worker, dropped afterwards (also when a
    connection was left open); a leftover of an interrupted run is dropped first."""
    base = make_url(url)
    name = per_worker(base.database or "test")
    server = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    drop = sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    with server.connect() as connection:
        connection.execute(drop)
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(drop)
        server.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = _database_url(tmp_path_factory)
    if WORKER and make_url(url).get_backend_name() == "postgresql":
        with _own_postgresql_database(url) as own:
            yield own
        return
    yield url


@pytest.fixture(scope="session")
def _schema(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    instance = tmp_path_factory.mktemp("instance")
    app = create_app(_test_config(database_url, instance), instance_path=str(instance))
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _test_config(database_url: str, instance: Path) -> dict[str, object]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BPMN_PUBLISH_ON_START": False,
        "CELERY_ALWAYS_EAGER": True,
        "CELERY_BROKER_URL": "memory://",
        "BASE_URL": "http://kansrijk.test",  # mail links must use this, never the request's host (S18)
        # Generous limits for ordinary tests; tests of brute-force protection set their own.
        "LOGIN_LIMIT_PER_ACCOUNT": "1000 per minute",
        "LOGIN_LIMIT_PER_ADDRESS": "1000 per minute",
    }


@pytest.fixture
def app(database_url: str, _schema: None, tmp_path: Path) -> Iterator[Flask]:
    # An instance folder per test: bijlagen, mail files and backups of two tests (or two xdist
    # workers) never meet in ./instance.
    instance = tmp_path / "instance"
    app = create_app(_test_config(database_url, instance), instance_path=str(instance))
    with app.app_context():
        _publish_diagrams(Path(app.config["BPMN_DIR"]))
        yield app
        db.session.remove()
        _empty_tables()
        # Each test's app has its own engine: close its pooled connections now rather than when the
        # garbage collector gets to it, or two xdist workers exhaust PostgreSQL's max_connections.
        db.engine.dispose()


# (digest of the diagram folder, the rows publish_all wrote into the empty database) of this session
_published: tuple[str, list[tuple[sa.Table, list[dict[str, object]]]]] | None = None


def _publish_diagrams(bpmn_dir: Path) -> None:
    """Every test starts with the diagram folder published, as at the app's start. publish_all
    into an empty database writes the same rows whenever the folder holds the same bytes, so it
    runs (gate, parse, store) for the first test and after every change of the folder; the other
    tests get exactly those rows back, ids included, without the ~0.2 s of CPU it costs."""
    global _published
    digest = _folder_digest(bpmn_dir)
    if _published is not None and _published[0] == digest:
        _insert_rows(_published[1])
        return
    from workflow.engine.definitions import publish_all

    publish_all(bpmn_dir)
    db.session.remove()
    with db.engine.connect() as conn:
        rows = [(t, [dict(r) for r in conn.execute(sa.select(t)).mappings()]) for t in db.metadata.sorted_tables]
    _published = (digest, [(table, found) for table, found in rows if found])


def _folder_digest(bpmn_dir: Path) -> str:
    """What publish_all reads: every file directly in the folder (workflow.engine.publiceren._kopie_van_map)."""
    digest = hashlib.sha256()
    for bestand in sorted(bpmn_dir.iterdir()) if bpmn_dir.is_dir() else []:
        if bestand.is_file() and not bestand.name.startswith("."):
            digest.update(bestand.name.encode() + b"\0" + bestand.read_bytes() + b"\0")
    return digest.hexdigest()


def _insert_rows(tables: list[tuple[sa.Table, list[dict[str, object]]]]) -> None:
    with db.engine.begin() as conn:
        for table, rows in tables:  # in dependency order
            conn.execute(table.insert(), rows)
            column = table.autoincrement_column
            if conn.dialect.name == "postgresql" and column is not None:  # ids were given: move the sequence on
                highest = f'(SELECT max("{column.name}") FROM "{table.name}")'
                conn.execute(
                    sa.text(f"SELECT setval(pg_get_serial_sequence(:table, :column), {highest})"),
                    {"table": f'"{table.name}"', "column": column.name},
                )


def _empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


class _HashOnce:
    """The app's argon2id hasher, hashing each password once per test process: create_world sets
    the same password on each of its ~14 accounts, at ~35 ms of CPU a hash (half a second a test).
    Its accounts share one real hash, made with the app's own parameters; every login still checks it."""

    def __init__(self, hasher: PasswordHasher) -> None:
        self._hasher = hasher
        self._hashes: dict[str, str] = {}

    def hash(self, password: str) -> str:
        if password not in self._hashes:
            self._hashes[password] = self._hasher.hash(password)
        return self._hashes[password]

    def __getattr__(self, name: str) -> object:
        return getattr(self._hasher, name)


_HASH_ONCE = _HashOnce(user_model.PASSWORDS)


@pytest.fixture
def world(app: Flask, monkeypatch: pytest.MonkeyPatch) -> DemoWorld:
    """The demo SWV; every account has enrolled a second factor (secret known to the tests)."""
    with monkeypatch.context() as patch:
        patch.setattr(user_model, "PASSWORDS", _HASH_ONCE)
        world = create_world(password=PASSWORD)
    for user in world.users.values():
        user.demo = False
        user.totp_secret = pyotp.random_base32()
    db.session.commit()
    return world


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (own ``g`` and db session), as in production,
    even though the test itself holds one open to inspect the database."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """Password, then the TOTP code of the user's enrolled secret (as the app on a phone would)."""
    page = client.get("/login")
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf_token(page.text)}
    )
    if response.status_code != 302 or "/login/code" not in response.headers.get("Location", ""):
        return client.get(response.headers["Location"]) if response.status_code == 302 else response
    user = db.session.scalar(sa.select(User).filter_by(username=username))
    assert user is not None and user.totp_secret
    # Tests log in many times a minute; a real user waits for the next code (replays are refused).
    db.session.execute(sa.update(User).where(User.id == user.id).values(totp_last_step=None))
    db.session.commit()
    code_page = client.get("/login/code")
    code = pyotp.TOTP(user.totp_secret).now()
    return client.post(
        "/login/code", data={"code": code, "csrf_token": csrf_token(code_page.text)}, follow_redirects=True
    )


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        return login(self._client, username, password)

    def logout(self):  # type: ignore[no-untyped-def]
        page = self._client.get("/taken")
        return self._client.post("/logout", data={"csrf_token": csrf_token(page.text)}, follow_redirects=True)


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


def submit_form(client: FlaskClient, page_url: str, data: dict[str, str], action: str | None = None, **kw):  # type: ignore[no-untyped-def]
    """Load the page, take its CSRF token and post ``data`` to the form's action."""
    page = client.get(page_url)
    assert page.status_code == 200, page.status_code
    return client.post(action or page_url, data={**data, "csrf_token": csrf_token(page.text)}, **kw)


def new_hulpvraag(world: DemoWorld, roepnaam: str = "Test", titel: str = "KANS", school: int = 0) -> Hulpvraag:
    """A committed hulpvraag of the demo aanvrager about a new leerling at one of the demo schools."""
    from workflow.hulpvragen import create_hulpvraag

    dossier = Dossier(swv_id=world.swv.id, school_id=world.scholen[school].id, roepnaam=roepnaam, achternaam="Test")
    db.session.add(dossier)
    db.session.flush()
    hulpvraag = create_hulpvraag(dossier, world.users["aanvrager"], titel=titel, omschrijving="Test")
    db.session.commit()
    return hulpvraag
