"""The hulpvragen list (web/hulpvragen/lijst.py on web/tabel.py): search, filters, sorting, pages,
the column chooser, Export naar Excel, and scope in every one of them."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from models import AuditEntry, Dossier, Hulpvraag, ProcessInstance, Statuswijziging, User, Voorkeur, db
from tests.conftest import csrf_token

HX = {"HX-Request": "true"}
T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
# roepnaam, tussenvoegsel, achternaam, school index, titel, status, created (days after T0)
LEERLINGEN = [
    ("Fatima", None, "El-Makrini", 0, "Ambulante Begeleiding", "Aanmelding", 0),
    ("Jan", "van", "Boven", 0, "TLV -Nieuw", "Voorlopige aanmelding", 10),
    ("Lucas", None, "Fortes Monteiro", 1, "Dyslexie -Vergoede zorg", "Dossier incompleet SCP", 20),
    ("Noor", "de", "Jong", 1, "Thuiszitter", "Dossier compleet", 30),
    ("Daan", None, "Peters", 2, "Psychodiagnostisch onderzoek", "Doorzetten orthopedagoog", 40),
    ("Sara", "van der", "Berg", 2, "KANS", "Afgewezen", 50),
    ("Mila", None, "Bakker", 0, "KANS", "In beraad", 400),
]


def _hulpvraag(world, roepnaam, tussen, achter, school, titel, status, dagen, updated=None):  # type: ignore[no-untyped-def]
    """A row as the list sees it (no process: the list never needs one)."""
    school = world.scholen[school]
    created = T0 + timedelta(days=dagen)
    dossier = Dossier(swv_id=world.swv.id, school_id=school.id, roepnaam=roepnaam, tussenvoegsel=tussen,
                      achternaam=achter, created_at=created)
    db.session.add(dossier)
    db.session.flush()
    hulpvraag = Hulpvraag(dossier_id=dossier.id, school_id=school.id, titel=titel, status=status,
                          coordinator_id=school.scp_id, aanvrager_id=world.users["aanvrager"].id,
                          contactpersoon_naam="Ilse Bakker (IB)", created_at=created, updated_at=updated or created)
    db.session.add(hulpvraag)
    db.session.flush()
    hulpvraag.aanvraagnummer = f"{created:%Y}-{hulpvraag.id:06d}"
    return hulpvraag


@pytest.fixture
def rows(world):  # type: ignore[no-untyped-def]
    made = {row[2]: _hulpvraag(world, *row) for row in LEERLINGEN}
    db.session.commit()
    return made


def _names(html: str) -> set[str]:
    """The achternamen shown in the list's rows."""
    return {a for _r, _t, a, *_ in LEERLINGEN if re.search(rf"<td data-kolom=\"leerling\">[^<]*{a}</td>", html)}


def _list(client, query: str = "", **kw) -> str:  # type: ignore[no-untyped-def]
    response = client.get(f"/hulpvragen?{query}", headers=HX, **kw)
    assert response.status_code == 200, response.status_code
    return response.text


def _export(client, query: str = ""):  # type: ignore[no-untyped-def]
    response = client.get(f"/hulpvragen/export.xlsx?{query}")
    assert response.status_code == 200, response.status_code
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    return response, [list(r) for r in sheet.iter_rows(values_only=True)]


# --- search ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("makr", {"El-Makrini"}),                       # part of an achternaam
    ("fatima makrini", {"El-Makrini"}),             # roepnaam and achternaam together
    ("Jan van Boven", {"Boven"}),                   # with the tussenvoegsel (beheerder sees voorlopig)
    ("MONTEIRO", {"Fortes Monteiro"}),              # case does not matter
    ("fontein", {"Fortes Monteiro", "Jong"}),       # school: CBS De Fontein
    ("dyslexie", {"Fortes Monteiro"}),              # title
    ("kans", {"Berg", "Bakker"}),
    ("100%", set()),                                # LIKE wildcards are literal text
    ("_", set()),
])
def test_search_finds_name_school_and_title(client, auth, rows, text, expected):
    auth.login("beheerder")
    assert _names(_list(client, f"q={text}")) == expected


def test_search_finds_the_aanvraagnummer_and_counts(client, auth, rows):
    auth.login("beheerder")
    nummer = rows["Peters"].aanvraagnummer
    html = _list(client, f"q={nummer}")
    assert _names(html) == {"Peters"} and "1 hulpvraag gevonden" in html
    assert _names(_list(client, f"q={nummer[-4:]}")) == {"Peters"}


