"""Schools, besturen and wijken in beheer (issue 14 item 4): create and edit with Dutch validation,
the FAQ changes (merge, new BRIN, new bestuur, rename, close) with a preview, the history that keeps
the old name, the LVS koppeling that keeps working, and the import."""

from __future__ import annotations

import sqlalchemy as sa

from models import AuditEntry, Bestuur, Budget, Dossier, Hulpvraag, HumanTask, Koppeling, School, User, Wijk, db
from models.budget import Budget as BudgetModel
from tests.conftest import csrf_token, login, new_hulpvraag
from tests.lvs_support import CODE_A, aanvraag, bearer, koppeling, oso_xml

API = "/api/v1/aanvragen"


def _count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def _post(client, url: str, data: dict[str, str], page: str | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token(client.get(page or url).text)
    return client.post(url, data={**data, "csrf_token": token})


def _school(brin6: str) -> School:
    db.session.expire_all()
    school = db.session.scalar(sa.select(School).where(School.brin + School.vestigingscode == brin6))
    assert school is not None
    return school


def _change(client, school: School, soort: str, **velden: str):  # type: ignore[no-untyped-def]
    """Preview the change as the beheerder does (GET), then confirm it (POST); returns both answers."""
    url = f"/beheer/scholen/{school.id}/wijzigen/{soort}"
    preview = client.get(url, query_string={"bekijk": "1", **velden})
    done = client.post(url, data={**velden, "csrf_token": csrf_token(preview.text)})
    return preview, done


def _als(client, username: str) -> None:  # type: ignore[no-untyped-def]
    """Log out whoever is logged in, then log in as ``username``."""
    page = client.get("/login", follow_redirects=True)
    if "csrf_token" in page.text and "/logout" in page.text:
        client.post("/logout", data={"csrf_token": csrf_token(page.text)})
    login(client, username)


def _reachable(client, username: str, hulpvraag: Hulpvraag) -> str:
    """Log in as ``username`` and open the hulpvraag and its dossier: both must open."""
    _als(client, username)
    page = client.get(f"/hulpvragen/{hulpvraag.id}")
    assert page.status_code == 200, (username, page.status_code)
    assert client.get(f"/dossiers/{hulpvraag.dossier_id}").status_code == 200
    return page.text


def _ingediend(world, roepnaam: str = "Test", school: int = 0) -> Hulpvraag:  # type: ignore[no-untyped-def]
    """A hulpvraag past Voorlopige aanmelding, so the SCP sees it too."""
    from workflow.engine.runtime import complete_task

    hulpvraag = new_hulpvraag(world, roepnaam, school=school)
    task = db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, completed_at=None)).one()
    aanvrager = world.users["aanvrager2" if school == 2 else "aanvrager"]
    complete_task(task.id, aanvrager, {"ouders_geinformeerd": "ja"})
    db.session.commit()
    return hulpvraag


# --- create and edit -----------------------------------------------------------------------
def test_a_new_school_is_checked_in_dutch_and_nothing_is_stored_on_an_error(client, world):
    login(client, "beheerder")
    bestuur = world.scholen[0].bestuur_id
    goed = {"naam": "OBS De Linde", "brin": "03EF", "vestigingscode": "00", "bestuur_id": str(bestuur),
            "wijk_id": "", "scp_id": str(world.users["scp"].id)}  # fmt: skip
    voor = _count(School)
    for fout, melding in [
        ({"brin": "3EF"}, "2 cijfers en 2 hoofdletters"),
        ({"vestigingscode": "A"}, "De vestigingscode bestaat uit 2 cijfers"),
        ({"brin": "00YY"}, "BRIN 00YY00 is al van OBS De Regenboog"),
        ({"naam": " "}, "Vul de naam van de school in"),
        ({"bestuur_id": ""}, "Kies een bestuur uit de lijst"),
        ({"scp_id": str(world.users["aanvrager"].id)}, "actief account met de rol schoolcontactpersoon"),
    ]:
        response = _post(client, "/beheer/scholen/nieuw", {**goed, **fout})
        assert response.status_code == 422 and melding in response.text, fout
        assert _count(School) == voor
    response = _post(client, "/beheer/scholen/nieuw", {**goed, "brin": "03ef"})  # typed in lower case
    assert response.status_code == 302
    school = _school("03EF00")
    assert (school.naam, school.scp_id, school.is_gesloten) == ("OBS De Linde", world.users["scp"].id, False)
    assert db.session.scalar(sa.select(AuditEntry).filter_by(object_type="school", object_id=school.id, actie="aanmaken"))
    lijst = client.get("/beheer/scholen", query_string={"q": "linde"}).text
    assert "OBS De Linde" in lijst and "CBS De Fontein" not in lijst


