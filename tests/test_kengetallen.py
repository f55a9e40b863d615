"""Kengetallen (issue 19 item 1): the figures on a small known data set, who sees which numbers,
Voorlopige aanmelding never counted, the filters, and the Excel export matching the table."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from flask.testing import FlaskClient

from models import TLV, Budget, Dossier, Hulpvraag, HumanTask, Statuswijziging, Toekenning, db, utcnow
from tests.conftest import csrf_token, new_hulpvraag
from workflow.engine.runtime import complete_task
from workflow.kengetallen import percentiel

PERIODE = "van=2025-01-01&tot=2025-06-30"
DATA = re.compile(r"<div hidden id=\"data-([a-z_]+)\" data-waarden='(.*?)'></div>", re.S)


def _dag(maand: int, dag: int) -> datetime:
    return datetime(2025, maand, dag, 12, 0, tzinfo=UTC)


def _hulpvraag(world: Any, school: int, titel: str, stappen: list[tuple[str, datetime]]) -> Hulpvraag:
    """A hulpvraag with exactly this status history (the rows the figures count)."""
    dossier = Dossier(swv_id=world.swv.id, school_id=world.scholen[school].id, roepnaam="Kees", achternaam="Test")
    db.session.add(dossier)
    db.session.flush()
    hulpvraag = Hulpvraag(dossier_id=dossier.id, school_id=dossier.school_id, titel=titel, status=stappen[-1][0],
                          created_at=stappen[0][1], updated_at=stappen[-1][1])  # fmt: skip
    db.session.add(hulpvraag)
    db.session.flush()
    vorige = None
    for status, moment in stappen:
        db.session.add(Statuswijziging(hulpvraag_id=hulpvraag.id, van=vorige, naar=status, created_at=moment))
        vorige = status
    db.session.flush()
    return hulpvraag


@pytest.fixture
def data(world: Any) -> dict[str, Hulpvraag]:
    """School 0 (aanvrager) has h1-h3 and a voorlopige h5; school 2 (aanvrager2) has h4."""
    v = "Voorlopige aanmelding"
    h = {
        "h1": _hulpvraag(world, 0, "KANS", [(v, _dag(1, 10)), ("Aanmelding", _dag(1, 15)), ("Toegekend", _dag(1, 25)),
                                            ("Afgerond", _dag(3, 5))]),
        "h2": _hulpvraag(world, 0, "KANS", [(v, _dag(1, 20)), ("Aanmelding", _dag(2, 1)),
                                            ("Doorzetten orthopedagoog", _dag(2, 3)), ("Afgewezen", _dag(2, 21))]),
        "h3": _hulpvraag(world, 1, "Thuiszitter", [(v, _dag(2, 1)), ("Aanmelding", _dag(2, 10)),
                                                   ("Thuiszitter", _dag(2, 15))]),
        "h4": _hulpvraag(world, 2, "TLV -Nieuw", [(v, _dag(3, 1)), ("Aanmelding", _dag(3, 2)),
                                                  ("Dossier compleet", _dag(3, 10))]),
        "h5": _hulpvraag(world, 0, "KANS", [(v, _dag(3, 1))]),
    }  # fmt: skip
    vandaag = utcnow().date()
    db.session.add_all([
        TLV(hulpvraag_id=h["h4"].id, besluit="toekennen", soort="SO", categorie="laag", afgiftedatum=date(2025, 3, 20),
            ingangsdatum=date(2025, 4, 1), einddatum=vandaag + timedelta(days=40)),
        TLV(hulpvraag_id=h["h5"].id, besluit="toekennen", soort="SBO", categorie="hoog", afgiftedatum=date(2025, 3, 20),
            einddatum=vandaag + timedelta(days=40)),  # a voorlopige aanmelding's: never counted
    ])  # fmt: skip
    school_budget = Budget(swv_id=world.swv.id, regeling="schoolbudget", soort="school", school_id=world.scholen[0].id,
                           schooljaar="2024-2025", bedrag=Decimal("10000.00"))  # fmt: skip
    bestuur_budget = Budget(swv_id=world.swv.id, regeling="schoolbudget", soort="bestuur",
                            bestuur_id=world.scholen[2].bestuur_id, schooljaar="2024-2025", bedrag=Decimal("50000.00"))
    db.session.add_all([school_budget, bestuur_budget])
    db.session.flush()
    db.session.add_all([
        Toekenning(budget_id=school_budget.id, hulpvraag_id=h["h1"].id, aanvraagnummer="x", bedrag=Decimal("2500.00"),
                   besluitdatum=date(2025, 3, 1)),
        Toekenning(budget_id=school_budget.id, hulpvraag_id=h["h2"].id, aanvraagnummer="y", bedrag=Decimal("999.00"),
                   besluitdatum=date(2025, 3, 1), ingetrokken_at=_dag(3, 2)),  # withdrawn: free again
    ])  # fmt: skip
    db.session.commit()
    return h


def _figuren(client: FlaskClient, query: str = PERIODE) -> dict[str, dict[str, Any]]:
    """What each chart draws: {figure: {series name: {label: value}}}."""
    response = client.get(f"/kengetallen?{query}")
    assert response.status_code == 200
    result = {}
    for key, tekst in DATA.findall(response.text):
        grafiek = json.loads(tekst)
        result[key] = {s["naam"]: dict(zip(grafiek["labels"], s["waarden"], strict=True)) for s in grafiek["series"]}
    return result


def _export(client: FlaskClient, figuur: str, query: str = PERIODE) -> list[list[Any]]:
    page = client.get(f"/kengetallen?{query}")
    velden = dict(pair.split("=") for pair in query.split("&"))
    response = client.post(f"/kengetallen/export/{figuur}.xlsx", data={**velden, "csrf_token": csrf_token(page.text)})
    assert response.status_code == 200
    blad = openpyxl.load_workbook(io.BytesIO(response.data)).active
    return [list(rij) for rij in blad.iter_rows(values_only=True)]


def _tabel(client: FlaskClient, figuur: str, query: str = PERIODE) -> list[list[str]]:
    """The cells of one figure's table on the page, header first."""
    html = client.get(f"/kengetallen?{query}").text
    deel = html[html.index(f'id="tabel-{figuur}"'):]
    deel = deel[: deel.index("</table>")]
    kop = re.findall(r"<th scope=\"col\">(.*?)</th>", deel)
    rijen = [re.findall(r"<td[^>]*>(.*?)</td>", rij, re.S) for rij in re.findall(r"<tr>(.*?)</tr>", deel, re.S)]
    return [kop, *[r for r in rijen if r]]


