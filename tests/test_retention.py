"""Retention (domain.md §9): finished hulpvragen are proposed once, a beheerder's approval deletes
what the period covers and leaves a Verwijderverslag; nobody else reaches these pages."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from models import (
    Dossier,
    Hulpvraag,
    HumanTask,
    ProcessInstance,
    Retentievoorstel,
    Statuswijziging,
    Verwijderverslag,
    db,
    utcnow,
)
from models.retentie import AFGEWEZEN, BESLUIT, ONDERLIGGEND, UITGEVOERD, VOORGESTELD
from tests.conftest import AuthActions, csrf_token, submit_form
from web.seed import DemoWorld, create_demo_hulpvragen
from workflow import retention
from workflow.hulpvragen import create_hulpvraag
from workflow.retention import Opruiming, list_due, plus_jaren

ROEPNAAM = "Zoë"


def _dossier(world: DemoWorld) -> Dossier:
    dossier = Dossier(swv_id=world.swv.id, school_id=world.scholen[0].id, roepnaam=ROEPNAAM, tussenvoegsel="van",
                      achternaam="Dijk", geboortedatum=date(2013, 5, 1), geslacht="v")  # fmt: skip
    db.session.add(dossier)
    db.session.flush()
    return dossier


def _hulpvraag(world: DemoWorld, dossier: Dossier | None = None) -> Hulpvraag:
    return create_hulpvraag(dossier or _dossier(world), world.users["aanvrager"], titel="TLV -Nieuw",
                            omschrijving="Vraag rond gedrag en leren.")  # fmt: skip


def _status(hulpvraag: Hulpvraag, naar: str, when: datetime) -> None:
    """A status change recorded at ``when`` (the history is append-only, so we add, never edit)."""
    db.session.add(Statuswijziging(hulpvraag_id=hulpvraag.id, van=hulpvraag.status, naar=naar, reden="test",
                                   created_at=when))  # fmt: skip
    hulpvraag.status = naar
    db.session.flush()


def _finished(
    world: DemoWorld, years_ago: int, naar: str = "TLV afgegeven", dossier: Dossier | None = None
) -> Hulpvraag:
    hulpvraag = _hulpvraag(world, dossier)
    _status(hulpvraag, naar, plus_jaren(utcnow(), -years_ago) - timedelta(days=1))
    return hulpvraag


def _count(model: type, **filters: object) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).filter_by(**filters)) or 0


def _roepnaam(dossier_id: int) -> str | None:
    dossier = db.session.get(Dossier, dossier_id)
    assert dossier is not None
    return dossier.roepnaam


def _proposals() -> set[tuple[int | None, str]]:
    return set(db.session.execute(sa.select(Retentievoorstel.hulpvraag_id, Retentievoorstel.soort)).tuples())


def _voorstel(hulpvraag: Hulpvraag, soort: str) -> Retentievoorstel:
    return db.session.scalars(sa.select(Retentievoorstel).filter_by(hulpvraag_id=hulpvraag.id, soort=soort)).one()


def _approve(client: FlaskClient, voorstel_id: int, bevestig: str = "ja", **kw: bool):  # type: ignore[no-untyped-def]
    return submit_form(client, f"/beheer/retentie/{voorstel_id}", {"bevestig": bevestig},
                       action=f"/beheer/retentie/{voorstel_id}/goedkeuren", **kw)  # fmt: skip


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in for the bijlagen feature: one file per hulpvraag, removed through the hook."""

    def opruimer(hulpvraag: Hulpvraag, opruiming: Opruiming) -> None:
        path = tmp_path / f"bijlage-{hulpvraag.id}.pdf"
        if path.exists():
            opruiming.tel("bijlagen", 1)
            opruiming.bestanden.append(path.unlink)

    monkeypatch.setitem(retention._OPRUIMERS, "test-bijlagen", opruimer)


def _file_for(tmp_path: Path, hulpvraag: Hulpvraag) -> Path:
    path = tmp_path / f"bijlage-{hulpvraag.id}.pdf"
    path.write_bytes(b"%PDF-1.4 test")
    return path


