"""Overlegronde (domain.md §5, §9; verification S4): who may start one, the deelnemers' access
until the deadline (also with an open session and a fetched download link), extension,
the diagram's timer, extern activation, reacties."""

from __future__ import annotations

import io
import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

import workflow.access as access
from models import Dossier, Hulpvraag, OutgoingMail, PasswordReset, ProcessInstance, User, db, utcnow
from models.overlegronde import OVERLEGRONDE_TITEL, Overlegronde, Reactie
from tests.conftest import csrf_token, login
from web.overlegronde.views import deadline_invoer
from workflow.bijlagen import voeg_toe
from workflow.engine.runtime import fire_timers, set_status
from workflow.hulpvragen import create_hulpvraag
from workflow.overlegronde import NieuweDeelnemer, activatie_token, start_overlegronde, verleng

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _hulpvraag(world, titel: str = OVERLEGRONDE_TITEL, school: int = 0) -> Hulpvraag:  # type: ignore[no-untyped-def]
    dossier = Dossier(swv_id=world.swv.id, school_id=world.scholen[school].id, roepnaam="Fleur", achternaam="Vermeulen")
    db.session.add(dossier)
    db.session.flush()
    aanvrager = world.users["aanvrager" if school == 0 else "aanvrager2"]
    hulpvraag = create_hulpvraag(dossier, aanvrager, titel=titel, omschrijving="verslag tbv logopedie")
    db.session.commit()
    return hulpvraag


def _ronde(world, hulpvraag: Hulpvraag, seconds: float = 3600, deelnemers=("extern",)) -> Overlegronde:  # type: ignore[no-untyped-def]
    """Invited by exact e-mail address (the picker offers only the school's own staff and earlier externs)."""
    per_email = [NieuweDeelnemer("", world.users[u].email) for u in deelnemers]
    ronde, _ = start_overlegronde(hulpvraag, world.users["aanvrager"], "Verslag logopedie", "Graag uw reactie",
                                  utcnow() + timedelta(seconds=seconds), [], per_email)  # fmt: skip
    db.session.commit()
    return ronde


def _bijlage(world, hulpvraag: Hulpvraag) -> int:  # type: ignore[no-untyped-def]
    bijlage = voeg_toe(hulpvraag, io.BytesIO(PDF), "VerslagLogopedie.pdf", world.users["aanvrager"])
    db.session.commit()
    return bijlage.id


def _als(client, rol: str):  # type: ignore[no-untyped-def]
    """A fresh browser for ``rol`` (the test client keeps one cookie jar)."""
    fresh = client.application.test_client()
    login(fresh, rol)
    return fresh


def _freeze(monkeypatch: pytest.MonkeyPatch, moment) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(access, "nu", lambda: moment)


def _post(client, url: str, data: dict[str, str], page: str = "/overlegrondes"):  # type: ignore[no-untyped-def]
    return client.post(url, data={**data, "csrf_token": csrf_token(client.get(page).text)})


# --- starting -----------------------------------------------------------------------------
def test_only_for_the_title_in_voorlopige_aanmelding_and_the_schools_own_staff(client, world):
    goed = _hulpvraag(world)
    tlv = _hulpvraag(world, "TLV -Nieuw")
    andere_school = _hulpvraag(world, school=2)
    client = _als(client, "aanvrager")

    assert client.get(f"/hulpvragen/{goed.id}/overlegronde/nieuw").status_code == 200
    assert "Nieuwe overlegronde" in client.get(f"/hulpvragen/{goed.id}").text
    assert client.get(f"/hulpvragen/{tlv.id}/overlegronde/nieuw").status_code == 302
    assert "Nieuwe overlegronde" not in client.get(f"/hulpvragen/{tlv.id}").text
    assert client.get(f"/hulpvragen/{andere_school.id}/overlegronde/nieuw").status_code == 404

    set_status(goed, "Aanmelding", "ingediend", world.users["aanvrager"])
    db.session.commit()
    assert client.get(f"/hulpvragen/{goed.id}/overlegronde/nieuw").status_code == 302

    for rol in ("scp", "orthopedagoog", "beheerder", "extern"):
        client = _als(client, rol)
        assert client.get(f"/hulpvragen/{goed.id}/overlegronde/nieuw").status_code == 404, rol


def test_the_deadline_is_required_and_in_the_future(client, world):
    hulpvraag = _hulpvraag(world)
    client = _als(client, "aanvrager")
    url = f"/hulpvragen/{hulpvraag.id}/overlegronde/nieuw"
    base = {"onderwerp": "Verslag", "nieuw_email": world.users["extern"].email}

    zonder = _post(client, url, base, url)
    verleden = _post(client, url, {**base, "deadline": "2020-01-01T10:00"}, url)

    assert zonder.status_code == 422 and "Vul een deadline in" in zonder.text
    assert verleden.status_code == 422 and "in de toekomst" in verleden.text
    assert db.session.scalar(sa.select(sa.func.count(Overlegronde.id))) == 0