def test_wijk_and_scp_are_edited_directly_and_audited(client, world):
    login(client, "beheerder")
    school = world.scholen[0]
    zuid = db.session.scalar(sa.select(Wijk).filter_by(naam="Zuid"))
    url = f"/beheer/scholen/{school.id}"
    fout = _post(client, url, {"wijk_id": str(zuid.id), "scp_id": str(world.users["orthopedagoog"].id)})
    assert fout.status_code == 422 and "rol schoolcontactpersoon" in fout.text
    assert _school("00YY00").scp_id == world.users["scp"].id
    assert _post(client, url, {"wijk_id": str(zuid.id), "scp_id": str(world.users["scp2"].id)}).status_code == 302
    school = _school("00YY00")
    assert (school.wijk_id, school.scp_id) == (zuid.id, world.users["scp2"].id)
    entry = db.session.scalars(sa.select(AuditEntry).filter_by(object_type="school", object_id=school.id)).all()[-1]
    assert "SCP Sanne Jansen → Pieter Smit" in entry.detail


# --- the FAQ changes -----------------------------------------------------------------------
def test_rename_keeps_the_old_name_in_the_history_and_every_dossier_reachable(client, world):
    hulpvraag = _ingediend(world)
    login(client, "beheerder")
    preview, done = _change(client, world.scholen[0], "naam", naam="OBS De Regenboog-Noord")
    assert preview.status_code == 200 and "heet voortaan OBS De Regenboog-Noord" in preview.text
    assert "1 dossiers en 1 hulpvragen" in preview.text
    assert done.status_code == 302
    assert _school("00YY00").naam == "OBS De Regenboog-Noord"
    for username in ("aanvrager", "scp"):
        page = _reachable(client, username, hulpvraag)
        assert "OBS De Regenboog-Noord (00YY00)" in page
        assert "voorheen OBS De Regenboog (00YY00)" in page  # the hulpvraag page
        assert "School: OBS De Regenboog (00YY00)" in page and "Nieuwe naam: OBS De Regenboog-Noord" in page  # history
    assert db.session.scalar(sa.select(AuditEntry).filter_by(object_type="school", actie="wijzigen"))


def test_a_rename_to_the_same_or_an_empty_name_is_refused_and_changes_nothing(client, world):
    login(client, "beheerder")
    preview, done = _change(client, world.scholen[0], "naam", naam="  ")
    assert preview.status_code == 422 and "Vul de naam van de school in" in preview.text
    assert done.status_code == 422
    _, same = _change(client, world.scholen[0], "naam", naam="OBS De Regenboog")
    assert same.status_code == 422 and "al de naam van de school" in same.text
    assert not _school("00YY00").historie


def test_a_new_brin_keeps_the_lvs_koppeling_working_with_the_old_and_the_new_brin(client, world):
    koppeling(world)  # school 0, 00YY00, as the example OSO dossier
    eerste = client.post(API, json=aanvraag("ESIS-1"), headers=bearer())
    assert eerste.status_code == 200
    login(client, "beheerder")
    _, bezet = _change(client, world.scholen[0], "brin", brin="01AB", vestigingscode="00")
    assert bezet.status_code == 422 and "BRIN 01AB00 is al van CBS De Fontein" in bezet.text
    preview, done = _change(client, world.scholen[0], "brin", brin="09ZZ", vestigingscode="01")
    assert "1 LVS-koppeling(en) blijven werken" in preview.text and done.status_code == 302
    assert _school("09ZZ01").naam == "OBS De Regenboog"
    # The LVS still knows the old BRIN for a while, then the new one: both land on this school.
    oud = client.post(API, json=aanvraag("ESIS-2"), headers=bearer(CODE_A))
    nieuw = client.post(API, json=aanvraag("ESIS-3", oso=oso_xml(brincode="09ZZ", vestigingscode="01")),
                        headers=bearer(CODE_A))  # fmt: skip
    assert (oud.status_code, nieuw.status_code) == (200, 200), (oud.json, nieuw.json)
    anders = client.post(API, json=aanvraag("ESIS-4", oso=oso_xml(brincode="01AB")), headers=bearer(CODE_A))
    assert anders.status_code == 403  # another school's dossier is still refused
    assert client.get(f"{API}/{eerste.json['aanvraagnummer']}", headers=bearer(CODE_A)).status_code == 200
    hulpvraag = db.session.scalar(sa.select(Hulpvraag).filter_by(aanvraagnummer=eerste.json["aanvraagnummer"]))
    page = _reachable(client, "beheerder", hulpvraag)
    assert "OBS De Regenboog (09ZZ01)" in page and "voorheen OBS De Regenboog (00YY00)" in page