# --- proposing ----------------------------------------------------------------------------
def test_list_due_proposes_exactly_the_due_hulpvragen_once(app: Flask, world: DemoWorld) -> None:
    create_demo_hulpvragen(world)  # fresh cases, one of them just Afgewezen: none is due
    tlv = _finished(world, 3)  # TLV issued 3 years and a day ago: its underlying data is due
    oud = _finished(world, 7, "Afgerond begeleiding")  # 7 years: the decision itself is due
    recent = _finished(world, 2, "Afgewezen")
    heropend = _finished(world, 5, "Afgerond")
    _status(heropend, "Aanmelding", plus_jaren(utcnow(), -4))
    opnieuw_af = _finished(world, 5, "Afgerond")
    _status(opnieuw_af, "Aanmelding", plus_jaren(utcnow(), -4))
    _status(opnieuw_af, "Afgerond", plus_jaren(utcnow(), -1))  # the clock restarted a year ago
    db.session.commit()

    made = list_due(utcnow())
    db.session.commit()

    assert {(v.hulpvraag_id, v.soort) for v in made} == {(tlv.id, ONDERLIGGEND), (oud.id, BESLUIT)}
    assert all(v.status == VOORGESTELD for v in made)
    assert _voorstel(tlv, ONDERLIGGEND).aanvraagnummer == tlv.aanvraagnummer
    assert list_due(utcnow()) == [], "a second run proposes nothing new"
    assert _proposals() == {(tlv.id, ONDERLIGGEND), (oud.id, BESLUIT)}
    assert {recent.id, heropend.id, opnieuw_af.id}.isdisjoint({h for h, _ in _proposals()})


def test_a_fresh_hulpvraag_is_never_proposed(app: Flask, world: DemoWorld) -> None:
    fresh = _hulpvraag(world)
    just_finished = _hulpvraag(world)
    _status(just_finished, "TLV afgegeven", utcnow())
    db.session.commit()

    assert list_due(utcnow()) == []
    assert list_due(plus_jaren(utcnow(), 20)) != [], "the finished one is proposed once its time has come"
    assert fresh.id not in {h for h, _ in _proposals()}, "an unfinished hulpvraag never is"


def test_the_monthly_job_is_scheduled_and_proposes(app: Flask, world: DemoWorld) -> None:
    celery = app.extensions["celery"]
    entry = celery.conf.beat_schedule["list-due-retention"]
    schedule = entry["schedule"]
    assert entry["task"] in celery.tasks
    assert (schedule.day_of_month, schedule.hour, schedule.minute) == ({1}, {3}, {0})
    tlv = _finished(world, 3)
    db.session.commit()

    celery.tasks[entry["task"]].delay()

    db.session.expire_all()
    assert _proposals() == {(tlv.id, ONDERLIGGEND)}