def test_figures_of_a_known_data_set(client: FlaskClient, auth: Any, data: dict[str, Hulpvraag]) -> None:
    auth.login("scp")
    f = _figuren(client)
    assert f["status"]["Hulpvragen"] == {"Dossier compleet": 1, "Thuiszitter": 1, "Afgerond": 1, "Afgewezen": 1}
    assert f["titel"]["Afgehandeld"] == {"KANS": 2, "Thuiszitter": 0, "TLV -Nieuw": 0}
    assert f["titel"]["Open"] == {"KANS": 0, "Thuiszitter": 1, "TLV -Nieuw": 1}
    assert f["bestuur"]["Open"] == {"Stichting PCBO (demo)": 2, "Stichting BOOR (demo)": 0}
    assert f["wijk"]["Afgehandeld"] == {"Noord": 2, "Zuid": 0}
    maand = f["maand"]
    assert [maand["Nieuw"][m] for m in ("jan 2025", "feb 2025", "mrt 2025", "apr 2025")] == [1, 2, 1, 0]
    assert [maand["Afgehandeld"][m] for m in ("jan 2025", "feb 2025", "mrt 2025")] == [0, 1, 1]
    assert list(maand["Open aan het eind van de maand"].values()) == [1, 2, 2, 2, 2, 2]
    assert list(f["thuiszitters"]["Thuiszitters"].values()) == [0, 1, 1, 1, 1, 1]
    # Jan: h1 10 days to Toegekend, 49 to Afgerond. Feb: h2 20 (Afgewezen) and h3 5 (Thuiszitter) to a besluit.
    doorloop = f["doorlooptijd_maand"]
    assert doorloop["Mediaan tot besluit"]["jan 2025"] == 10 and doorloop["Mediaan tot afgehandeld"]["jan 2025"] == 49
    assert doorloop["Mediaan tot besluit"]["feb 2025"] == 12.5 and doorloop["P90 tot besluit"]["feb 2025"] == 18.5
    assert doorloop["Mediaan tot besluit"]["mrt 2025"] is None  # h4: no decision yet
    tlv = f["tlv"]
    assert tlv == {"2024-2025": {"SO laag": 1}}
    assert sum(sum(v.values()) for v in f["tlv_einde"].values()) == 1  # h5's TLV is not counted
    budget = f["budget"]
    assert budget["Toegekend"]["OBS De Regenboog (school, 2024-2025)"] == 2500.0
    assert budget["Resterend"]["OBS De Regenboog (school, 2024-2025)"] == 7500.0
    assert budget["Resterend"]["Stichting PCBO (demo) (bestuur, 2024-2025)"] == 50000.0


