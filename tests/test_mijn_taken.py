"""Mijn taken: who (leerling, school), what (titel, task), by when (overdue in red and in words),
sorted, filtered and paged like the hulpvragen list."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from models import HumanTask, db, utcnow
from tests.conftest import csrf_token, new_hulpvraag

TAAK_LINK = re.compile(r'<td data-kolom="taak"><a href="/taken/(\d+)">')


def _rijen(html: str) -> list[int]:
    return [int(i) for i in TAAK_LINK.findall(html)]


def _lijst(client, **args: str) -> str:
    response = client.get("/taken", query_string=args, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "q=" not in response.headers["HX-Replace-Url"]
    return response.text


def _taak(hulpvraag) -> HumanTask:  # type: ignore[no-untyped-def]
    return db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, completed_at=None)).one()


def test_each_row_says_who_what_and_by_when(client, world, auth):
    anna = new_hulpvraag(world, roepnaam="Anna", titel="KANS")
    bram = new_hulpvraag(world, roepnaam="Bram", titel="Thuiszitter", school=1)
    laat = _taak(anna)
    laat.due_at = utcnow() - timedelta(days=2)
    _taak(bram).due_at = utcnow() + timedelta(days=5)
    db.session.commit()
    auth.login("aanvrager")
    page = client.get("/taken").text
    rij = page[page.index(f'href="/taken/{laat.id}"'):]
    rij = rij[:rij.index("</tr>")]
    assert laat.titel in rij and "Anna Test" in rij and world.scholen[0].naam in rij and "KANS" in rij
    assert anna.aanvraagnummer in rij
    assert 'class="overdue"' in rij and "(te laat)" in rij  # red, and in words
    other = page[page.index(f'href="/taken/{_taak(bram).id}"'):]
    other = other[:other.index("</tr>")]
    assert "Bram Test" in other and world.scholen[1].naam in other and "te laat" not in other
    for kop in ("Taak", "Leerling", "School", "Titel", "Deadline"):
        assert f">{kop}</a>" in page


def test_sorting_and_filters(client, world, auth):
    anna = new_hulpvraag(world, roepnaam="Anna", titel="KANS")
    bram = new_hulpvraag(world, roepnaam="Bram", titel="Thuiszitter", school=1)
    _taak(anna).due_at = utcnow() - timedelta(days=1)
    db.session.commit()
    a, b = _taak(anna).id, _taak(bram).id
    auth.login("aanvrager")
    assert _rijen(_lijst(client)) == [a, b]  # the deadline first: the overdue task on top
    assert _rijen(_lijst(client, sort="leerling", richting="desc")) == [b, a]
    assert _rijen(_lijst(client, sort="school", richting="asc")) == [b, a]  # CBS De Fontein before OBS De Regenboog
    assert _rijen(_lijst(client, q="bram")) == [b]
    assert _rijen(_lijst(client, q="thuiszitter")) == [b]
    assert _rijen(_lijst(client, school=str(world.scholen[0].id))) == [a]
    assert _rijen(_lijst(client, te_laat="1")) == [a]
    assert "Onbekende sortering" in _lijst(client, sort="geheim")

    token = csrf_token(client.get("/taken").text)
    assert client.post(f"/taken/{b}/claim", data={"csrf_token": token, "terug": "/taken"}).status_code == 302
    assert _rijen(_lijst(client, geclaimd="mij")) == [b]
    assert _rijen(_lijst(client, geclaimd="niemand")) == [a]
    assert _rijen(_lijst(client, filter="geclaimd")) == [b]  # the old tab's address still works


def test_pages_of_25_or_50(client, world, auth):
    for nummer in range(27):
        new_hulpvraag(world, roepnaam=f"Kind{nummer:02d}")
    auth.login("aanvrager")
    eerste = _lijst(client)
    assert len(_rijen(eerste)) == 25 and "27 taken gevonden" in eerste and "Pagina 1 van 2" in eerste
    assert len(_rijen(_lijst(client, pagina="2"))) == 2
    assert len(_rijen(_lijst(client, per_pagina="50"))) == 27
    odd = _lijst(client, per_pagina="7")
    assert "Kies 25 of 50 taken per pagina" in odd and len(_rijen(odd)) == 25


def test_the_column_chooser_is_remembered(client, world, auth):
    new_hulpvraag(world, roepnaam="Anna")
    auth.login("aanvrager")
    page = client.get("/taken").text
    assert 'data-kolom="status"' not in page
    client.post("/taken/kolommen", data={"kolom": ["leerling", "status"], "csrf_token": csrf_token(page)})
    page = client.get("/taken").text
    assert 'data-kolom="status"' in page and 'data-kolom="school"' not in page and 'data-kolom="taak"' in page


def test_only_the_users_own_tasks(client, world, auth):
    new_hulpvraag(world, roepnaam="Anna")
    auth.login("aanvrager2")  # another school
    assert _rijen(_lijst(client)) == [] and "Anna" not in _lijst(client, q="anna")