def test_search_text_never_goes_into_the_address_bar(client, auth, rows):
    auth.login("scp")
    response = client.get("/hulpvragen?q=makrini&status=Aanmelding", headers=HX)
    assert "El-Makrini" in response.text
    assert response.headers["HX-Replace-Url"] == "/hulpvragen?status=Aanmelding"
    page = client.get("/hulpvragen").text
    assert "hx-push-url" not in page and 'hx-history="false"' in page
    assert "makrini" not in client.get("/hulpvragen?q=makrini").text.split("<tbody>")[0].split('id="q"')[0]


# --- statuses and filters -------------------------------------------------------------------
def test_several_statuses_at_once_and_suffixes(client, auth, rows):
    auth.login("beheerder")
    assert _names(_list(client, "status=Aanmelding&status=In+beraad")) == {"El-Makrini", "Bakker"}
    assert _names(_list(client, "status=Doorzetten&status=Dossier+incompleet")) == {"Peters", "Fortes Monteiro"}
    assert _names(_list(client, "status=Doorzetten+orthopedagoog")) == {"Peters"}


def test_each_filter(client, auth, world, rows):
    auth.login("beheerder")
    assert _names(_list(client, "titel=KANS")) == {"Berg", "Bakker"}
    assert _names(_list(client, f"school={world.scholen[1].id}")) == {"Fortes Monteiro", "Jong"}
    scp2 = world.users["scp2"].id
    assert _names(_list(client, f"scp={scp2}")) == {"Peters", "Berg"}
    assert _names(_list(client, "van=2024-03-15&tot=2024-04-01")) == {"Fortes Monteiro", "Jong"}
    assert _names(_list(client, "van=15-03-2024&tot=01-04-2024")) == {"Fortes Monteiro", "Jong"}  # Dutch order too
    assert _names(_list(client, "van=2025-01-01")) == {"Bakker"}
    assert _names(_list(client, "titel=KANS&van=2025-01-01&q=mila")) == {"Bakker"}


def test_filters_are_offered_within_scope(client, auth, world, rows):
    auth.login("aanvrager2")  # school C only
    page = client.get("/hulpvragen").text
    assert "IKC Het Kompas" in page and "OBS De Regenboog" not in page
    auth.logout()
    auth.login("scp")
    page = client.get("/hulpvragen").text
    assert 'value="Voorlopige aanmelding"' not in page and "OBS De Regenboog" in page


# --- sorting and pages ----------------------------------------------------------------------
def test_sort_on_columns_both_ways(client, auth, rows):
    auth.login("beheerder")

    def order(query: str) -> list[str]:
        html = _list(client, query)
        return re.findall(r'<td data-kolom="leerling">([^<]*)</td>', html)

    assert order("")[0] == "Mila Bakker"  # default: last changed first
    by_name = order("sort=leerling&richting=asc")
    assert by_name == ["Mila Bakker", "Sara van der Berg", "Jan van Boven", "Fatima El-Makrini",
                       "Lucas Fortes Monteiro", "Noor de Jong", "Daan Peters"]
    assert order("sort=leerling&richting=desc") == by_name[::-1]
    schools = re.findall(r'<td data-kolom="school">([^<]*)</td>', _list(client, "sort=school&richting=asc"))
    assert schools == sorted(schools, key=str.lower)
    html = _list(client, "sort=gewijzigd&richting=desc")
    assert 'aria-sort="descending"' in html


def test_paging_is_stable_with_equal_sort_values(app, client, auth, world):
    same = T0 + timedelta(days=5)
    for i in range(11):  # equal updated_at and equal names: only the tiebreaker orders them
        _hulpvraag(world, "Kim", None, "Gelijk", i % 3, "KANS", "Aanmelding", 5, updated=same)
    db.session.commit()
    app.config["PAGE_SIZE"] = 4
    auth.login("beheerder")
    all_ids = set(db.session.scalars(sa.select(Hulpvraag.id)))
    for sort in ("", "sort=leerling&richting=asc", "sort=titel&richting=desc", "sort=status&richting=asc",
                 "sort=school&richting=desc", "sort=coordinator&richting=asc"):
        seen: list[str] = []
        for pagina in (1, 2, 3):
            html = _list(client, f"{sort}&pagina={pagina}")
            seen += re.findall(r'href="/hulpvragen/(\d+)"', html)
        assert len(seen) == len(set(seen)) == 11, (sort, seen)  # nothing twice, nothing missing
        assert {int(i) for i in seen} == all_ids


