"""GET /healthz: what a load balancer or monitoring sees."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from app import create_app


def _app(database_uri: str, broker_url: str) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "BPMN_PUBLISH_ON_START": False,
            "CELERY_BROKER_URL": broker_url,
        }
    )


def test_healthy_when_database_and_broker_answer(client: FlaskClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "database": {"ok": True},
        "broker": {"ok": True},
        "diagrammen": {"ok": True, "geweigerd": []},
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_development_broker_on_sqlite_counts_as_healthy(tmp_path: Path) -> None:
    """The default broker of `make run`: Kombu's SQLAlchemy transport on a SQLite file."""
    broker = f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}"
    app = _app(f"sqlite:///{tmp_path / 'app.sqlite'}", broker)

    response = app.test_client().get("/healthz")

    assert response.status_code == 200, response.get_json()
    assert (tmp_path / "broker.sqlite").exists()


def test_unreachable_broker_gives_503_without_details(tmp_path: Path) -> None:
    app = _app(f"sqlite:///{tmp_path / 'app.sqlite'}", "redis://127.0.0.1:1/0")

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json() == {
        "status": "fout",
        "database": {"ok": True},
        "broker": {"ok": False},
        "diagrammen": {"ok": None},  # this database was never migrated: it cannot tell
    }
    assert "Error" not in response.text and "127.0.0.1" not in response.text


def test_unreachable_database_gives_503(tmp_path: Path) -> None:
    app = _app(f"sqlite:///{tmp_path / 'ontbreekt' / 'app.sqlite'}", "memory://")

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json() == {
        "status": "fout",
        "database": {"ok": False},
        "broker": {"ok": True},
        "diagrammen": {"ok": None},
    }