# --- approving ----------------------------------------------------------------------------
def test_approving_underlying_data_deletes_it_and_leaves_a_report(
    app: Flask, world: DemoWorld, client: FlaskClient, auth: AuthActions, files: None, tmp_path: Path
) -> None:
    tlv = _finished(world, 3)
    bijlage = _file_for(tmp_path, tlv)
    audit_ids = _an_audit_entry(tlv)
    list_due(utcnow())
    db.session.commit()
    voorstel_id = _voorstel(tlv, ONDERLIGGEND).id
    history = len(tlv.statuswijzigingen)
    auth.login("beheerder")

    page = client.get(f"/beheer/retentie/{voorstel_id}")
    assert page.status_code == 200 and tlv.aanvraagnummer in page.text and ROEPNAAM not in page.text
    response = _approve(client, voorstel_id, follow_redirects=True)

    assert response.status_code == 200 and "verwijderd" in response.text
    db.session.expire_all()
    dossier = db.session.get(Dossier, tlv.dossier_id)
    assert dossier is not None and (dossier.roepnaam, dossier.achternaam, dossier.geboortedatum) == (None, None, None)
    assert _count(ProcessInstance, hulpvraag_id=tlv.id) == 0
    assert _count(HumanTask, hulpvraag_id=tlv.id) == 0
    hulpvraag = db.session.get(Hulpvraag, tlv.id)
    assert hulpvraag is not None and hulpvraag.omschrijving == "" and len(hulpvraag.statuswijzigingen) == history
    assert not bijlage.exists(), "the file went with the approval"
    verslag = db.session.scalars(sa.select(Verwijderverslag)).one()
    assert (verslag.soort, verslag.aanvraagnummer, verslag.bestanden) == (ONDERLIGGEND, tlv.aanvraagnummer, 1)
    assert verslag.rijen["processen"] == 1 and verslag.rijen["persoonsgegevens dossier"] == 1
    assert verslag.approved_by_naam == world.users["beheerder"].naam
    assert ROEPNAAM not in repr(verslag.rijen)
    assert _voorstel(tlv, ONDERLIGGEND).status == UITGEVOERD
    assert audit_ids <= _audit_ids(), "audit entries are never deleted"
    verslagen = client.get("/beheer/retentie/verslagen")
    assert tlv.aanvraagnummer in verslagen.text and world.users["beheerder"].naam in verslagen.text


def test_approving_the_decision_deletes_the_hulpvraag_its_history_and_unused_dossier(
    app: Flask, world: DemoWorld, client: FlaskClient, auth: AuthActions, files: None, tmp_path: Path
) -> None:
    oud = _finished(world, 7, "Afgerond")
    bijlage = _file_for(tmp_path, oud)
    gedeeld = _dossier(world)
    oud_gedeeld = _finished(world, 7, "Afgerond", dossier=gedeeld)
    lopend = _hulpvraag(world, gedeeld)  # still running on the same dossier
    ids = (oud.id, oud.dossier_id, oud.aanvraagnummer, oud_gedeeld.id)
    list_due(utcnow())
    db.session.commit()
    auth.login("beheerder")

    for hulpvraag_id in (ids[0], ids[3]):
        voorstel_id = db.session.scalars(sa.select(Retentievoorstel.id).filter_by(hulpvraag_id=hulpvraag_id)).one()
        assert _approve(client, voorstel_id).status_code == 302

    db.session.expire_all()
    assert db.session.get(Hulpvraag, ids[0]) is None and db.session.get(Dossier, ids[1]) is None
    assert _count(Statuswijziging, hulpvraag_id=ids[0]) == 0
    assert not bijlage.exists()
    assert db.session.get(Hulpvraag, ids[3]) is None
    kept = db.session.get(Dossier, gedeeld.id)
    assert kept is not None and kept.roepnaam == ROEPNAAM, "another hulpvraag still uses this dossier"
    assert db.session.get(Hulpvraag, lopend.id) is not None
    verslag = db.session.scalars(sa.select(Verwijderverslag).filter_by(aanvraagnummer=ids[2])).one()
    assert verslag.soort == BESLUIT and verslag.rijen["hulpvragen"] == 1 and verslag.rijen["dossiers"] == 1
    assert verslag.rijen["statuswijzigingen"] >= 2
    voorstel = db.session.scalars(sa.select(Retentievoorstel).filter_by(aanvraagnummer=ids[2])).one()
    assert (voorstel.hulpvraag_id, voorstel.status) == (None, UITGEVOERD)


def test_approval_needs_the_confirmation_and_a_still_finished_case(
    app: Flask, world: DemoWorld, client: FlaskClient, auth: AuthActions
) -> None:
    tlv = _finished(world, 3)
    list_due(utcnow())
    db.session.commit()
    voorstel_id = _voorstel(tlv, ONDERLIGGEND).id
    auth.login("beheerder")

    unconfirmed = _approve(client, voorstel_id, bevestig="")
    assert unconfirmed.status_code == 422 and "Vink aan" in unconfirmed.text

    _status(tlv, "Aanmelding", utcnow())  # reopened after the proposal was made
    db.session.commit()
    reopened = _approve(client, voorstel_id, follow_redirects=True)
    assert "Er is niets verwijderd" in reopened.text

    db.session.expire_all()
    assert _roepnaam(tlv.dossier_id) == ROEPNAAM
    assert _count(Verwijderverslag) == 0
    assert _voorstel(tlv, ONDERLIGGEND).status == VOORGESTELD