# --- bad input ------------------------------------------------------------------------------
@pytest.mark.parametrize(("query", "message"), [
    ("status=Bestaat+niet", "Onbekende status ‘Bestaat niet’ genegeerd."),
    ("van=31-02-2024", "Ongeldige datum ‘31-02-2024’ bij aangemaakt van"),
    ("tot=gisteren", "Ongeldige datum ‘gisteren’ bij aangemaakt tot en met"),
    ("pagina=99999999999999999999", "Pagina 1000000 bestaat niet: de laatste pagina (1) wordt getoond."),
    ("pagina=-3", "Ongeldig paginanummer ‘-3’"),
    ("pagina=abc", "Ongeldig paginanummer ‘abc’"),
    ("sort=wachtwoord", "Onbekende sortering ‘wachtwoord’"),
    ("sort=id;drop+table", "Onbekende sortering"),
    ("school=xyz", "Onbekende school ‘xyz’"),
    ("scp=99999999999999", "Onbekende coördinator"),
    ("van=2024-06-01&tot=2024-01-01", "De periode was omgekeerd"),
])
def test_bad_parameters_get_a_dutch_message_not_an_error(client, auth, rows, query, message):
    auth.login("beheerder")
    for response in (client.get(f"/hulpvragen?{query}"), client.get(f"/hulpvragen?{query}", headers=HX)):
        assert response.status_code == 200
        assert message in response.text.replace("&#39;", "'")
    assert client.get(f"/hulpvragen/export.xlsx?{query}").status_code == 200


def test_unknown_sort_direction_and_long_text_are_harmless(client, auth, rows):
    auth.login("beheerder")
    assert _names(_list(client, "sort=leerling&richting=zijwaarts")) == _names(_list(client))
    assert _list(client, "q=" + "a" * 5000).count("<tr>") >= 0


# --- the column chooser ---------------------------------------------------------------------
def _choose(client, kolommen: list[str], headers=None):  # type: ignore[no-untyped-def]
    token = csrf_token(client.get("/hulpvragen").text)
    return client.post("/hulpvragen/kolommen", data={"kolom": kolommen, "csrf_token": token, "q": "makrini"},
                       headers=headers or {})


def test_column_chooser_is_remembered_per_user(client, auth, world, rows):
    auth.login("beheerder")
    assert 'data-kolom="coordinator"' in _list(client) and 'data-kolom="bron"' not in _list(client)
    response = _choose(client, ["leerling", "status", "bron", "onbekend"], headers=HX)
    assert response.status_code == 200 and "El-Makrini" in response.text and "Fortes" not in response.text
    html = _list(client)
    assert re.findall(r'<th scope="col"[^>]*>\s*<a[^>]*data-sort="(\w+)"', html) == [
        "aanvraagnummer", "leerling", "status", "bron"]  # fixed column always, unknown dropped, table order
    stored = db.session.scalar(sa.select(Voorkeur).where(Voorkeur.user_id == world.users["beheerder"].id))
    assert stored.lijst == "hulpvragen" and stored.instellingen["kolommen"] == ["aanvraagnummer", "leerling", "status", "bron"]

    auth.logout()
    auth.login("scp")  # another user keeps the default
    html = _list(client)
    assert 'data-kolom="coordinator"' in html and 'data-kolom="bron"' not in html
    assert _choose(client, []).status_code == 302  # without htmx: back to the list
    assert re.findall(r'data-kolom="(\w+)"', _list(client))[:1] == ["aanvraagnummer"]
    assert set(re.findall(r'data-kolom="(\w+)"', _list(client))) == {"aanvraagnummer"}
    auth.logout()
    auth.login("beheerder")
    assert 'data-kolom="bron"' in _list(client)  # still the beheerder's own choice


def test_column_chooser_needs_the_csrf_token(client, auth, rows):
    auth.login("scp")
    assert client.post("/hulpvragen/kolommen", data={"kolom": ["bron"]}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Voorkeur)) == 0


# --- Export naar Excel ----------------------------------------------------------------------
def test_export_has_exactly_the_filtered_rows_sorted_and_chosen_columns(client, auth, world, rows):
    auth.login("beheerder")
    _choose(client, ["leerling", "titel", "status", "aangemaakt"])
    response, sheet = _export(client, "status=Aanmelding&status=Afgewezen&status=In+beraad&sort=leerling&richting=asc")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response.headers["Content-Disposition"]
    assert re.search(r'attachment; filename=hulpvragen-\d{4}-\d{2}-\d{2}\.xlsx', disposition)
    assert sheet[0] == ["Aanvraagnummer", "Leerling", "Titel", "Status", "Aangemaakt"]
    assert [r[1] for r in sheet[1:]] == ["Mila Bakker", "Sara van der Berg", "Fatima El-Makrini"]
    assert sheet[1][0] == rows["Bakker"].aanvraagnummer and sheet[1][3] == "In beraad"
    assert sheet[3][4] == datetime(2024, 3, 1, 10, 0)  # a real date cell, Dutch wall-clock time


