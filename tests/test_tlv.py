"""The TLV aanpak through the app: started by the intake, deskundigen in their own inbox only,
the besluit stored as a TLV on the hulpvraag page, the verlenging timer, and R2 (parallel adviezen)."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pyotp
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from models import TLV, Bijlage, Dossier, Hulpvraag, HumanTask, OutgoingMail, ProcessInstance, Rol, User, db, utcnow
from tests.conftest import PASSWORD, IsolatedClient, csrf_token, login
from tests.race import race
from workflow.engine.runtime import complete_task, fire_timers, start_process
from workflow.functies import functie_met_naam
from workflow.hulpvragen import create_hulpvraag
from workflow.tlv import complete_parallel_task, heeft_bijlage

TOEKENNEN = {
    "besluit": "toekennen", "soort": "SO", "categorie": "midden",
    "ingangsdatum": "2026-08-01", "einddatum": "2028-07-31",
    "motivering": "Beide deskundigen adviseren toelating tot het SO.",
}  # fmt: skip


def _functionaris(world, username: str, functie: str) -> User:  # type: ignore[no-untyped-def]
    user = User(swv_id=world.swv.id, username=username, email=f"{username}@test.kansrijk.nl",
                naam=f"{functie.capitalize()} {username}")  # fmt: skip
    user.functies = [functie_met_naam(functie, world.swv.id)]
    user.set_rollen({Rol.FUNCTIONARIS})
    user.set_password(PASSWORD)
    user.totp_secret = pyotp.random_base32()
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def tlv_world(world):  # type: ignore[no-untyped-def]
    """The demo world (which has tlvadmin, TLV-administratie) plus a jeugdarts (a second discipline)."""
    assert world.users["tlvadmin"].functie_namen == {"TLV-administratie"}
    _functionaris(world, "jeugdarts", "jeugdarts")
    return world


def _opp(hulpvraag: Hulpvraag, naam: str = "OPP-2026-ondertekend.pdf", soort: str = "OPP") -> Bijlage:
    bijlage = Bijlage(hulpvraag_id=hulpvraag.id, naam=naam, soort=soort, content_type="application/pdf", grootte=10,
                      sha256="0" * 64, opslag_sleutel=uuid.uuid4().hex)  # fmt: skip
    db.session.add(bijlage)
    db.session.flush()
    return bijlage


def _hulpvraag(world, opp: bool = True) -> Hulpvraag:  # type: ignore[no-untyped-def]
    dossier = Dossier(swv_id=world.swv.id, school_id=world.scholen[0].id, roepnaam="Test", achternaam="Leerling")
    db.session.add(dossier)
    db.session.flush()
    hulpvraag = create_hulpvraag(dossier, world.users["aanvrager"], titel="TLV -Nieuw", omschrijving="Test")
    if opp:
        _opp(hulpvraag)
    db.session.commit()
    return hulpvraag


def _intake(world, hulpvraag: Hulpvraag) -> None:  # type: ignore[no-untyped-def]
    """Indienen by the school, Dossier compleet by the SCP: the intake starts the aanpak."""
    complete_task(_open(hulpvraag, "indienen").id, world.users["aanvrager"], {"ouders_geinformeerd": "ja"})
    complete_task(_open(hulpvraag, "beoordelen").id, world.users["scp"],
                  {"besluit": "dossier_compleet", "reden": "Compleet voor een TLV."})  # fmt: skip
    db.session.commit()


def _open_tasks(hulpvraag: Hulpvraag, bpmn_id: str) -> list[HumanTask]:
    query = sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, bpmn_id=bpmn_id, completed_at=None)
    return list(db.session.scalars(query))


def _open(hulpvraag: Hulpvraag, bpmn_id: str) -> HumanTask:
    [task] = _open_tasks(hulpvraag, bpmn_id)
    return task


def _deskundigen(world) -> dict[str, str]:  # type: ignore[no-untyped-def]
    jeugdarts = db.session.scalar(sa.select(User).filter_by(username="jeugdarts"))
    return {"functie_1": "orthopedagoog", "deskundige_1": str(world.users["orthopedagoog"].id),
            "functie_2": "jeugdarts", "deskundige_2": str(jeugdarts.id)}  # fmt: skip


def _status(hulpvraag: Hulpvraag) -> str:
    db.session.expire_all()  # the requests committed in sessions of their own
    return db.session.get(Hulpvraag, hulpvraag.id).status  # type: ignore[union-attr]


def _client(app, username: str) -> FlaskClient:  # type: ignore[no-untyped-def]
    app.test_client_class = IsolatedClient
    client = app.test_client()
    login(client, username)
    return client


def _post(client: FlaskClient, task: HumanTask, data: dict[str, str]):  # type: ignore[no-untyped-def]
    page = client.get(f"/taken/{task.id}")
    assert page.status_code == 200, page.status_code
    return client.post(f"/taken/{task.id}", data={**data, "csrf_token": csrf_token(page.text)})


# --- the aanpak through the web ---------------------------------------------------------------
def test_dossier_compleet_on_tlv_nieuw_starts_the_tlv_aanpak(app, tlv_world):
    hulpvraag = _hulpvraag(tlv_world)
    _intake(tlv_world, hulpvraag)

    keys = db.session.scalars(sa.select(ProcessInstance.process_key).filter_by(hulpvraag_id=hulpvraag.id)).all()
    assert sorted(keys) == ["hulpvraag", "tlv"]
    task = _open(hulpvraag, "dossiercheck")
    assert task.rol == Rol.SCP and task.titel == "TLV-dossier controleren"


def test_dossiercheck_refuses_compleet_without_an_opp(app, tlv_world):
    hulpvraag = _hulpvraag(tlv_world, opp=False)
    _intake(tlv_world, hulpvraag)
    scp = _client(app, "scp")

    weg = _opp(hulpvraag, "opp-oud.pdf")
    weg.verwijderd_at = utcnow()  # a removed OPP does not count
    _opp(hulpvraag, "OPP-stoppen.pdf", soort="overig")  # the soort counts, not the name
    db.session.commit()
    response = _post(scp, _open(hulpvraag, "dossiercheck"), {"besluit": "compleet"})
    assert response.status_code == 422
    assert "Er staat geen OPP bij deze hulpvraag" in response.text

    _opp(hulpvraag, "scan20230106.pdf", soort="OPP")  # an OPP whatever its name
    db.session.commit()
    assert _post(scp, _open(hulpvraag, "dossiercheck"), {"besluit": "compleet"}).status_code == 302
    assert _open(hulpvraag, "deskundigen_kiezen").rol == Rol.SCP


def test_heeft_bijlage_treats_like_wildcards_as_text(app, tlv_world):
    hulpvraag = _hulpvraag(tlv_world, opp=False)
    _opp(hulpvraag, "verslag.pdf", soort="verslag")
    db.session.commit()
    assert not heeft_bijlage(hulpvraag.id, "%")
    assert heeft_bijlage(hulpvraag.id, "VERSLAG")


def test_deskundigen_only_in_their_own_inbox_and_besluit_on_the_hulpvraag_page(app, tlv_world):
    hulpvraag = _hulpvraag(tlv_world)
    _intake(tlv_world, hulpvraag)
    tweede_ortho = _functionaris(tlv_world, "orthopedagoog2", "orthopedagoog")
    scp = _client(app, "scp")
    assert _post(scp, _open(hulpvraag, "dossiercheck"), {"besluit": "compleet"}).status_code == 302

    kiezen = _open(hulpvraag, "deskundigen_kiezen")
    page = scp.get(f"/taken/{kiezen.id}").text
    assert "Olga Visser" in page and "Jeugdarts jeugdarts" in page  # the picker lists functionarissen
    dezelfde = {**_deskundigen(tlv_world), "functie_2": "orthopedagoog",
                "deskundige_2": str(tlv_world.users["orthopedagoog"].id)}  # fmt: skip
    response = _post(scp, kiezen, dezelfde)
    assert response.status_code == 422 and "Kies twee verschillende deskundigen." in response.text
    verkeerd = {**_deskundigen(tlv_world), "deskundige_1": str(tlv_world.users["psycholoog"].id)}
    response = _post(scp, kiezen, verkeerd)
    assert response.status_code == 422 and "Deze persoon heeft niet de functie orthopedagoog." in response.text
    assert _post(scp, kiezen, _deskundigen(tlv_world)).status_code == 302
    assert _status(hulpvraag) == "In behandeling"

    inboxes = {name: _client(app, name).get("/taken").text
               for name in ("orthopedagoog", "orthopedagoog2", "psycholoog", "jeugdarts")}  # fmt: skip
    assert "Deskundigenadvies TLV (orthopedagoog/psycholoog)" in inboxes["orthopedagoog"]
    assert "tweede deskundige" not in inboxes["orthopedagoog"]
    assert "Deskundigenadvies TLV (tweede deskundige)" in inboxes["jeugdarts"]
    assert "orthopedagoog/psycholoog)" not in inboxes["jeugdarts"]
    assert "Deskundigenadvies" not in inboxes["orthopedagoog2"]  # same functie, not chosen
    assert "Deskundigenadvies" not in inboxes["psycholoog"]
    assert tweede_ortho.id != tlv_world.users["orthopedagoog"].id

    advies_1, advies_2 = _open(hulpvraag, "advies_1"), _open(hulpvraag, "advies_2")
    andere = _client(app, "orthopedagoog2")
    assert andere.post(f"/taken/{advies_1.id}", data={"advies": "x" * 20}).status_code in (400, 403, 404)
    ortho, arts = _client(app, "orthopedagoog"), _client(app, "jeugdarts")
    assert _post(ortho, advies_1, {"advies": "Toelaatbaar tot het SO.", "bijlage_toelichting": "verslag-ortho.pdf"}
                 ).status_code == 302  # fmt: skip
    assert _open_tasks(hulpvraag, "besluit") == []  # the join waits for the second advies
    assert _post(arts, advies_2, {"advies": "Kleine groep nodig, eens met SO."}).status_code == 302

    besluit = _open(hulpvraag, "besluit")
    assert besluit.functie == "TLV-administratie"
    assert "Toelaatbaar tot het SO." in besluit.instructie and "Kleine groep nodig" in besluit.instructie
    admin = _client(app, "tlvadmin")
    response = _post(admin, besluit, {**TOEKENNEN, "einddatum": "2026-07-31"})
    assert response.status_code == 422 and "De einddatum moet na de ingangsdatum liggen." in response.text
    assert _post(admin, besluit, TOEKENNEN).status_code == 302

    [tlv] = db.session.scalars(sa.select(TLV).filter_by(hulpvraag_id=hulpvraag.id)).all()
    assert re.fullmatch(rf"TLV-{date.today().year}-\d{{6}}", tlv.nummer or "")
    assert (tlv.soort, tlv.categorie, tlv.ingangsdatum, tlv.einddatum) == ("SO", "midden", date(2026, 8, 1),
                                                                           date(2028, 7, 31))  # fmt: skip
    assert [(a["naam"], a["functie"]) for a in tlv.adviezen] == [
        ("Olga Visser", "orthopedagoog"), ("Jeugdarts jeugdarts", "jeugdarts")]  # fmt: skip
    assert _status(hulpvraag) == "TLV afgegeven"

    page = _client(app, "aanvrager").get(f"/hulpvragen/{hulpvraag.id}").text
    assert f"TLV {tlv.nummer}" in page and "01-08-2026 tot en met 31-07-2028" in page
    assert "Olga Visser" in page and "verslag-ortho.pdf" in page and "Kleine groep nodig" in page

    instance = db.session.scalars(
        sa.select(ProcessInstance).filter_by(hulpvraag_id=hulpvraag.id, process_key="tlv")
    ).one()
    assert instance.next_timer_at is not None
    assert instance.next_timer_at.date() == date(2028, 7, 31) - timedelta(weeks=12)


def _tot_besluit(world, hulpvraag: Hulpvraag) -> None:  # type: ignore[no-untyped-def]
    complete_task(_open(hulpvraag, "dossiercheck").id, world.users["scp"], {"besluit": "compleet"})
    complete_task(_open(hulpvraag, "deskundigen_kiezen").id, world.users["scp"], _deskundigen(world))
    jeugdarts = db.session.scalar(sa.select(User).filter_by(username="jeugdarts"))
    complete_task(_open(hulpvraag, "advies_1").id, world.users["orthopedagoog"], {"advies": "Geen TLV nodig."})
    complete_task(_open(hulpvraag, "advies_2").id, jeugdarts, {"advies": "Eens: geen TLV nodig."})
    db.session.commit()


def test_afwijzen_keeps_the_besluit_without_a_nummer(app, tlv_world):
    hulpvraag = _hulpvraag(tlv_world)
    _intake(tlv_world, hulpvraag)
    _tot_besluit(tlv_world, hulpvraag)
    admin = db.session.scalar(sa.select(User).filter_by(username="tlvadmin"))
    complete_task(_open(hulpvraag, "besluit").id, admin,
                  {"besluit": "afwijzen", "motivering": "De school kan voldoende ondersteuning bieden."})  # fmt: skip
    db.session.commit()

    [tlv] = db.session.scalars(sa.select(TLV).filter_by(hulpvraag_id=hulpvraag.id)).all()
    assert (tlv.besluit, tlv.nummer, len(tlv.adviezen)) == ("afwijzen", None, 2)
    hulpvraag = db.session.get(Hulpvraag, hulpvraag.id)
    assert hulpvraag.status == "Afgewezen"
    assert hulpvraag.statuswijzigingen[-1].reden == "De school kan voldoende ondersteuning bieden."


def test_verlenging_task_for_school_and_scp_when_the_einddatum_is_near(app, tlv_world):
    hulpvraag = _hulpvraag(tlv_world)
    _intake(tlv_world, hulpvraag)
    _tot_besluit(tlv_world, hulpvraag)
    admin = db.session.scalar(sa.select(User).filter_by(username="tlvadmin"))
    bijna = date.today() + timedelta(weeks=10)  # already within the 12 weeks: the timer is due at once
    besluit = {**TOEKENNEN, "ingangsdatum": date.today().isoformat(), "einddatum": bijna.isoformat()}
    complete_task(_open(hulpvraag, "besluit").id, admin, besluit)
    db.session.commit()
    instance = db.session.scalars(
        sa.select(ProcessInstance).filter_by(hulpvraag_id=hulpvraag.id, process_key="tlv")
    ).one()
    fire_timers(instance.id)  # what the sweep does; the engine may already have fired a past timer
    db.session.commit()

    open_tasks = _open_tasks(hulpvraag, "verlenging_school") + _open_tasks(hulpvraag, "verlenging_scp")
    assert sorted(t.rol for t in open_tasks) == [Rol.AANVRAGER, Rol.SCP]
    assert "Verlenging TLV overwegen" in _client(app, "aanvrager").get("/taken").text
    assert _status(hulpvraag) == "TLV afgegeven"
    # the reminder reaches the school by mail (property mailSchool on verlenging_school) and the SCP
    herinnering = db.session.scalars(sa.select(OutgoingMail).filter_by(soort="taak_school")).all()
    assert {m.to for m in herinnering} >= {tlv_world.users["aanvrager"].email}
    assert all("Verlenging TLV overwegen" in m.body and hulpvraag.aanvraagnummer in m.subject for m in herinnering)
    scp_mail = db.session.scalars(sa.select(OutgoingMail).filter_by(soort="nieuwe_taak", to=tlv_world.users["scp"].email))
    assert any("Verlenging" in m.subject for m in scp_mail)


# --- R2: both parallel adviezen at the same moment, 100 times -----------------------------------
def test_r2_parallel_adviezen_completed_at_the_same_moment_100_times(app, tlv_world):
    jeugdarts = db.session.scalar(sa.select(User).filter_by(username="jeugdarts"))
    ortho_id, arts_id, scp = tlv_world.users["orthopedagoog"].id, jeugdarts.id, tlv_world.users["scp"]
    for round_ in range(100):
        hulpvraag = _hulpvraag(tlv_world)
        start_process(hulpvraag, "tlv", None)
        complete_task(_open(hulpvraag, "dossiercheck").id, scp, {"besluit": "compleet"})
        complete_task(_open(hulpvraag, "deskundigen_kiezen").id, scp, _deskundigen(tlv_world))
        db.session.commit()
        tasks = [(_open(hulpvraag, "advies_1").id, ortho_id), (_open(hulpvraag, "advies_2").id, arts_id)]

        def advise(i: int, tasks=tasks, round_=round_) -> str:  # type: ignore[no-untyped-def]
            task_pk, user_id = tasks[i]
            complete_parallel_task(task_pk, user_id, {"advies": f"Advies {i + 1} in ronde {round_}."})
            return "ok"

        assert race(app, 2, advise) == ["ok", "ok"], round_
        db.session.expire_all()
        done = db.session.scalars(sa.select(HumanTask).where(
            HumanTask.hulpvraag_id == hulpvraag.id, HumanTask.bpmn_id.in_(["advies_1", "advies_2"]))).all()  # fmt: skip
        assert sorted((t.bpmn_id, t.completed_by_id) for t in done) == [("advies_1", ortho_id), ("advies_2", arts_id)]
        [besluit] = db.session.scalars(
            sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, bpmn_id="besluit")
        ).all()
        assert f"Advies 1 in ronde {round_}." in besluit.instructie, round_  # both adviezen reached the join
        assert f"Advies 2 in ronde {round_}." in besluit.instructie, round_
