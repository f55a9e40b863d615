"""The audit trail (domain.md §9): every read and change of a dossier says who, what, when and from where."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from models import AuditEntry, Hulpvraag, HumanTask, db, utcnow
from tests.conftest import submit_form

NIEUW = {
    "roepnaam": "Jan", "tussenvoegsel": "van", "achternaam": "Boven", "geboortedatum": "2016-03-14",
    "geslacht": "m", "titel": "TLV -Nieuw", "omschrijving": "Leerling loopt vast in de groep.",
    "contactpersoon_naam": "Ilse Bakker", "contactpersoon_email": "ilse@school.example",
}  # fmt: skip
BROWSER = {"User-Agent": "Testbrowser/1.0 (audit)"}
ADDRESS = {"REMOTE_ADDR": "192.0.2.10"}


def _new_hulpvraag(client, world) -> Hulpvraag:
    response = submit_form(client, "/hulpvragen/nieuw", {**NIEUW, "school_id": str(world.scholen[0].id)})
    assert response.status_code == 302, response.text
    return db.session.scalars(sa.select(Hulpvraag).order_by(Hulpvraag.id.desc())).first()


def _open_task(hulpvraag: Hulpvraag, bpmn_id: str) -> HumanTask:
    return db.session.scalars(
        sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, bpmn_id=bpmn_id, completed_at=None)
    ).one()


def _entries(**where) -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEntry).filter_by(**where).order_by(AuditEntry.id)))


def _submitted(client, world, auth) -> Hulpvraag:
    """A hulpvraag the aanvrager created and submitted, so the SCP can see it."""
    auth.login("aanvrager")
    hulpvraag = _new_hulpvraag(client, world)
    submit_form(client, f"/taken/{_open_task(hulpvraag, 'indienen').id}", {"ouders_geinformeerd": "ja"})
    auth.logout()
    return hulpvraag


def test_creating_viewing_and_completing_are_recorded_with_who_what_when_where(client, world, auth):
    aanvrager = world.users["aanvrager"]
    auth.login("aanvrager")
    before = utcnow()
    hulpvraag = _new_hulpvraag(client, world)
    created = _entries(user_id=aanvrager.id, actie="aanmaken")
    assert [(e.object_type, e.object_id) for e in created] == [
        ("dossier", hulpvraag.dossier_id),
        ("hulpvraag", hulpvraag.id),
    ]
    assert {e.dossier_id for e in created} == {hulpvraag.dossier_id}

    page = client.get(f"/hulpvragen/{hulpvraag.id}", headers=BROWSER, environ_overrides=ADDRESS)
    assert page.status_code == 200
    (seen,) = _entries(user_id=aanvrager.id, actie="bekijken", object_type="hulpvraag")
    assert (seen.object_id, seen.dossier_id) == (hulpvraag.id, hulpvraag.dossier_id)
    assert seen.ip == "192.0.2.10" and seen.user_agent == "Testbrowser/1.0 (audit)"
    assert before - timedelta(seconds=1) <= seen.created_at <= utcnow()
    assert seen.created_at.tzinfo is not None
    assert "Boven" not in seen.detail and "Jan" not in seen.detail

    task = _open_task(hulpvraag, "indienen")
    assert client.get(f"/taken/{task.id}", environ_overrides=ADDRESS).status_code == 200
    (task_seen,) = _entries(user_id=aanvrager.id, actie="bekijken", object_type="taak")
    assert (task_seen.object_id, task_seen.dossier_id, task_seen.ip) == (task.id, hulpvraag.dossier_id, "192.0.2.10")
    assert task_seen.detail == task.titel

    refused = submit_form(client, f"/taken/{task.id}", {})  # the required Ja/Nee is missing
    assert refused.status_code == 422
    assert _entries(actie="taak_afronden") == []

    done = submit_form(client, f"/taken/{task.id}", {"ouders_geinformeerd": "ja"})
    assert done.status_code == 302
    (afgerond,) = _entries(actie="taak_afronden")
    assert (afgerond.user_id, afgerond.object_type, afgerond.object_id) == (aanvrager.id, "taak", task.id)
    assert afgerond.dossier_id == hulpvraag.dossier_id and afgerond.ip == "127.0.0.1"


def test_claiming_and_releasing_a_task_are_changes(client, world, auth):
    hulpvraag = _submitted(client, world, auth)
    auth.login("scp")
    task = _open_task(hulpvraag, "beoordelen")
    submit_form(client, f"/taken/{task.id}", {}, action=f"/taken/{task.id}/claim")
    submit_form(client, f"/taken/{task.id}", {}, action=f"/taken/{task.id}/vrijgeven")
    changes = _entries(user_id=world.users["scp"].id, actie="wijzigen")
    assert [(e.object_id, e.detail, e.dossier_id) for e in changes] == [
        (task.id, "geclaimd", hulpvraag.dossier_id),
        (task.id, "vrijgegeven", hulpvraag.dossier_id),
    ]


def test_an_invisible_hulpvraag_records_no_view_and_logs_a_denial_without_pupil_data(client, world, auth, caplog):
    auth.login("aanvrager")
    hulpvraag = _new_hulpvraag(client, world)  # Voorlopige aanmelding: invisible to the SCP
    task = _open_task(hulpvraag, "indienen")
    auth.logout()

    auth.login("scp")
    with caplog.at_level(logging.INFO):
        assert client.get(f"/hulpvragen/{hulpvraag.id}").status_code == 404
        assert client.get(f"/taken/{task.id}").status_code == 404
        assert client.get("/hulpvragen/999999").status_code == 404
    assert _entries(user_id=world.users["scp"].id, actie="bekijken") == []

    denials = [r.getMessage() for r in caplog.records if r.getMessage().startswith("denied:")]
    assert f"denied: hulpvraag_id={hulpvraag.id} user_id={world.users['scp'].id} (out of scope)" in denials
    assert f"denied: task_id={task.id} user_id={world.users['scp'].id} (out of scope)" in denials
    assert any("hulpvraag_id=999999" in d and "not found" in d for d in denials)
    assert not any(word in d for d in denials for word in ("Jan", "Boven", "2016"))


def _entry(user, dossier_id, when: datetime, detail: str) -> AuditEntry:
    entry = AuditEntry(user_id=user.id, actie="bekijken", object_type="hulpvraag", object_id=1,
                       dossier_id=dossier_id, created_at=when, ip="192.0.2.1", detail=detail)  # fmt: skip
    db.session.add(entry)
    return entry


@pytest.fixture
def trail(world):
    """Four entries by two people on two dossiers (plain numbers) over three months; details mark them."""
    scp, aanvrager = world.users["scp"], world.users["aanvrager"]
    _entry(scp, 101, datetime(2026, 1, 10, 9, 0, tzinfo=UTC), "merk-scp-januari")
    _entry(scp, 202, datetime(2026, 2, 10, 9, 0, tzinfo=UTC), "merk-scp-februari")
    _entry(aanvrager, 101, datetime(2026, 2, 20, 9, 0, tzinfo=UTC), "merk-ib-februari")
    _entry(aanvrager, 202, datetime(2026, 3, 31, 22, 30, tzinfo=UTC), "merk-ib-april")  # 1 April in Amsterdam
    db.session.commit()


def _search(client, **args) -> str:
    response = client.get("/beheer/audit", query_string=args)
    assert response.status_code == 200
    return response.text


def _marks(html: str) -> list[str]:
    return [m for m in ("merk-ib-april", "merk-ib-februari", "merk-scp-februari", "merk-scp-januari") if m in html]


def test_beheer_search_filters_by_person_dossier_and_period(client, world, auth, trail):
    auth.login("beheerder")
    everything = _search(client)
    assert _marks(everything) == ["merk-ib-april", "merk-ib-februari", "merk-scp-februari", "merk-scp-januari"]
    order = [everything.index(m) for m in _marks(everything)]
    assert order == sorted(order), "newest first"
    assert "Auditlog" in everything and "Gebruiker" in everything and "Tot en met" in everything

    assert _marks(_search(client, gebruiker="sanne")) == ["merk-scp-februari", "merk-scp-januari"]
    assert _marks(_search(client, gebruiker="aanvrager")) == ["merk-ib-april", "merk-ib-februari"]
    assert _marks(_search(client, dossier="101")) == ["merk-ib-februari", "merk-scp-januari"]
    assert _marks(_search(client, van="2026-02-01", tot="2026-02-28")) == ["merk-ib-februari", "merk-scp-februari"]
    assert _marks(_search(client, van="01-04-2026")) == ["merk-ib-april"]  # Amsterdam days, Dutch notation
    assert _marks(_search(client, gebruiker="sanne", dossier="202", tot="2026-03-01")) == ["merk-scp-februari"]


def test_beheer_search_by_aanvraagnummer_and_paging(client, world, auth, app):
    hulpvraag = _submitted(client, world, auth)
    auth.login("beheerder")
    page = _search(client, dossier=hulpvraag.aanvraagnummer)
    assert "Ilse Bakker (IB)" in page and "Inzageoverzicht van dossier" in page

    app.config["PAGE_SIZE"] = 2
    first = _search(client, gebruiker="ilse")
    assert "Pagina 1 van" in first and "Volgende" in first
    assert "Pagina 2 van" in _search(client, gebruiker="ilse", pagina="2")


def test_beheer_search_explains_wrong_terms_in_dutch(client, world, auth, trail):
    auth.login("beheerder")
    page = _search(client, van="31-02-2026", dossier="2026-999999")
    assert "Vul een geldige datum in" in page
    assert "Geen dossier of hulpvraag met dit nummer gevonden." in page
    assert _marks(page) == []
    assert "De einddatum ligt vóór de begindatum." in _search(client, van="2026-03-01", tot="2026-02-01")


def test_inzage_lists_who_viewed_the_dossier_and_is_itself_recorded(client, world, auth):
    hulpvraag = _submitted(client, world, auth)
    auth.login("scp")
    client.get(f"/hulpvragen/{hulpvraag.id}")
    auth.logout()

    auth.login("beheerder")
    page = client.get(f"/beheer/audit/inzage/{hulpvraag.dossier_id}")
    assert page.status_code == 200
    text = page.text
    for expected in ("Inzageoverzicht", "Jan van Boven", "Ilse Bakker (IB)", "Aanvrager (school)",
                     "CBS De Fontein, OBS De Regenboog", "Sanne Jansen", "Schoolcontactpersoon",
                     "Passend Primair Onderwijs Rotterdam (demo)", "Hulpvraag bekeken", "Taak afgerond"):  # fmt: skip
        assert expected in text, expected
    assert text.index("Sanne Jansen") < text.index("Ilse Bakker (IB)"), "newest first"

    (seen,) = _entries(user_id=world.users["beheerder"].id, object_type="audit")
    assert (seen.actie, seen.dossier_id, seen.detail) == ("bekijken", hulpvraag.dossier_id, "inzageoverzicht")
    assert client.get("/beheer/audit/inzage/999999").status_code == 404


def test_looking_at_the_audit_log_is_recorded(client, world, auth, trail):
    auth.login("beheerder")
    _search(client, gebruiker="sanne", dossier="101", van="2026-01-01")
    (seen,) = _entries(user_id=world.users["beheerder"].id, object_type="audit")
    assert (seen.actie, seen.dossier_id) == ("bekijken", 101)
    assert seen.detail == "zoeken: gebruiker, dossier 101, periode 2026-01-01 t/m …"


@pytest.mark.parametrize("username", ["aanvrager", "scp", "procesbeheerder", "orthopedagoog"])
def test_only_a_beheerder_sees_the_audit_log(client, world, auth, username):
    auth.login(username)
    assert client.get("/beheer/audit").status_code == 404
    assert client.get("/beheer/audit/inzage/1").status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, world):
    response = client.get("/beheer/audit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_entries_cannot_be_changed_or_removed_through_the_orm(app, world):
    entry = _entry(world.users["scp"], 101, utcnow(), "origineel")
    db.session.commit()

    entry.detail = "vervalst"
    with pytest.raises(ValueError, match="onveranderlijk"):
        db.session.commit()
    db.session.rollback()

    db.session.delete(entry)
    with pytest.raises(ValueError, match="onveranderlijk"):
        db.session.commit()
    db.session.rollback()
    # Publishing the diagrams at start-up is audited too; this entry is the one the test made.
    assert db.session.scalars(sa.select(AuditEntry.detail).where(AuditEntry.id == entry.id)).all() == ["origineel"]