def test_export_follows_the_search_and_is_audited_without_names(client, auth, world, rows):
    auth.login("scp")
    token = csrf_token(client.get("/hulpvragen").text)
    response = client.post("/hulpvragen/export.xlsx", data={"q": "makrini", "titel": "Ambulante Begeleiding",
                                                            "csrf_token": token})
    sheet = [list(r) for r in load_workbook(io.BytesIO(response.data), read_only=True).active.iter_rows(values_only=True)]
    assert [r[1] for r in sheet[1:]] == ["Fatima El-Makrini"]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.actie == "exporteren"))
    assert entry.object_type == "export" and entry.user_id == world.users["scp"].id
    assert "1 rijen" in entry.detail and "titel Ambulante Begeleiding" in entry.detail
    assert "zoektekst (niet vastgelegd)" in entry.detail
    assert "akrini" not in entry.detail.lower() and "Fatima" not in entry.detail


def test_export_post_needs_the_csrf_token(client, auth, rows):
    auth.login("scp")
    assert client.post("/hulpvragen/export.xlsx", data={"q": "makrini"}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.actie == "exporteren")) == 0


def test_a_formula_stays_text_in_the_export(client, auth, world):
    _hulpvraag(world, "=HYPERLINK(\"http://x\")", None, "Formule", 0, "KANS", "Aanmelding", 1)
    db.session.commit()
    auth.login("beheerder")
    response = client.get("/hulpvragen/export.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    cell = workbook.active["B2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


# --- scope ----------------------------------------------------------------------------------
def test_voorlopige_aanmelding_never_reaches_swv_staff(client, auth, world, rows):
    auth.login("scp")  # coordinates schools A and B, where "Jan van Boven" is voorlopig
    everything = _list(client)
    assert "Boven" not in everything and "El-Makrini" in everything
    assert "4 hulpvragen gevonden" in everything  # the count leaves it out too
    assert "Boven" not in _list(client, "q=boven") and "0 hulpvragen gevonden" in _list(client, "q=boven")
    assert "0 hulpvragen gevonden" in _list(client, "status=Voorlopige+aanmelding")
    _response, sheet = _export(client, "status=Voorlopige+aanmelding")
    assert sheet[1:] == []
    _response, sheet = _export(client)
    assert len(sheet) == 5 and not any("Boven" in (r[1] or "") for r in sheet)
    auth.logout()
    auth.login("beheerder")  # a beheerder does see it
    assert "Boven" in _list(client, "q=boven")


def test_school_user_sees_only_their_schools(client, auth, world, rows):
    auth.login("aanvrager2")  # IKC Het Kompas only
    assert _names(_list(client)) == {"Peters", "Berg"}
    assert _names(_list(client, f"school={world.scholen[0].id}")) == set()  # another school: nothing
    assert _names(_list(client, "q=makrini")) == set()
    _response, sheet = _export(client, "")
    assert sorted(r[1] for r in sheet[1:]) == ["Daan Peters", "Sara van der Berg"]
    auth.logout()
    auth.login("aanvrager")  # schools A and B, voorlopig included (their own)
    assert "Boven" in _names(_list(client)) and "Peters" not in _names(_list(client))


# --- seed-bulk ------------------------------------------------------------------------------
def test_seed_bulk_fills_many_varied_rows_without_processes(runner, world):
    result = runner.invoke(args=["seed-bulk", "2000", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Hulpvraag)) == 2000
    statuses = set(db.session.scalars(sa.select(Hulpvraag.status).distinct()))
    assert "Voorlopige aanmelding" in statuses and len(statuses) > 8
    assert len(set(db.session.scalars(sa.select(Hulpvraag.titel).distinct()))) > 15
    years = {h.year for h in db.session.scalars(sa.select(Hulpvraag.created_at))}
    assert len(years) >= 4
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProcessInstance)) == 0
    history = db.session.scalar(sa.select(sa.func.count()).select_from(Statuswijziging))
    assert history >= 2000
    nummers = db.session.scalars(sa.select(Hulpvraag.aanvraagnummer)).all()
    assert len(set(nummers)) == 2000 and all(re.fullmatch(r"\d{4}-\d{6}", n) for n in nummers)
    # 2000 asks for 4 schools; the demo world has 3: one more, with its own SCP and IB'er (no password)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.password_hash.is_(None))) == 2
    again = runner.invoke(args=["seed-bulk", "10"])  # adds to what is there
    assert again.exit_code == 0 and db.session.scalar(sa.select(sa.func.count()).select_from(Hulpvraag)) == 2010