def test_school_starts_a_round_with_an_existing_and_a_new_extern_account(client, world):
    _ronde(world, _hulpvraag(world))  # the school invited this extern before: the picker offers them now
    hulpvraag = _hulpvraag(world)
    client = _als(client, "aanvrager")
    url = f"/hulpvragen/{hulpvraag.id}/overlegronde/nieuw"
    deadline = deadline_invoer(utcnow() + timedelta(days=7))
    data = {"onderwerp": "Verslag logopedie", "omschrijving": "Graag uw reactie", "deadline": deadline,
            "deelnemers": str(world.users["extern"].id), "nieuw_naam": "Piet Praktijk",
            "nieuw_email": "piet@logopediepraktijk.nl"}  # fmt: skip

    response = _post(client, url, data, url)

    assert response.status_code == 302
    ronde = db.session.scalars(sa.select(Overlegronde).filter_by(hulpvraag_id=hulpvraag.id)).one()
    nieuw = db.session.scalars(sa.select(User).filter_by(email="piet@logopediepraktijk.nl")).one()
    assert nieuw.rollen == {"extern"} and nieuw.password_hash is None
    assert {d.user_id for d in ronde.deelnemers} == {world.users["extern"].id, nieuw.id}
    instance = db.session.scalars(
        sa.select(ProcessInstance).filter_by(process_key="overlegronde", hulpvraag_id=hulpvraag.id)
    ).one()
    assert instance.next_timer_at == ronde.deadline and not instance.completed
    mails = db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.subject.contains("overlegronde"),
                                                             OutgoingMail.hulpvraag_id == hulpvraag.id)).all()  # fmt: skip
    assert sorted(m.to for m in mails) == sorted([world.users["extern"].email, "piet@logopediepraktijk.nl"])
    assert all("Fleur" not in m.body and "Vermeulen" not in m.body for m in mails)  # no pupil data in a mail
    assert "tweestapsverificatie" in next(m.body for m in mails if m.to == nieuw.email)
    assert hulpvraag.status == "Voorlopige aanmelding"


def test_a_new_account_may_not_name_the_pupil(client, world):
    hulpvraag = _hulpvraag(world)
    with pytest.raises(Exception, match="geen naam van de leerling"):
        start_overlegronde(hulpvraag, world.users["aanvrager"], "Verslag", "", utcnow() + timedelta(days=1), [],
                           [NieuweDeelnemer("Logopedist van Fleur", "logo@praktijk.nl")])  # fmt: skip


def test_swv_staff_cannot_be_invited(world, app):
    hulpvraag = _hulpvraag(world)
    with pytest.raises(Exception, match="kan niet worden uitgenodigd"):  # not in the picker
        start_overlegronde(hulpvraag, world.users["aanvrager"], "Verslag", "", utcnow() + timedelta(days=1),
                           [world.users["scp"].id], [])  # fmt: skip
    with pytest.raises(Exception, match="account dat niet kan deelnemen"):  # nor by e-mail address
        _ronde(world, hulpvraag, deelnemers=("scp",))


# --- activation ---------------------------------------------------------------------------
def test_activation_link_works_once_and_expires(client, world):
    hulpvraag = _hulpvraag(world)
    client = _als(client, "aanvrager")
    url = f"/hulpvragen/{hulpvraag.id}/overlegronde/nieuw"
    data = {"onderwerp": "Verslag", "deadline": deadline_invoer(utcnow() + timedelta(days=7)),
            "nieuw_naam": "Piet Praktijk", "nieuw_email": "piet@praktijk.nl"}  # fmt: skip
    assert _post(client, url, data, url).status_code == 302
    body = db.session.scalars(sa.select(OutgoingMail).filter_by(to="piet@praktijk.nl")).one().body
    link = re.search(r"/wachtwoord-herstellen/\S+", body)
    assert link
    assert "7 dagen" in body and "tweestapsverificatie" in body  # the link works a week; 2FA explained
    url = link.group(0)

    browser = client.application.test_client()
    page = browser.get(url)
    assert page.status_code == 200
    password = "een-lang-nieuw-wachtwoord-42"
    done = browser.post(url, data={"nieuw": password, "herhaal": password, "csrf_token": csrf_token(page.text)})
    assert done.status_code == 302
    assert browser.get(url).status_code == 404  # single use
    login_page = browser.get("/login")
    response = browser.post("/login", data={"username": "piet@praktijk.nl", "password": password,
                                            "csrf_token": csrf_token(login_page.text)})  # fmt: skip
    assert response.status_code == 302 and "/login/inschrijven" in response.headers["Location"]  # then 2FA

    user = db.session.scalars(sa.select(User).filter_by(email="piet@praktijk.nl")).one()
    token = activatie_token(user)
    reset = db.session.scalars(sa.select(PasswordReset).where(PasswordReset.used_at.is_(None))).one()
    assert timedelta(days=6, hours=23) < reset.expires_at - utcnow() <= timedelta(days=7)
    db.session.execute(sa.update(PasswordReset).where(PasswordReset.used_at.is_(None))
                       .values(expires_at=utcnow() - timedelta(seconds=1)))  # fmt: skip
    db.session.commit()
    assert client.application.test_client().get(f"/wachtwoord-herstellen/{token}").status_code == 404  # expired