def test_doorlooptijd_per_aanpak_and_title(client: FlaskClient, auth: Any, data: dict[str, Hulpvraag]) -> None:
    auth.login("beheerder")
    rijen = {(r[0], r[1]): r[2:] for r in _tabel(client, "doorlooptijd_aanpak")[1:]}
    kans = next(v for (aanpak, titel), v in rijen.items() if titel == "KANS")
    # KANS: besluit after 10 and 20 days, afgehandeld after 49 and 20 days
    assert kans == ["2", "15", "19", "2", "34,5", "46,1"]


def test_voorlopige_aanmelding_is_never_counted(client: FlaskClient, auth: Any, data: dict[str, Hulpvraag]) -> None:
    for user in ("beheerder", "aanvrager"):
        auth.login(user)
        f = _figuren(client)
        assert "Voorlopige aanmelding" not in f["status"]["Hulpvragen"]
        assert sum(f["status"]["Hulpvragen"].values()) == (4 if user == "beheerder" else 3)
        assert sum(f.get("tlv", {}).get("2024-2025", {}).values()) == (1 if user == "beheerder" else 0)
        assert "Voorlopige aanmelding" not in client.get(f"/kengetallen?{PERIODE}").text.split('id="status"')[1][:4000]
        auth.logout()


def test_school_a_does_not_see_school_b(client: FlaskClient, auth: Any, data: dict[str, Hulpvraag]) -> None:
    auth.login("aanvrager2")  # school 2 only: h4
    f = _figuren(client)
    assert f["status"]["Hulpvragen"] == {"Dossier compleet": 1}
    assert set(f["titel"]["Open"]) == {"TLV -Nieuw"}
    assert list(f["maand"]["Open aan het eind van de maand"].values()) == [0, 0, 1, 1, 1, 1]
    assert set(f["school"]["Open"]) == {"IKC Het Kompas"}
    assert "OBS De Regenboog" not in json.dumps(f)  # neither school 0's hulpvragen nor its budget
    assert f["tlv"] == {"2024-2025": {"SO laag": 1}}
    auth.logout()
    auth.login("aanvrager")  # schools 0 and 1
    f = _figuren(client)
    assert "TLV -Nieuw" not in f["titel"]["Open"] and "tlv" not in f  # no TLV: no chart, an empty table
    assert set(f["budget"]["Toegekend"]) == {"OBS De Regenboog (school, 2024-2025)"}  # not the other bestuur's
    # A school outside one's own given as a filter shows nothing of it.
    f = _figuren(client, f"{PERIODE}&school={data['h4'].school_id}")
    assert "status" not in f and "maand" in f and sum(f["maand"]["Nieuw"].values()) == 0


def test_filters(client: FlaskClient, auth: Any, world: Any, data: dict[str, Hulpvraag]) -> None:
    auth.login("scp")
    assert _figuren(client, f"{PERIODE}&titel=KANS")["status"]["Hulpvragen"] == {"Afgerond": 1, "Afgewezen": 1}
    school = _figuren(client, f"{PERIODE}&school={world.scholen[2].id}")
    assert school["status"]["Hulpvragen"] == {"Dossier compleet": 1}
    bestuur = _figuren(client, f"{PERIODE}&bestuur={world.scholen[0].bestuur_id}")
    assert sum(bestuur["status"]["Hulpvragen"].values()) == 2  # h1, h2 (school 0 alone has that bestuur)
    wijk = _figuren(client, f"{PERIODE}&wijk={world.scholen[2].wijk_id}")
    assert wijk["status"]["Hulpvragen"] == {"Dossier compleet": 1}
    kort = _figuren(client, "van=2025-02-01&tot=2025-02-28")
    assert list(kort["maand"]["Open aan het eind van de maand"]) == ["feb 2025"]
    assert kort["maand"]["Open aan het eind van de maand"]["feb 2025"] == 2  # h1, opened in January, still counts
    assert kort["status"]["Hulpvragen"] == {"Thuiszitter": 1}  # h3 alone was aangemaakt in February
    # Nonsense gets a Dutch note and the default, never a 500.
    page = client.get("/kengetallen?van=31-02-2025&school=abc&titel=Bestaat+niet&tot=9999-12-31")
    assert page.status_code == 200
    assert "Ongeldige datum ‘31-02-2025’" in page.text and "Onbekende school ‘abc’" in page.text
    assert "Onbekende titel ‘Bestaat niet’" in page.text
    lang = client.get("/kengetallen?van=1990-01-01&tot=2025-06-30")
    assert "De periode is ingekort tot 10 jaar: vanaf 01-07-2015." in lang.text
    assert len(json.loads(dict(DATA.findall(lang.text))["maand"])["labels"]) == 120