def test_a_rejected_proposal_keeps_the_data_and_is_not_made_again(
    app: Flask, world: DemoWorld, client: FlaskClient, auth: AuthActions
) -> None:
    tlv = _finished(world, 3)
    list_due(utcnow())
    db.session.commit()
    voorstel_id = _voorstel(tlv, ONDERLIGGEND).id
    auth.login("beheerder")

    without_reason = submit_form(client, f"/beheer/retentie/{voorstel_id}", {"reden": " "},
                                 action=f"/beheer/retentie/{voorstel_id}/afwijzen")  # fmt: skip
    assert without_reason.status_code == 422
    response = submit_form(client, f"/beheer/retentie/{voorstel_id}", {"reden": "Bezwaarprocedure loopt nog."},
                           action=f"/beheer/retentie/{voorstel_id}/afwijzen", follow_redirects=True)  # fmt: skip

    assert "Bezwaarprocedure loopt nog." in response.text
    db.session.expire_all()
    assert _voorstel(tlv, ONDERLIGGEND).status == AFGEWEZEN
    assert _roepnaam(tlv.dossier_id) == ROEPNAAM
    assert list_due(utcnow()) == []


def test_files_stay_when_the_transaction_rolls_back(app: Flask, world: DemoWorld, files: None, tmp_path: Path) -> None:
    tlv = _finished(world, 3)
    bijlage = _file_for(tmp_path, tlv)
    (voorstel,) = list_due(utcnow())
    db.session.commit()

    retention.execute(voorstel, world.users["beheerder"])
    db.session.rollback()

    assert bijlage.exists(), "files go only once the deletion of the rows has committed"
    db.session.commit()  # a later commit must not run the forgotten deletion either
    assert bijlage.exists()


# --- who ----------------------------------------------------------------------------------
@pytest.mark.parametrize("username", ["aanvrager", "scp", "orthopedagoog", "procesbeheerder", "extern"])
def test_only_a_beheerder_reaches_retention(
    app: Flask, world: DemoWorld, client: FlaskClient, auth: AuthActions, username: str
) -> None:
    tlv = _finished(world, 3)
    list_due(utcnow())
    db.session.commit()
    voorstel_id = _voorstel(tlv, ONDERLIGGEND).id
    auth.login(username)
    token = csrf_token(client.get("/taken").text)

    for url in ("/beheer/retentie", f"/beheer/retentie/{voorstel_id}", "/beheer/retentie/verslagen"):
        assert client.get(url).status_code == 404, url
    for url in (f"/beheer/retentie/{voorstel_id}/goedkeuren", f"/beheer/retentie/{voorstel_id}/afwijzen",
                "/beheer/retentie/controleren"):  # fmt: skip
        assert client.post(url, data={"bevestig": "ja", "reden": "x", "csrf_token": token}).status_code == 404, url

    db.session.expire_all()
    assert _voorstel(tlv, ONDERLIGGEND).status == VOORGESTELD
    assert _roepnaam(tlv.dossier_id) == ROEPNAAM


# --- audit entries (the audit trail's table, when present) -------------------------------
def _an_audit_entry(hulpvraag: Hulpvraag) -> set[int]:
    table = db.metadata.tables.get("audit_entry")
    if table is None:
        return set()
    db.session.execute(table.insert().values(actie="bekijken", object_type="dossier", object_id=hulpvraag.dossier_id,
                                             dossier_id=hulpvraag.dossier_id, created_at=utcnow()))  # fmt: skip
    db.session.flush()
    return _audit_ids()


def _audit_ids() -> set[int]:
    table = db.metadata.tables.get("audit_entry")
    return set() if table is None else set(db.session.scalars(sa.select(table.c.id)))