# --- S4: access until the deadline ------------------------------------------------------
def test_deelnemer_access_ends_at_the_deadline_on_every_route(client, world, monkeypatch):
    hulpvraag = _hulpvraag(world)
    bijlage_id = _bijlage(world, hulpvraag)
    ronde = _ronde(world, hulpvraag)
    login(client, "extern")  # the session is opened well before the deadline
    show, download = f"/overlegrondes/{ronde.id}", f"/bijlagen/{bijlage_id}"

    _freeze(monkeypatch, ronde.deadline - timedelta(seconds=1))
    assert client.get(show).status_code == 200
    assert client.get(download).status_code == 200
    assert _post(client, f"{show}/reacties", {"tekst": "Ik kijk ernaar."}, show).status_code == 302
    assert f'href="/overlegrondes/{ronde.id}"' in client.get("/overlegrondes").text
    token = csrf_token(client.get(show).text)

    for moment in (ronde.deadline, ronde.deadline + timedelta(seconds=1)):
        _freeze(monkeypatch, moment)
        assert client.get(show).status_code == 404
        assert client.get(download).status_code == 404  # a link fetched before the deadline
        late = client.post(f"{show}/reacties", data={"tekst": "Te laat", "csrf_token": token})
        assert late.status_code == 404
        assert f"/overlegrondes/{ronde.id}" not in client.get("/overlegrondes").text
    assert [r.tekst for r in db.session.scalars(sa.select(Reactie))] == ["Ik kijk ernaar."]
    assert client.get(f"/hulpvragen/{hulpvraag.id}").status_code == 404  # never the school's own page


def test_extension_restores_access(client, world, monkeypatch):
    hulpvraag = _hulpvraag(world)
    bijlage_id = _bijlage(world, hulpvraag)
    ronde = _ronde(world, hulpvraag)
    ronde.deadline = utcnow() - timedelta(minutes=1)  # it has passed
    db.session.commit()
    client = _als(client, "extern")
    assert client.get(f"/overlegrondes/{ronde.id}").status_code == 404

    client = _als(client, "aanvrager")
    nieuw = deadline_invoer(utcnow() + timedelta(days=3))
    page = f"/overlegrondes/{ronde.id}"
    assert client.get(page).status_code == 200  # the school still sees its round
    assert _post(client, f"{page}/deadline", {"deadline": nieuw}, page).status_code == 302

    client = _als(client, "extern")
    assert client.get(page).status_code == 200
    assert client.get(f"/bijlagen/{bijlage_id}").status_code == 200
    [mail] = db.session.scalars(sa.select(OutgoingMail).filter_by(soort="overlegronde_deadline")).all()
    jaar, maand, dag = nieuw[:10].split("-")
    assert mail.to == world.users["extern"].email and f"tot {dag}-{maand}-{jaar}" in mail.body


def test_only_the_school_extends(client, world):
    hulpvraag = _hulpvraag(world)
    ronde = _ronde(world, hulpvraag)
    before = ronde.deadline
    client = _als(client, "extern")
    page = f"/overlegrondes/{ronde.id}"
    response = _post(client, f"{page}/deadline", {"deadline": deadline_invoer(utcnow() + timedelta(days=30))}, page)
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Overlegronde, ronde.id).deadline == before


def test_swv_staff_never_see_the_round(client, world):
    hulpvraag = _hulpvraag(world)
    ronde = _ronde(world, hulpvraag)
    set_status(hulpvraag, "Aanmelding", "ingediend", world.users["aanvrager"])  # now visible to the SCP
    db.session.commit()
    for rol in ("scp", "scp2", "orthopedagoog", "psycholoog", "procesbeheerder", "aanvrager2"):
        client = _als(client, rol)
        assert client.get(f"/overlegrondes/{ronde.id}").status_code == 404, rol
        assert ronde.onderwerp not in client.get("/overlegrondes").text, rol
    client = _als(client, "scp")
    assert "Overlegrondes" not in client.get(f"/hulpvragen/{hulpvraag.id}").text