def test_excel_export_matches_the_table(client: FlaskClient, auth: Any, data: dict[str, Hulpvraag]) -> None:
    auth.login("scp")
    for figuur in ("maand", "titel", "budget", "doorlooptijd_maand"):
        tabel = _tabel(client, figuur)
        excel = _export(client, figuur)
        assert excel[0] == tabel[0]
        assert len(excel) == len(tabel)
        for rij_excel, rij_tabel in zip(excel[1:], tabel[1:], strict=True):
            for cel, tekst in zip(rij_excel, rij_tabel, strict=True):
                if isinstance(cel, float | int) and tekst.startswith("€"):
                    assert tekst == "€ " + f"{cel:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
                elif cel is None:
                    assert tekst in ("", "–")
                else:
                    assert str(cel).replace(".", ",") == tekst
    assert _export(client, "maand")[1] == ["jan 2025", 1, 0, 1]


def test_column_chooser_changes_table_and_export(client: FlaskClient, auth: Any, data: dict[str, Hulpvraag]) -> None:
    auth.login("scp")
    page = client.get(f"/kengetallen?{PERIODE}")
    response = client.post("/kengetallen/kolommen/maand", headers={"HX-Request": "true"},
                           data={"kolom": ["maand", "open"], "csrf_token": csrf_token(page.text),
                                 "van": "2025-01-01", "tot": "2025-06-30"})  # fmt: skip
    assert response.status_code == 200
    assert "Open aan het eind van de maand" in response.text and ">Nieuw<" not in response.text
    assert _export(client, "maand")[0] == ["Maand", "Open aan het eind van de maand"]
    assert _tabel(client, "maand")[0] == ["Maand", "Open aan het eind van de maand"]


def test_open_tasks_past_their_deadline_per_functie(client: FlaskClient, auth: Any, world: Any) -> None:
    hulpvraag = new_hulpvraag(world)
    task = db.session.query(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, completed_at=None).one()
    complete_task(task.id, world.users["aanvrager"], {"ouders_geinformeerd": "ja"})  # submitted: Aanmelding
    open_taak = db.session.query(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, completed_at=None).one()
    open_taak.due_at = utcnow() - timedelta(days=2)
    db.session.commit()
    auth.login("scp")
    taken = _figuren(client)["taken"]
    assert taken["Over de termijn"] == {"Schoolcontactpersoon": 1}
    assert taken["Binnen de termijn"] == {"Schoolcontactpersoon": 0}


def test_who_may_open_the_page(client: FlaskClient, auth: Any, world: Any) -> None:
    for user, status in (("extern", 404), ("procesbeheerder", 404), ("directeur", 200), ("orthopedagoog", 200)):
        auth.login(user)
        assert client.get("/kengetallen").status_code == status
        assert client.get("/kengetallen/export/maand.xlsx").status_code == status
        auth.logout()
    auth.login("scp")
    assert client.get("/kengetallen/export/bestaat_niet.xlsx").status_code == 404
    assert 'href="/kengetallen"' in client.get("/taken").text  # the main menu item


def test_percentiel_interpolates_like_percentile_cont() -> None:
    assert percentiel({}, 0.5) is None
    assert percentiel({7: 1}, 0.9) == 7
    assert percentiel({1: 1, 2: 1, 3: 1, 4: 1}, 0.5) == 2.5
    assert percentiel({0: 9, 100: 1}, 0.9) == 10.0  # position 8.1 of 0..9: between 0 and 100
