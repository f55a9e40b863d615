"""The migrations build exactly the schema of models/, and take it down again.

Runs on a database of its own: a fresh SQLite file, or a fresh PostgreSQL database beside
the test database (``<its name>_migrations``, so each xdist worker and each checkout has its
own; created here and dropped afterwards).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import Config
from sqlalchemy.engine import make_url

from app import create_app
from models import db

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_SUFFIX = "_migrations"  # beside the (per-worker) test database, never a name shared by all


@pytest.fixture
def fresh_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    name = f"{url.database}{MIGRATIONS_SUFFIX}"
    server = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    drop = sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    with server.connect() as connection:
        connection.execute(drop)  # left over from an interrupted run
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(drop)
        server.dispose()


@pytest.fixture
def fresh_app(fresh_database_url: str) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": fresh_database_url,
            "BPMN_PUBLISH_ON_START": False,
            "CELERY_BROKER_URL": "memory://",
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _flask_db(app: Flask, *args: str) -> None:
    result = app.test_cli_runner().invoke(args=["db", *args])
    assert result.exit_code == 0, result.output


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def _differences() -> list[object]:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, db.metadata))


def test_migrations_match_the_models_and_downgrade_cleanly(fresh_app: Flask) -> None:
    _flask_db(fresh_app, "upgrade")
    assert _tables() == set(db.metadata.tables)
    assert _differences() == [], "models/ changed: run 'flask --app app db migrate' and review"

    _flask_db(fresh_app, "downgrade", "base")
    assert _tables() == set()

    _flask_db(fresh_app, "upgrade")
    assert _tables() == set(db.metadata.tables)


def test_migrations_have_one_head() -> None:
    """Two engineers adding a migration at once must merge them before landing."""
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    scripts = ScriptDirectory.from_config(config)
    assert len(scripts.get_heads()) == 1, scripts.get_heads()
