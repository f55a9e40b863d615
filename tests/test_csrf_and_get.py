"""S6: every state-changing route needs the CSRF token, and no GET changes state.

Both walk ``app.url_map``, so a new route is covered the day it is added. URL parameters are
filled with ids from the demo data (``TABLES``); a route with a parameter nobody taught this file
fails loudly instead of being skipped.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from models import db, utcnow
from tests.conftest import AuthActions
from web.seed import ACCOUNTS, DemoWorld, create_demo_hulpvragen
from workflow.retention import list_due, plus_jaren

# Tables a request may write to without "changing state": request bookkeeping, not data.
BOOKKEEPING = {
    "audit_entry": "every read of a dossier is logged (domain.md §9)",
    "login_session": "last_seen_at moves on as the user clicks around (idle timeout)",
}
# URL parameter -> the table whose ids fill it; a parameter named "<table>_id" needs no entry.
TABLES = {"task_id": "human_task", "instance_id": "process_instance", "voorstel_id": "retentievoorstel", "sg_id": "schoolgegevens",
          "koppeling_id": "lvs_koppeling", "mail_id": "outgoing_mail",
          "dubbel_id": "dossier_mogelijk_dubbel"}
TABLES["soort_id"] = "bijlagesoort"  # /beheer/bijlagesoorten/<soort_id> (issue 15)
TEXT = {"token": ["onbekend-token"], "filename": ["kansrijk.css"], "aanvraagnummer": ["2026-000001"],
        "key": ["aanpak", "bestaat_niet"], "nr": [1, 99],
        "soort": ["naam", "samenvoegen", "sluiten", "heropenen", "onbekend"]}
TEXT["figuur"] = ["maand", "budget", "bestaat_niet"]  # /kengetallen/export/<figuur>.xlsx (issue 19)
TEXT.setdefault("rol", ["scp", "onbekend"])  # /help/<rol>
TEXT["stuk"] = ["agenda", "verslag"]  # /vergaderingen/<id>/<stuk>.pdf (issue 19)
# Endpoints that take POST without the session's CSRF token, each with the reason.
CSRF_EXEMPT: dict[str, str] = {
    "api.aanvraag_versturen": "LVS API: authenticated by the verificatiecode header, never by a cookie",
    "api.activatie": "LVS API: the verificatiecode is in the body; no session involved",
}


def demo_data(world: DemoWorld) -> None:
    """The seed's hulpvragen, plus a retention proposal so its pages have an id to show."""
    create_demo_hulpvragen(world)
    list_due(plus_jaren(utcnow(), 10))
    db.session.commit()


def _values(rule: Rule, name: str) -> list[object]:
    if name in TEXT:
        return list(TEXT[name])
    table = db.metadata.tables.get(TABLES.get(name, name.removesuffix("_id")))
    if table is None:
        pytest.fail(f"{rule.rule}: no value for the URL parameter '{name}'; add it to TABLES or TEXT in {__name__}")
    ids = list(db.session.scalars(sa.select(table.c.id).order_by(table.c.id)))
    return ids or [0]  # no such row in the demo data: still check the route's not-found answer


def urls(app: Flask, method: str) -> Iterator[tuple[str, str]]:
    """(endpoint, url) for every rule that accepts ``method``, once per combination of parameter values."""
    adapter = app.url_map.bind("localhost")
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if method not in (rule.methods or ()):
            continue
        names = sorted(rule.arguments)
        for combination in itertools.product(*(_values(rule, name) for name in names)):
            yield rule.endpoint, adapter.build(rule.endpoint, dict(zip(names, combination, strict=True)), method=method)


def snapshot() -> dict[str, list[str]]:
    """Every row of every table but the bookkeeping ones (read on a fresh connection: no stale snapshot)."""
    with db.engine.connect() as connection:
        return {
            table.name: sorted(repr(tuple(row)) for row in connection.execute(sa.select(table)))
            for table in db.metadata.sorted_tables
            if table.name not in BOOKKEEPING
        }


def changed_tables(before: dict[str, list[str]], after: dict[str, list[str]]) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def logged_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    AuthActions(client).login(username)
    assert client.get("/taken").status_code == 200, f"login as {username} failed"
    return client


# --- POST without the token ---------------------------------------------------------------
@pytest.mark.parametrize("username", [None, "beheerder", "aanvrager"])
def test_every_post_without_csrf_token_is_refused_and_changes_nothing(
    app: Flask, client: FlaskClient, world: DemoWorld, username: str | None
) -> None:
    assert app.config.get("WTF_CSRF_ENABLED", True) is not False, "these tests need CSRF protection on"
    demo_data(world)
    browser = logged_in(app, username) if username else client
    before = snapshot()
    checked = 0

    for endpoint, url in urls(app, "POST"):
        if endpoint in CSRF_EXEMPT:
            continue
        response = browser.post(url, data={"bevestig": "ja", "reden": "test", "code": "000000"})
        assert response.status_code == 400, f"{url} without CSRF token: {response.status_code}"
        checked += 1

    assert checked > 5
    assert changed_tables(before, snapshot()) == []


# --- GET as every demo user ---------------------------------------------------------------
@pytest.mark.parametrize("username", [None, *ACCOUNTS])
def test_no_get_changes_the_database(app: Flask, client: FlaskClient, world: DemoWorld, username: str | None) -> None:
    demo_data(world)
    browser = logged_in(app, username) if username else client
    problems = []
    seen = 0

    for _endpoint, url in urls(app, "GET"):
        before = snapshot()
        response = browser.get(url)
        assert response.status_code < 500, f"GET {url} as {username}: {response.status_code}"
        seen += response.status_code == 200
        problems += [f"GET {url} changed {name}" for name in changed_tables(before, snapshot())]

    assert problems == []
    assert seen > 0