def test_a_new_bestuur_shows_the_budgets_and_new_awards_draw_on_the_new_bestuur(client, world):
    from workflow.budget import budget_voor

    hulpvraag = _ingediend(world)
    school = world.scholen[0]
    oud, nieuw = school.bestuur, db.session.scalar(sa.select(Bestuur).filter_by(naam="Stichting PCBO (demo)"))
    for bestuur, bedrag in ((oud, 1000), (nieuw, 5000)):
        db.session.add(Budget(swv_id=world.swv.id, regeling="schoolbudget", soort="bestuur", bestuur_id=bestuur.id,
                              schooljaar="2026-2027", bedrag=bedrag))  # fmt: skip
    db.session.commit()
    login(client, "beheerder")
    preview, done = _change(client, school, "bestuur", bestuur_id=str(nieuw.id))
    assert "gaat van Stichting BOOR (demo) naar Stichting PCBO (demo)" in preview.text
    assert "Schoolbudget Stichting PCBO (demo) 2026-2027: € 5.000,00" in preview.text
    assert "blijft op het budget van het oude bestuur" in preview.text
    assert done.status_code == 302
    db.session.expire_all()
    hulpvraag = db.session.get(Hulpvraag, hulpvraag.id)
    assert budget_voor("schoolbudget", hulpvraag, "leerling", "2026-2027").bestuur_id == nieuw.id
    page = _reachable(client, "scp", hulpvraag)
    assert "Nieuw bestuur: Stichting PCBO (demo)" in page
    assert _school("00YY00").historie[-1].bestuur_id == oud.id


def test_a_merge_moves_everything_and_the_lvs_koppeling_keeps_working(client, world):
    code = "02CD01-esis-koppeling-test-c"
    oso_kompas = oso_xml(brincode="02CD", vestigingscode="01")
    koppeling(world, school=2, code=code)
    eerste = client.post(API, json=aanvraag("ESIS-K1", oso=oso_kompas), headers=bearer(code))
    assert eerste.status_code == 200, eerste.json
    hulpvraag = _ingediend(world, "Kompas", school=2)
    x, y = world.scholen[2], world.scholen[0]
    budget = BudgetModel(swv_id=world.swv.id, regeling="schoolbudget", soort="school", school_id=x.id,
                         schooljaar="2026-2027", bedrag=700)  # fmt: skip
    db.session.add(budget)
    db.session.commit()
    login(client, "beheerder")
    preview, done = _change(client, x, "samenvoegen", doel_id=str(y.id))
    assert "IKC Het Kompas (02CD01) gaat op in OBS De Regenboog (00YY00)" in preview.text
    assert "2 dossiers, 2 hulpvragen" in preview.text and "1 LVS-koppeling(en) gaan mee" in preview.text
    assert "Schoolbudget Schoolbudget 2026-2027 (€ 700,00) gaat naar OBS De Regenboog" in preview.text
    assert done.status_code == 302
    db.session.expire_all()
    x, y = db.session.get(School, x.id), db.session.get(School, y.id)
    assert x.is_gesloten and x.opgegaan_in_id == y.id  # closed, not deleted
    for model in (Dossier, Hulpvraag, Koppeling):
        assert not db.session.scalars(sa.select(model).where(model.school_id == x.id)).all()
    assert not db.session.scalars(sa.select(HumanTask).where(HumanTask.school_id == x.id)).all()
    assert db.session.get(BudgetModel, budget.id).school_id == y.id
    assert y.id in db.session.scalar(sa.select(User).filter_by(username="aanvrager2")).school_ids
    # The school's own staff and the surviving school's SCP reach the dossiers; history keeps the old name.
    for username in ("aanvrager2", "scp"):
        page = _reachable(client, username, hulpvraag)
        assert "OBS De Regenboog (00YY00)" in page and "voorheen IKC Het Kompas (02CD01)" in page
        assert "Samengevoegd: OBS De Regenboog (00YY00)" in page
    # The LVS of the merged school keeps sending with its code and its old BRIN.
    tweede = client.post(API, json=aanvraag("ESIS-K2", oso=oso_kompas), headers=bearer(code))
    assert tweede.status_code == 200, tweede.json
    nieuw = db.session.scalar(sa.select(Hulpvraag).filter_by(aanvraagnummer=tweede.json["aanvraagnummer"]))
    assert nieuw.school_id == y.id
    assert client.get(f"{API}/{eerste.json['aanvraagnummer']}", headers=bearer(code)).status_code == 200
    # A merged school changes no more; it does not show up as a target.
    _als(client, "beheerder")
    _, again = _change(client, x, "naam", naam="Iets anders")
    assert again.status_code == 422 and "is opgegaan in een andere school" in again.text
    _, zelf = _change(client, y, "samenvoegen", doel_id=str(x.id))
    assert zelf.status_code == 422 and "is gesloten; kies een open school" in zelf.text


