"""Beheer accounts (issue 14 item 1): create, rules, edit, disable/enable, audit, activation, import, export."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import openpyxl
import pyotp
import pytest
import sqlalchemy as sa

from models import (
    AuditEntry,
    Bestuur,
    Functie,
    LoginSession,
    OutgoingMail,
    Samenwerkingsverband,
    School,
    User,
    db,
    utcnow,
)
from models.auth_token import AccountActivatie
from tests.conftest import csrf_token, login

NIEUW = "/beheer/gebruikers/nieuw"


@pytest.fixture
def beheerder(client, world):  # type: ignore[no-untyped-def]
    login(client, "beheerder")
    return world.users["beheerder"]


def _functie(naam: str) -> Functie:
    return db.session.scalars(sa.select(Functie).filter_by(naam=naam)).one()


def _user(username: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.username) == username.lower()))


def _post(client, url: str, data: dict, page_url: str | None = None, **kw):  # type: ignore[no-untyped-def]
    page = client.get(page_url or url)
    assert page.status_code == 200, page.status_code
    return client.post(url, data={**data, "csrf_token": csrf_token(page.text)}, **kw)


def _nieuw(**velden: object) -> dict[str, object]:
    data: dict[str, object] = {"naam": "Nina Nieuw", "email": "nina@school.nl", "username": "nnieuw",
                               "rol": ["aanvrager"]}  # fmt: skip
    data.update(velden)
    return data


def _activatiemails(email: str) -> list[OutgoingMail]:
    query = sa.select(OutgoingMail).filter_by(to=email, soort="account_activeren").order_by(OutgoingMail.id)
    return list(db.session.scalars(query))


def _link(mail: OutgoingMail) -> str:
    match = re.search(r"http://kansrijk\.test(/activeren/\S+)", mail.body)
    assert match, mail.body
    return match.group(1)


def _audit(user: User) -> list[str]:
    query = sa.select(AuditEntry.detail).filter_by(object_type="gebruiker", object_id=user.id).order_by(AuditEntry.id)
    return list(db.session.scalars(query))


# --- create ------------------------------------------------------------------------------
def test_beheerder_creates_an_account_that_gets_an_activation_mail(client, world, beheerder):
    school = world.scholen[1]
    response = _post(client, NIEUW, _nieuw(school=[str(school.id), str(world.scholen[0].id)], rol=["aanvrager",
                                                                                                  "directeur"]))
    assert response.status_code == 302
    user = _user("nnieuw")
    assert user is not None and user.naam == "Nina Nieuw" and user.password_hash is None and user.actief
    assert user.rollen == {"aanvrager", "directeur"} and user.school_ids == {school.id, world.scholen[0].id}
    [mail] = _activatiemails("nina@school.nl")
    assert "nnieuw" in mail.body and "7 dagen" in mail.body
    assert any("rollen: aanvrager, directeur" in d for d in _audit(user))
    page = client.get(response.headers["Location"])
    assert "Nog niet geactiveerd" in page.text and "Activatielink opnieuw versturen" in page.text


@pytest.mark.parametrize(("velden", "melding"), [
    ({"email": "geen-adres"}, "Het e-mailadres ‘geen-adres’ is ongeldig."),
    ({"email": "AANVRAGER@demo.kansrijk.nl"}, "is al in gebruik bij Ilse Bakker"),
    ({"username": "SCP"}, "De gebruikersnaam ‘SCP’ is al in gebruik"),
    ({"username": "met spatie"}, "is ongeldig: 3 tot 80"),
    ({"naam": "  "}, "Vul de naam in."),
    ({"rol": []}, "Kies minstens één rol."),
    ({"rol": ["aanvrager"]}, "Een aanvrager of directeur werkt voor minstens één school"),
    ({"rol": ["functionaris"]}, "Een functionaris heeft minstens één functie"),
    ({"rol": ["koning"]}, "Onbekende rol ‘koning’"),
])  # fmt: skip
def test_a_wrong_account_is_refused_in_dutch_and_nothing_is_stored(client, world, beheerder, velden, melding):
    voor = db.session.scalar(sa.select(sa.func.count(User.id)))
    response = _post(client, NIEUW, _nieuw(**velden))
    assert response.status_code == 422
    assert melding in response.text and "Het account is niet opgeslagen" in response.text
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == voor
    assert db.session.scalars(sa.select(OutgoingMail).filter_by(soort="account_activeren")).all() == []
    assert 'value="Nina Nieuw"' in response.text or velden.get("naam")  # what was typed stays


def test_functies_belong_to_a_functionaris(client, world, beheerder):
    financien = _functie("financiën")
    response = _post(client, NIEUW, _nieuw(functie=[str(financien.id)], school=[str(world.scholen[0].id)]))
    assert response.status_code == 422 and "Functies horen bij de rol functionaris" in response.text
    response = _post(client, NIEUW, _nieuw(rol=["functionaris"], functie=[str(financien.id)]))
    assert response.status_code == 302
    user = _user("nnieuw")
    assert user is not None and user.functie_namen == {"financiën"}


def test_an_scp_taking_schools_from_another_scp_is_shown_first(client, world, beheerder):
    regenboog, kompas = world.scholen[0], world.scholen[2]
    data = _nieuw(rol=["scp"], scp_school=[str(regenboog.id), str(kompas.id)])
    response = _post(client, NIEUW, data)
    assert response.status_code == 422
    assert "wordt nu gecoördineerd door Sanne Jansen; daarna door Nina Nieuw" in response.text
    assert "wordt nu gecoördineerd door Pieter Smit" in response.text
    assert _user("nnieuw") is None and db.session.get(School, regenboog.id).scp_id == world.users["scp"].id
    response = _post(client, NIEUW, {**data, "bevestig_overname": "ja"})
    assert response.status_code == 302
    user = _user("nnieuw")
    assert {s.scp_id for s in db.session.scalars(sa.select(School).where(School.id.in_([regenboog.id, kompas.id])))} \
        == {user.id}
    assert any("SCP van: 00YY00, 02CD01" in d for d in _audit(user))
    assert "SCP van 00YY00 overgedragen aan Nina Nieuw (nnieuw)" in _audit(world.users["scp"])
    assert "SCP van 02CD01 overgedragen aan Nina Nieuw (nnieuw)" in _audit(world.users["scp2"])


def test_an_scp_letting_go_of_a_school_is_shown_first(client, world, beheerder):
    scp2, kompas = world.users["scp2"], world.scholen[2]
    url = f"/beheer/gebruikers/{scp2.id}"
    data = {"naam": scp2.naam, "email": scp2.email, "username": "scp2", "rol": ["scp"]}
    response = _post(client, url, data)
    assert response.status_code == 422
    assert "IKC Het Kompas (02CD01) heeft daarna geen schoolcontactpersoon meer." in response.text
    assert db.session.get(School, kompas.id).scp_id == scp2.id
    assert _post(client, url, {**data, "bevestig_overname": "ja"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(School, kompas.id).scp_id is None
    assert _audit(scp2) == ["SCP van: 02CD01 → -"]


def test_a_school_of_another_swv_cannot_be_assigned(client, world, beheerder):
    ander = Samenwerkingsverband(code="VO2801", naam="Ander SWV")
    db.session.add(ander)
    db.session.flush()
    bestuur = Bestuur(swv_id=ander.id, naam="Ander bestuur")
    db.session.add(bestuur)
    db.session.flush()
    vreemd = School(swv_id=ander.id, naam="Vreemde School", brin="99ZZ", vestigingscode="00", bestuur_id=bestuur.id)
    db.session.add(vreemd)
    db.session.commit()
    response = _post(client, NIEUW, _nieuw(school=[str(vreemd.id)]))
    assert response.status_code == 422 and "Een gekozen school bestaat niet (meer)." in response.text
    assert _user("nnieuw") is None and "Vreemde School" not in client.get(NIEUW).text


# --- edit, disable, enable --------------------------------------------------------------
def test_edit_changes_roles_and_schools_and_audits_what_changed(client, world, beheerder):
    ilse = world.users["aanvrager"]
    url = f"/beheer/gebruikers/{ilse.id}"
    data = {"naam": "Ilse Bakker-de Wit", "email": "ilse@school.nl", "username": "aanvrager",
            "rol": ["aanvrager", "directeur"], "school": [str(world.scholen[2].id)]}  # fmt: skip
    response = _post(client, url, data)
    assert response.status_code == 302
    ilse = _user("aanvrager")
    assert ilse.naam == "Ilse Bakker-de Wit" and ilse.email == "ilse@school.nl"
    assert ilse.rollen == {"aanvrager", "directeur"} and ilse.school_ids == {world.scholen[2].id}
    [detail] = _audit(ilse)
    assert "rollen: aanvrager → aanvrager, directeur" in detail and "scholen: 00YY00, 01AB00 → 02CD01" in detail
    assert "e-mail: aanvrager@demo.kansrijk.nl → ilse@school.nl" in detail
    page = client.get(url)
    assert "rollen: aanvrager → aanvrager, directeur" in page.text  # the account page shows its history


def test_a_beheerder_cannot_take_their_own_beheerder_role_or_disable_themselves(client, world, beheerder):
    url = f"/beheer/gebruikers/{beheerder.id}"
    data = {"naam": beheerder.naam, "email": beheerder.email, "username": "beheerder", "rol": ["scp"]}
    response = _post(client, url, data)
    assert response.status_code == 422 and "eigen rol beheerder niet afnemen" in response.text
    response = _post(client, f"{url}/actief", {}, page_url=url, follow_redirects=True)
    assert "eigen account niet uitschakelen" in response.text
    assert _user("beheerder").actief and _user("beheerder").rollen == {"beheerder"}


def test_disable_ends_sessions_and_enable_lets_the_user_in_again(client, app, world, beheerder):
    scp = world.users["scp"]
    other = app.test_client()
    login(other, "scp")
    assert other.get("/taken").status_code == 200
    url = f"/beheer/gebruikers/{scp.id}"
    assert _post(client, f"{url}/actief", {}, page_url=url).status_code == 302
    assert not _user("scp").actief
    assert other.get("/taken").status_code == 302  # the open session is over
    assert db.session.scalars(sa.select(LoginSession).filter_by(user_id=scp.id, ended_at=None)).all() == []
    assert login(app.test_client(), "scp").status_code == 401
    assert _post(client, f"{url}/actief", {}, page_url=url).status_code == 302
    assert _user("scp").actief
    assert _audit(_user("scp")) == ["account uitgeschakeld", "account ingeschakeld"]
    assert "Mijn taken" in login(app.test_client(), "scp").text


def test_resetting_the_second_factor_is_audited_and_ends_sessions(client, app, world, beheerder):
    scp = world.users["scp"]
    other = app.test_client()
    login(other, "scp")
    url = f"/beheer/gebruikers/{scp.id}"
    assert _post(client, f"{url}/tweede-factor-resetten", {}, page_url=url).status_code == 302
    assert _user("scp").totp_secret is None and other.get("/taken").status_code == 302
    assert _audit(_user("scp")) == ["tweede factor gereset"]


# --- the list and its export ----------------------------------------------------------------
def test_the_list_searches_and_shows_roles_functies_schools_and_login(client, world, beheerder):
    page = client.get("/beheer/gebruikers")
    assert page.status_code == 200 and "Sanne Jansen" in page.text and "Exporteren naar Excel" in page.text
    rij = re.search(r"<tr>.*?Sanne Jansen.*?</tr>", page.text, re.S).group(0)
    assert "Schoolcontactpersoon" in rij and "CBS De Fontein, OBS De Regenboog" in rij and "ingesteld" in rij
    beheer_rij = re.search(r"<tr>.*?Bert Hendriks.*?</tr>", page.text, re.S).group(0)
    assert re.search(r"\d\d-\d\d-\d{4} \d\d:\d\d", beheer_rij)  # logged in just now
    gevonden = client.get("/beheer/gebruikers?q=financi", headers={"HX-Request": "true"})
    assert "Fenna Koster" in gevonden.text and "Sanne Jansen" not in gevonden.text
    op_school = client.get("/beheer/gebruikers?q=kompas", headers={"HX-Request": "true"})
    assert "Karim El Amrani" in op_school.text and "Pieter Smit" in op_school.text  # works there / coordinates it
    assert "Ilse Bakker" not in op_school.text
    per_rol = client.get("/beheer/gebruikers?rol=functionaris")
    assert "Olga Visser" in per_rol.text and "Sanne Jansen" not in per_rol.text


def test_export_is_the_list_as_excel_and_is_audited(client, world, beheerder):
    page = client.get("/beheer/gebruikers")
    response = client.post("/beheer/gebruikers/export.xlsx", data={"q": "scp", "csrf_token": csrf_token(page.text)})
    assert response.status_code == 200
    blad = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rijen = [[c.value for c in rij] for rij in blad.iter_rows()]
    assert rijen[0][:4] == ["Naam", "Gebruikersnaam", "E-mail", "Rollen"]
    assert [r[0] for r in rijen[1:]] == ["Pieter Smit", "Sanne Jansen"]
    assert rijen[2][3] == "Schoolcontactpersoon" and rijen[2][6] == "CBS De Fontein, OBS De Regenboog"
    entry = db.session.scalars(sa.select(AuditEntry).filter_by(actie="exporteren")).one()
    assert entry.detail.startswith("accounts: 2 rijen")


# --- activation -------------------------------------------------------------------------
def _nieuw_account(client, world) -> tuple[User, str]:  # type: ignore[no-untyped-def]
    response = _post(client, NIEUW, _nieuw(school=[str(world.scholen[0].id)]))
    assert response.status_code == 302
    user = _user("nnieuw")
    return user, _link(_activatiemails(user.email)[-1])


def test_activation_sets_the_first_password_once_and_then_totp_enrolment(client, app, world, beheerder):
    user, link = _nieuw_account(client, world)
    anoniem = app.test_client()
    form = anoniem.get(link)
    assert form.status_code == 200 and "Account activeren" in form.text and "nnieuw" in form.text
    kort = anoniem.post(link, data={"nieuw": "kort", "herhaal": "kort", "csrf_token": csrf_token(form.text)})
    assert kort.status_code == 422 and "minstens 12 tekens" in kort.text and _user("nnieuw").password_hash is None
    wachtwoord = "paarse olifant danst zacht"
    response = anoniem.post(link, data={"nieuw": wachtwoord, "herhaal": wachtwoord,
                                        "csrf_token": csrf_token(form.text)})  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert _user("nnieuw").check_password(wachtwoord)
    again = anoniem.get(link)
    assert again.status_code == 404 and "werkt niet meer" in again.text  # single use
    page = anoniem.get("/login")
    step = anoniem.post("/login", data={"username": "nnieuw", "password": wachtwoord,
                                        "csrf_token": csrf_token(page.text)})  # fmt: skip
    assert step.headers["Location"].endswith("/login/inschrijven")
    enrol = anoniem.get("/login/inschrijven")
    secret = re.search(r"[A-Z2-7]{32}", enrol.text).group(0)
    done = anoniem.post("/login/inschrijven", data={"code": pyotp.TOTP(secret).now(),
                                                    "csrf_token": csrf_token(enrol.text)})  # fmt: skip
    assert done.status_code == 200 and _user("nnieuw").totp_secret == secret
    assert "account geactiveerd (eerste wachtwoord gekozen)" in _audit(user)


def test_an_expired_link_says_so_and_the_user_can_ask_the_beheerder_for_a_new_one(client, app, world, beheerder):
    user, link = _nieuw_account(client, world)
    row = db.session.scalars(sa.select(AccountActivatie).filter_by(user_id=user.id)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    anoniem = app.test_client()
    page = anoniem.get(link)
    assert page.status_code == 404 and "Deze activatielink werkt niet meer" in page.text
    wachtwoord = "paarse olifant danst zacht"
    anoniem.post(link, data={"nieuw": wachtwoord, "herhaal": wachtwoord, "csrf_token": csrf_token(page.text)})
    assert _user("nnieuw").password_hash is None
    asked = anoniem.post(f"{link}/nieuwe-link", data={"csrf_token": csrf_token(page.text)})
    assert asked.status_code == 200 and "De beheerder heeft uw verzoek" in asked.text
    [verzoek] = db.session.scalars(sa.select(OutgoingMail).filter_by(soort="account_activatie_verzoek")).all()
    assert verzoek.to == beheerder.email and "Nina Nieuw (nnieuw)" in verzoek.body
    assert f"/beheer/gebruikers/{user.id}" in verzoek.body
    # the beheerder resends; only the newest link works
    url = f"/beheer/gebruikers/{user.id}"
    assert _post(client, f"{url}/activatie", {}, page_url=url).status_code == 302
    mails = _activatiemails(user.email)
    assert len(mails) == 2
    assert anoniem.get(link).status_code == 404 and anoniem.get(_link(mails[-1])).status_code == 200
    assert "activatielink opnieuw verstuurd" in _audit(user)


def test_a_resent_link_replaces_the_older_one(client, app, world, beheerder):
    user, eerste = _nieuw_account(client, world)
    url = f"/beheer/gebruikers/{user.id}"
    _post(client, f"{url}/activatie", {}, page_url=url)
    tweede = _link(_activatiemails(user.email)[-1])
    anoniem = app.test_client()
    assert anoniem.get(eerste).status_code == 404 and anoniem.get(tweede).status_code == 200
    assert anoniem.get("/activeren/bestaat-niet").status_code == 404


def test_activation_is_refused_for_a_disabled_or_activated_account(client, app, world, beheerder):
    user, link = _nieuw_account(client, world)
    url = f"/beheer/gebruikers/{user.id}"
    _post(client, f"{url}/actief", {}, page_url=url)
    assert app.test_client().get(link).status_code == 404
    response = _post(client, f"{url}/activatie", {}, page_url=url, follow_redirects=True)
    assert "uitgeschakeld: schakel het eerst in" in response.text and len(_activatiemails(user.email)) == 1
    scp = world.users["scp"]
    response = _post(client, f"/beheer/gebruikers/{scp.id}/activatie", {}, page_url=f"/beheer/gebruikers/{scp.id}",
                     follow_redirects=True)  # fmt: skip
    assert "al geactiveerd" in response.text and _activatiemails(scp.email) == []


def test_the_activation_mail_body_is_hidden_from_the_mail_page(client, world, beheerder):
    user, _link_ = _nieuw_account(client, world)
    mail = _activatiemails(user.email)[0]
    page = client.get(f"/beheer/mail/{mail.id}")
    assert "/activeren/" not in page.text


# --- import -----------------------------------------------------------------------------
IMPORT = "/beheer/gebruikers/import"
GOED = ("naam;e-mail;gebruikersnaam;rollen;functies;scholen\n"
        "Anna de Boer;anna@school.nl;aboer;aanvrager;;00YY00\n"
        "Bram Cohen;bram@swv.nl;bcohen;Functionaris;Financien, regiomanager;\n"
        "Carla Dijk;carla@swv.nl;cdijk;scp;;IKC Het Kompas\n")  # fmt: skip


def _upload(client, inhoud: bytes, naam: str = "accounts.csv"):  # type: ignore[no-untyped-def]
    page = client.get(IMPORT)
    data = {"bestand": (io.BytesIO(inhoud), naam), "csrf_token": csrf_token(page.text)}
    return client.post(IMPORT, data=data, content_type="multipart/form-data")


def _bevestig(client, preview):  # type: ignore[no-untyped-def]
    payload = re.search(r'name="regels" value="([^"]+)"', preview.text).group(1)
    return client.post(f"{IMPORT}/bevestigen", data={"regels": payload, "csrf_token": csrf_token(preview.text)})


def _aantal_users() -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id))) or 0


def test_import_preview_shows_what_will_be_created_and_stores_nothing(client, world, beheerder):
    voor = _aantal_users()
    preview = _upload(client, ("\ufeff" + GOED).encode())  # UTF-8 with BOM, as Excel writes it
    assert preview.status_code == 200, preview.text
    assert "Alle 3 regels zijn in orde" in preview.text and "Importeren: 3 accounts aanmaken" in preview.text
    assert "IKC Het Kompas (02CD01) wordt nu gecoördineerd door Pieter Smit" in preview.text
    assert _aantal_users() == voor and db.session.scalars(sa.select(OutgoingMail)).all() == []
    response = _bevestig(client, preview)
    assert response.status_code == 302
    anna, bram, carla = _user("aboer"), _user("bcohen"), _user("cdijk")
    assert anna.school_ids == {world.scholen[0].id} and anna.rollen == {"aanvrager"}
    assert bram.functie_namen == {"financiën", "regiomanager"}
    assert db.session.get(School, world.scholen[2].id).scp_id == carla.id
    assert {m.to for m in db.session.scalars(sa.select(OutgoingMail).filter_by(soort="account_activeren"))} == {
        "anna@school.nl", "bram@swv.nl", "carla@swv.nl"}
    assert _aantal_users() == voor + 3
    assert "import: 3 accounts uit accounts.csv" in db.session.scalars(sa.select(AuditEntry.detail)).all()


def test_one_wrong_line_stores_nothing_and_names_the_line_in_dutch(client, world, beheerder):
    voor = _aantal_users()
    fout = GOED.replace("bram@swv.nl", "bram-at-swv.nl").replace("IKC Het Kompas", "Onbekende School")
    response = _upload(client, fout.encode())
    assert response.status_code == 422
    assert "Regel 3: het e-mailadres ‘bram-at-swv.nl’ is ongeldig." in response.text
    assert "Regel 4: school ‘Onbekende School’ bestaat niet" in response.text
    assert "Er is niets opgeslagen" in response.text and 'name="regels"' not in response.text
    assert _aantal_users() == voor and db.session.scalars(sa.select(OutgoingMail)).all() == []


@pytest.mark.parametrize(("inhoud", "melding"), [
    ("naam,e-mail,gebruikersnaam,rollen\nA,a@x.nl,aa1,koning\n", "Regel 2: rol ‘koning’ bestaat niet"),
    ("naam,e-mail,gebruikersnaam,rollen\nA,a@x.nl,aa1,functionaris\n", "Regel 2: een functionaris heeft minstens"),
    ("naam,e-mail,gebruikersnaam,rollen\nA,a@x.nl,scp,scp\n", "Regel 2: de gebruikersnaam ‘scp’ is al in gebruik"),
    ("naam,e-mail,gebruikersnaam,rollen\nA,a@x.nl,aa1,scp\nB,A@X.NL,bb1,scp\n",
     "Regel 3: e-mailadres ‘A@X.NL’ staat ook op regel 2"),
    ('naam,e-mail,gebruikersnaam,rollen,functies\nA,a@x.nl,aa1,functionaris,"financiën,tovenaar"\n',
     "Regel 2: functie ‘tovenaar’ bestaat niet"),
    ("naam,e-mail,gebruikersnaam,rollen,scholen\nA,a@x.nl,aa1,scp,00YY00\nB,b@x.nl,bb1,scp,00yy00\n",
     "Regel 3: school ‘OBS De Regenboog’ krijgt al een schoolcontactpersoon op regel 2"),
])  # fmt: skip
def test_import_rules_per_line(client, world, beheerder, inhoud, melding):
    response = _upload(client, inhoud.encode())
    assert response.status_code == 422 and melding in response.text
    assert _user("aa1") is None


@pytest.mark.parametrize(("inhoud", "naam", "melding"), [
    (b"", "leeg.csv", "Het bestand is leeg."),
    (b"naam;e-mail\nA;a@x.nl\n", "a.csv", "De kopregel mist de kolommen gebruikersnaam, rollen."),
    (b"naam;e-mail;gebruikersnaam;rollen\n", "a.csv", "geen accounts"),
    ("naam;e-mail;gebruikersnaam;rollen\nJosé;j@x.nl;jose;scp\n".encode("utf-16"), "a.csv", "geen UTF-8"),
    (b"PK\x03\x04kapot", "a.xlsx", "Het Excel-bestand kan niet gelezen worden"),
    (b"%PDF-1.4", "a.pdf", "Kies een CSV-bestand (.csv) of een Excel-bestand (.xlsx)."),
])  # fmt: skip
def test_an_unreadable_file_gets_a_dutch_message(client, world, beheerder, inhoud, naam, melding):
    response = _upload(client, inhoud, naam)
    assert response.status_code == 422 and melding in response.text


def test_import_from_excel(client, world, beheerder):
    boek = openpyxl.Workbook()
    blad = boek.active
    for rij in [line.split(";") for line in GOED.strip().splitlines()]:
        blad.append(rij)
    blad.append([None] * 6)  # an empty row at the end is no account
    bestand = io.BytesIO()
    boek.save(bestand)
    preview = _upload(client, bestand.getvalue(), "accounts.xlsx")
    assert preview.status_code == 200 and "Alle 3 regels zijn in orde" in preview.text
    assert _bevestig(client, preview).status_code == 302
    assert _user("bcohen").functie_namen == {"financiën", "regiomanager"}


def test_confirm_checks_again_and_refuses_a_tampered_or_foreign_preview(client, app, world, beheerder):
    preview = _upload(client, GOED.encode())
    # Meanwhile someone takes one of the usernames: nothing of the file is stored.
    db.session.get(User, world.users["scp2"].id).username = "cdijk"
    db.session.commit()
    voor = _aantal_users()
    response = _bevestig(client, preview)
    assert response.status_code == 422 and "Regel 4: de gebruikersnaam ‘cdijk’ is al in gebruik" in response.text
    assert _aantal_users() == voor and _user("aboer") is None
    payload = re.search(r'name="regels" value="([^"]+)"', preview.text).group(1)
    vals = client.post(f"{IMPORT}/bevestigen", data={"regels": payload[:-3] + "xyz",
                                                     "csrf_token": csrf_token(preview.text)})  # fmt: skip
    assert vals.status_code == 422 and "verlopen of ongeldig" in vals.text
    ander = app.test_client()
    db.session.get(User, world.users["scp"].id).set_rollen({"beheerder"})
    db.session.commit()
    login(ander, "scp")
    page = ander.get(IMPORT)
    response = ander.post(f"{IMPORT}/bevestigen", data={"regels": payload, "csrf_token": csrf_token(page.text)})
    assert response.status_code == 422 and _user("aboer") is None  # bound to the beheerder who uploaded it


# --- the command line -------------------------------------------------------------------
def test_the_first_beheerder_from_the_command_line(runner, world):
    args = ["beheer", "account-aanmaken", "--naam", "Eerste Beheerder", "--email", "eerste@swv.nl",
            "--gebruikersnaam", "eerste", "--rol", "beheerder"]  # fmt: skip
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Account eerste (beheerder) aangemaakt; de activatiemail is verstuurd naar eerste@swv.nl." in result.output
    user = _user("eerste")
    assert user.rollen == {"beheerder"} and user.swv_id == world.swv.id and len(_activatiemails("eerste@swv.nl")) == 1
    fout = runner.invoke(args=["beheer", "account-aanmaken", "--naam", "X", "--email", "geen", "--gebruikersnaam",
                               "eerste", "--rol", "functionaris", "--functie", "tovenaar"])  # fmt: skip
    assert fout.exit_code == 1
    assert "Niet aangemaakt: functie ‘tovenaar’ bestaat niet (of is niet actief)." in fout.output
    assert "Niet aangemaakt: het e-mailadres ‘geen’ is ongeldig." in fout.output
    assert "de gebruikersnaam ‘eerste’ is al in gebruik" in fout.output