def test_a_deelnemer_loses_access_when_the_hulpvraag_is_submitted(client, world):
    hulpvraag = _hulpvraag(world)
    ronde = _ronde(world, hulpvraag)
    client = _als(client, "extern")
    assert client.get(f"/overlegrondes/{ronde.id}").status_code == 200
    set_status(hulpvraag, "Aanmelding", "ingediend", world.users["aanvrager"])
    db.session.commit()
    assert client.get(f"/overlegrondes/{ronde.id}").status_code == 404


# --- reacties -----------------------------------------------------------------------------
def test_reacties_by_school_and_deelnemer(client, world):
    hulpvraag = _hulpvraag(world)
    ronde = _ronde(world, hulpvraag)
    page = f"/overlegrondes/{ronde.id}"
    for rol, tekst in (("aanvrager", "Zie het verslag."), ("extern", "Dank, ik reageer vrijdag."),
                       ("directeur", "Prima.")):  # fmt: skip
        client = _als(client, rol)
        assert _post(client, f"{page}/reacties", {"tekst": tekst}, page).status_code == 302
    client = _als(client, "extern")
    assert _post(client, f"{page}/reacties", {"tekst": "   "}, page).status_code == 302
    shown = client.get(page).text
    rows = db.session.scalars(sa.select(Reactie).order_by(Reactie.id)).all()
    assert [(r.auteur.username, r.tekst) for r in rows] == [
        ("aanvrager", "Zie het verslag."), ("extern", "Dank, ik reageer vrijdag."), ("directeur", "Prima.")
    ]  # fmt: skip
    assert "Dank, ik reageer vrijdag." in shown and "Eva Logopedie" in shown


# --- the diagram's timer -----------------------------------------------------------------
def _instance() -> ProcessInstance:
    return db.session.scalars(
        sa.select(ProcessInstance).filter_by(process_key="overlegronde").order_by(ProcessInstance.id.desc())
    ).first()


def test_the_timer_closes_the_round_and_an_extension_starts_it_again(world, app):
    hulpvraag = _hulpvraag(world)
    ronde = _ronde(world, hulpvraag, seconds=1)
    time.sleep(1.2)

    assert fire_timers(_instance().id)
    db.session.commit()
    assert ronde.gesloten_at is not None and _instance().completed

    verleng(ronde, world.users["aanvrager"], utcnow() + timedelta(days=1))
    db.session.commit()
    assert ronde.gesloten_at is None
    assert not _instance().completed and _instance().next_timer_at == ronde.deadline


def test_an_extension_before_the_deadline_moves_the_timer(world, app):
    hulpvraag = _hulpvraag(world)
    ronde = _ronde(world, hulpvraag, seconds=1)
    verleng(ronde, world.users["aanvrager"], utcnow() + timedelta(hours=2))
    db.session.commit()
    time.sleep(1.2)

    assert fire_timers(_instance().id)  # the old deadline goes off ...
    db.session.commit()
    assert ronde.gesloten_at is None and not _instance().completed
    assert _instance().next_timer_at == ronde.deadline  # ... and the diagram waits for the new one
    assert db.session.scalar(sa.select(sa.func.count(ProcessInstance.id)).filter_by(process_key="overlegronde")) == 1


def test_a_stuck_overlegronde_diagram_keeps_the_form_reports_an_incident_and_saves_nothing(client, world, tmp_path):
    from models import Incident
    from tests.test_incidenten import kapot_script, publiceer

    publiceer(tmp_path, "overlegronde", kapot_script("overlegronde", "start", "x = bestaat_niet"))
    hulpvraag = _hulpvraag(world)
    client = _als(client, "aanvrager")
    url = f"/hulpvragen/{hulpvraag.id}/overlegronde/nieuw"
    data = {"onderwerp": "Verslag logopedie", "omschrijving": "Graag uw reactie",
            "deadline": deadline_invoer(utcnow() + timedelta(days=7)), "nieuw_email": world.users["extern"].email}  # fmt: skip

    response = _post(client, url, data, url)

    assert response.status_code == 409
    assert "De overlegronde kon niet worden gestart" in response.text and "gemeld bij de procesbeheerder" in response.text
    assert "Graag uw reactie" in response.text  # the form comes back filled in
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Overlegronde)) == 0
    incident = db.session.scalars(sa.select(Incident)).one()
    assert (incident.soort, incident.process_key, incident.hulpvraag_id) == ("start", "overlegronde", hulpvraag.id)