def test_a_closed_school_starts_no_hulpvraag_on_the_web_or_via_the_lvs_and_stays_readable(client, world):
    koppeling(world)
    oud = client.post(API, json=aanvraag("ESIS-1"), headers=bearer())
    hulpvraag = _ingediend(world)
    login(client, "beheerder")
    preview, done = _change(client, world.scholen[0], "sluiten")
    assert "geen nieuwe hulpvragen meer" in preview.text and done.status_code == 302
    assert _school("00YY00").is_gesloten
    assert "OBS De Regenboog" not in client.get("/beheer/koppelingen").text.split("Nieuwe koppeling")[1]
    # Via the LVS: a new aanvraag is refused in Dutch; a re-send of the old one still updates it.
    voor = _count(Hulpvraag)
    nieuw = client.post(API, json=aanvraag("ESIS-2"), headers=bearer())
    assert nieuw.status_code == 403 and "is gesloten" in nieuw.json["message"]
    assert _count(Hulpvraag) == voor
    assert client.post(API, json=aanvraag("ESIS-1"), headers=bearer()).status_code == 200
    # On the web: the school is no longer offered, and a hand-made request is refused.
    page = _reachable(client, "aanvrager", hulpvraag)
    assert "gesloten" in page
    form = client.get("/hulpvragen/nieuw", query_string={"stap": "nieuw"})
    assert f'value="{world.scholen[0].id}"' not in form.text.split('id="school_id"')[1].split("</select>")[0]
    data = {"niveau": "leerling", "school_id": str(world.scholen[0].id), "roepnaam": "Nina", "achternaam": "Nieuw",
            "geboortedatum": "2016-01-01", "geslacht": "v", "titel": "KANS", "omschrijving": "Hulp bij lezen.",
            "contactpersoon_naam": "Ilse", "contactpersoon_email": "ilse@example.org", "bevestig_nieuw": "1",
            "csrf_token": csrf_token(form.text)}  # fmt: skip
    assert client.post("/hulpvragen/nieuw", data=data).status_code == 422
    bestaand = client.get("/hulpvragen/nieuw", query_string={"dossier": hulpvraag.dossier_id})
    data = {**data, "dossier_id": str(hulpvraag.dossier_id), "csrf_token": csrf_token(bestaand.text)}
    refused = client.post("/hulpvragen/nieuw", data=data)
    assert refused.status_code == 422 and "is gesloten: voor deze school kunnen geen nieuwe hulpvragen" in refused.text
    assert _count(Hulpvraag) == voor
    assert oud.status_code == 200
    # Reopened, it takes hulpvragen again.
    _als(client, "beheerder")
    assert _change(client, world.scholen[0], "heropenen")[1].status_code == 302
    assert client.post(API, json=aanvraag("ESIS-3"), headers=bearer()).status_code == 200


# --- besturen and wijken ---------------------------------------------------------------------
def test_besturen_and_wijken_are_created_renamed_and_deactivated_only_when_unused(client, world):
    login(client, "beheerder")
    assert _post(client, "/beheer/besturen", {"naam": "Stichting Nieuw"}).status_code == 302
    dubbel = _post(client, "/beheer/besturen", {"naam": "stichting nieuw"})
    assert dubbel.status_code == 422 and "Er is al een bestuur met de naam stichting nieuw" in dubbel.text
    nieuw = db.session.scalar(sa.select(Bestuur).filter_by(naam="Stichting Nieuw"))
    url = f"/beheer/besturen/{nieuw.id}"
    assert _post(client, url, {"naam": "Stichting Nieuwer"}, "/beheer/besturen").status_code == 302
    gebruikt = world.scholen[0].bestuur
    refused = _post(client, f"/beheer/besturen/{gebruikt.id}/actief", {"actief": "0"}, "/beheer/besturen")
    assert refused.status_code == 422 and "heeft nog 1 school/scholen: OBS De Regenboog" in refused.text
    assert _post(client, f"{url}/actief", {"actief": "0"}, "/beheer/besturen").status_code == 302
    db.session.expire_all()
    assert db.session.get(Bestuur, gebruikt.id).actief and not db.session.get(Bestuur, nieuw.id).actief
    assert db.session.get(Bestuur, nieuw.id).naam == "Stichting Nieuwer"
    assert f'value="{nieuw.id}"' not in client.get("/beheer/scholen/nieuw").text  # no longer offered
    assert _post(client, "/beheer/wijken", {"naam": "Centrum"}).status_code == 302
    assert "Centrum" in client.get("/beheer/wijken").text
    soorten = set(db.session.scalars(sa.select(AuditEntry.object_type).where(AuditEntry.actie != "bekijken")))
    assert {"bestuur", "wijk"} <= soorten


# --- import ----------------------------------------------------------------------------------
CSV_FOUT = (
    "naam;brin;vestigingscode;bestuur;wijk;scp\n"
    "OBS De Linde;03EF;00;Stichting BOOR (demo);Noord;scp\n"
    "CBS Het Anker;04gh01;;Stichting Nieuw;Centrum;\n"
    "SBO De Brug;5XY;00;Stichting BOOR (demo);;aanvrager\n"
)


def _upload(client, data: str, naam: str = "scholen.csv"):  # type: ignore[no-untyped-def]
    import io

    token = csrf_token(client.get("/beheer/scholen/import").text)
    return client.post("/beheer/scholen/import", data={"csrf_token": token, "bestand": (io.BytesIO(data.encode()), naam)},
                       content_type="multipart/form-data")  # fmt: skip


def test_import_shows_errors_per_line_stores_nothing_and_then_everything(client, world):
    login(client, "beheerder")
    voor = (_count(School), _count(Bestuur), _count(Wijk))
    fout = _upload(client, CSV_FOUT)
    assert fout.status_code == 422 and "Er is niets opgeslagen" in fout.text
    assert "Regel 4: Het BRIN bestaat uit 2 cijfers en 2 hoofdletters" in fout.text
    assert "SCP aanvrager: geen actief account met de rol schoolcontactpersoon" in fout.text
    assert "Nieuw bestuur: Stichting Nieuw (wordt aangemaakt)" in fout.text
    assert (_count(School), _count(Bestuur), _count(Wijk)) == voor
    goed = _upload(client, CSV_FOUT.replace("5XY;00", "05XY;00").replace(";aanvrager", ";scp2"))
    assert goed.status_code == 200 and "Alle 3 regels zijn in orde" in goed.text
    assert (_count(School), _count(Bestuur)) == voor[:2]  # the preview stores nothing
    bevestig = client.post("/beheer/scholen/import/bevestigen",
                           data={"csrf_token": csrf_token(goed.text), "regels": _payload(goed.text)})  # fmt: skip
    assert bevestig.status_code == 302
    anker = _school("04GH01")
    assert (anker.naam, anker.bestuur.naam, anker.wijk.naam) == ("CBS Het Anker", "Stichting Nieuw", "Centrum")
    assert _school("05XY00").scp_id == world.users["scp2"].id
    assert _count(School) == voor[0] + 3
    dubbel = _upload(client, CSV_FOUT.split("\n")[0] + "\nOBS Twee;03EF;00;Stichting BOOR (demo);;\n")
    assert dubbel.status_code == 422 and "BRIN 03EF00 is al van OBS De Linde" in dubbel.text


def test_import_refuses_a_file_it_cannot_read_and_a_brin_twice_in_the_file(client, world):
    login(client, "beheerder")
    geen_kop = _upload(client, "school;plaats\nDe Linde;Rotterdam\n")
    assert geen_kop.status_code == 422 and "De kopregel mist de kolommen brin, bestuur" in geen_kop.text
    assert _upload(client, "iets", "scholen.pdf").status_code == 422
    twee = _upload(client, "naam,brin,bestuur\nA,03EF00,Stichting BOOR (demo)\nB,03EF00,Stichting BOOR (demo)\n")
    assert twee.status_code == 422 and "Regel 3: BRIN 03EF00 staat ook al op regel 2" in twee.text


def _payload(html: str) -> str:
    import re

    match = re.search(r'name="regels" value="([^"]+)"', html)
    assert match
    return match.group(1)
