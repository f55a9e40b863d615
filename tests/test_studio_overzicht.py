"""Studio overview, diff and publish, and the live set as files (issue 13, items 1, 6 and 8)."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from models import AanpakKoppeling, AuditEntry, Concept, Incident, ProcessDefinition, db
from models.concept import GEPUBLICEERD, OPEN
from models.incident import SOORTEN
from tests.browser import assert_accessible, live_server, login, page  # noqa: F401 - fixtures
from tests.conftest import csrf_token
from workflow.engine.check import check_dir
from workflow.engine.definitions import latest_definition
from workflow.studio.concepten import open_concept, opslaan

ROOT = Path(__file__).resolve().parent.parent
NIEUWE_TAAK = '<bpmn:userTask id="extra_stap" name="Extra stap" />'


@pytest.fixture
def bpmn(app, tmp_path):  # type: ignore[no-untyped-def]
    target = tmp_path / "bpmn"
    shutil.copytree(ROOT / "bpmn", target)
    app.config["BPMN_DIR"] = str(target)
    return target


def _draft(world, **changes):  # type: ignore[no-untyped-def]
    concept = open_concept("aanpak", world.users["procesbeheerder"])
    opslaan(concept, world.users["procesbeheerder"], concept.revisie, **changes)
    db.session.commit()
    return concept


def _renamed(concept: Concept) -> str:
    return concept.bpmn_xml.replace('name="Aanpak toekennen"', 'name="Aanpak beoordelen en toekennen"', 1)


def _token(client, url: str = "/studio/") -> str:  # type: ignore[no-untyped-def]
    return csrf_token(client.get(url).text)


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(ProcessDefinition.id))) or 0


# --- overview ----------------------------------------------------------------------------------
def test_overview_shows_live_versions_drafts_and_incidents(app, world, client, auth):
    concept = _draft(world, scenarios=None)
    live = latest_definition("aanpak")
    db.session.add(Incident(soort=next(iter(SOORTEN)), sleutel="taak-1", process_key="aanpak", definition_id=live.id,
                            bpmn_id="toekennen", melding="kapot"))  # fmt: skip
    db.session.commit()
    auth.login("procesbeheerder")

    html = client.get("/studio/").text

    assert "Generieke aanpak" in html and "Live versie: <strong>v1</strong>" in html
    assert f'data-concept="{concept.id}"' in html and "Petra Dekker (u)" in html
    assert (
        "/studio/aanpak/modeler" in html and "/studio/aanpak/formulieren" in html and "/studio/aanpak/scenarios" in html
    )
    assert 'Open incidenten <span class="count">(1)</span>' in html and "<code>toekennen</code>" in html
    assert ">Studio</a>" in html


def test_beheerder_sees_the_overview_read_only(app, world, client, auth):
    auth.login("beheerder")
    overzicht = client.get("/studio/")
    assert overzicht.status_code == 200 and "alleen kijken" in overzicht.text and "Nieuw concept" not in overzicht.text

    token = csrf_token(overzicht.text)
    assert client.post("/studio/aanpak/nieuw-concept", data={"csrf_token": token}).status_code in (403, 404)
    assert client.post("/studio/koppeling", data={"csrf_token": token, "KANS": "tlv"}).status_code in (403, 404)
    assert db.session.scalar(sa.select(sa.func.count(Concept.id))) == 0


def test_new_draft_button_opens_a_draft(app, world, client, auth):
    auth.login("procesbeheerder")
    response = client.post("/studio/aanpak/nieuw-concept", data={"csrf_token": _token(client)}, follow_redirects=True)
    assert "Uw concept van aanpak staat klaar" in response.text
    assert db.session.scalar(sa.select(Concept).filter_by(process_key="aanpak")).status == OPEN
    assert client.post("/studio/bestaat_niet/nieuw-concept", data={"csrf_token": _token(client)}).status_code == 404


def test_mapping_is_editable_and_refuses_unknown_aanpakken(app, world, client, auth):
    auth.login("procesbeheerder")
    response = client.post("/studio/koppeling", data={"csrf_token": _token(client), "KANS": "bestaat_niet"},
                           follow_redirects=True)  # fmt: skip
    assert "Onbekende aanpak gekozen bij: KANS. Er is niets opgeslagen." in response.text
    assert db.session.get(AanpakKoppeling, "KANS") is None

    response = client.post(
        "/studio/koppeling", data={"csrf_token": _token(client), "KANS": "tlv"}, follow_redirects=True
    )
    assert "opgeslagen" in response.text
    assert db.session.get(AanpakKoppeling, "KANS").process_key == "tlv"


# --- diff and publish --------------------------------------------------------------------------
def test_diff_lists_an_added_task_and_a_changed_form_field(app, world, client, auth):
    concept = open_concept("aanpak", world.users["procesbeheerder"])
    forms = dict(concept.forms)
    schema = dict(forms["aanpak-toekennen.json"])
    schema["properties"] = {**schema["properties"], "reden": {**schema["properties"]["reden"], "title": "Motivatie"}}
    forms["aanpak-toekennen.json"] = schema
    xml = concept.bpmn_xml.replace('isExecutable="true">', 'isExecutable="true">\n    ' + NIEUWE_TAAK, 1)
    opslaan(concept, world.users["procesbeheerder"], 1, bpmn_xml=xml, forms=forms)
    db.session.commit()
    auth.login("procesbeheerder")

    data = client.get("/studio/aanpak/verschil.json").get_json()
    html = client.get("/studio/aanpak/verschil").text

    assert data["toegevoegd"] == ["extra_stap"] and data["xml"] == xml
    assert "Nieuw: userTask <code>extra_stap</code> ‘Extra stap’" in html
    assert "<strong>aanpak-toekennen.json</strong>" in html and "Veld gewijzigd: <code>reden</code>" in html
    assert 'id="concept-problemen"' in html  # the unconnected task is a problem of the draft
    assert client.get("/studio/bestaat_niet/verschil").status_code == 404
    assert client.get("/studio/bestaat_niet/verschil.json").status_code == 404


def test_publish_without_a_note_is_refused(app, world, client, auth, bpmn):
    concept = _draft(world, bpmn_xml=None)
    opslaan(concept, world.users["procesbeheerder"], concept.revisie, bpmn_xml=_renamed(concept))
    db.session.commit()
    before = _count()
    auth.login("procesbeheerder")

    response = client.post("/studio/aanpak/publiceren", data={"csrf_token": _token(client, "/studio/aanpak/verschil"),
                                                             "notitie": "  "})  # fmt: skip

    assert response.status_code == 422 and "Vul een korte notitie in" in response.text
    assert _count() == before
    db.session.refresh(concept)
    assert concept.status == OPEN


def test_publish_a_clean_draft_makes_the_next_version_and_links_the_migration(app, world, client, auth, bpmn):
    concept = open_concept("aanpak", world.users["procesbeheerder"])
    opslaan(concept, world.users["procesbeheerder"], 1, bpmn_xml=_renamed(concept))
    other = open_concept("aanpak", world.users["beheerder"])
    db.session.commit()
    v1 = latest_definition("aanpak")
    auth.login("procesbeheerder")

    response = client.post("/studio/aanpak/publiceren", data={"csrf_token": _token(client, "/studio/aanpak/verschil"),
                                                             "notitie": "Naam van de eerste stap"})  # fmt: skip

    v2 = latest_definition("aanpak")
    assert response.status_code == 200 and "Gepubliceerd als v2" in response.text
    assert v2.nummer == 2 and v2.bron == "studio" and v2.notitie == "Naam van de eerste stap"
    assert f"/processen/migratie?aanpak=aanpak&amp;van={v1.id}&amp;naar={v2.id}" in response.text
    db.session.refresh(concept)
    assert concept.status == GEPUBLICEERD and concept.gepubliceerd_als_id == v2.id
    assert db.session.scalar(sa.select(AuditEntry).filter_by(object_type="concept", object_id=concept.id)
                             .where(AuditEntry.detail.contains("gepubliceerd als")))  # fmt: skip

    # A colleague's draft, opened from v1, now warns that v2 is live.
    assert "intussen is v2 live" in client.get(f"/studio/aanpak/verschil?concept={other.id}").text

    # The folder still holds v1's content: publishing the folder again does not undo the studio's version.
    from workflow.engine.publiceren import publiceer

    assert publiceer(bpmn, bron="opstarten").gepubliceerd == [] and latest_definition("aanpak").id == v2.id


def test_publish_of_a_broken_draft_shows_dutch_lines_and_keeps_the_draft(app, world, client, auth, bpmn):
    concept = open_concept("aanpak", world.users["procesbeheerder"])
    broken = concept.bpmn_xml.replace('name="doorlooptijd" value="P10D"', 'name="doorlooptyd" value="P10D"', 1)
    opslaan(concept, world.users["procesbeheerder"], 1, bpmn_xml=broken)
    db.session.commit()
    before = _count()
    auth.login("procesbeheerder")

    response = client.post("/studio/aanpak/publiceren", data={"csrf_token": _token(client, "/studio/aanpak/verschil"),
                                                             "notitie": "Kapot"})  # fmt: skip

    assert response.status_code == 422 and "Niet gepubliceerd" in response.text
    assert "onbekende eigenschap ‘doorlooptyd’" in response.text and "uw concept is bewaard" in response.text
    assert _count() == before
    db.session.refresh(concept)
    assert concept.status == OPEN
    assert "De laatste publicatie uit de studio is geweigerd" in client.get("/studio/").text


# --- files -------------------------------------------------------------------------------------
def test_zip_download_matches_bpmn_and_passes_the_check(app, world, client, auth, tmp_path):
    auth.login("beheerder")  # looking is allowed to beheerders
    response = client.get("/studio/bestanden.zip")

    assert response.status_code == 200 and response.mimetype == "application/zip"
    target = tmp_path / "uitgepakt"
    zipfile.ZipFile(io.BytesIO(response.data)).extractall(target)
    assert check_dir(target) == []
    assert (target / "aanpak.bpmn").read_text("utf-8") == latest_definition("aanpak").bpmn_xml
    names = {p.name for p in target.iterdir()}
    assert {"statussen.yaml", "aanpakken.yaml", "aanpak.scenarios.yaml", "aanpak-toekennen.json"} <= names
    assert db.session.scalar(sa.select(AuditEntry).filter_by(actie="downloaden", object_type="procesversie"))


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archief:
        for name, data in files.items():
            archief.writestr(name, data)
    return buffer.getvalue()


def _upload(client, data: bytes, notitie: str = "Zip uit de studio"):  # type: ignore[no-untyped-def]
    return client.post("/studio/bestanden", data={"csrf_token": _token(client), "notitie": notitie,
                                                 "bestand": (io.BytesIO(data), "set.zip")},
                       content_type="multipart/form-data")  # fmt: skip


@pytest.mark.parametrize(
    ("data", "melding"),
    [
        (b"dit is geen zip", "geen geldig zipbestand"),
        (_zip({"../aanpak.bpmn": b"<x/>"}), "mappen en paden zijn niet toegestaan"),
        (_zip({"sub/aanpak.bpmn": b"<x/>"}), "mappen en paden zijn niet toegestaan"),
        (_zip({"aanpak.exe": b"x"}), "geen toegestane bestandsnaam"),
        (_zip({"aanpak.bpmn": b"\0" * (3 * 1024 * 1024)}), "uitgepakt te groot"),  # a zip bomb: ratio > 100
    ],
)
def test_a_bad_zip_is_refused_in_dutch_and_nothing_changes(app, world, client, auth, bpmn, data, melding):
    before = _count()
    auth.login("procesbeheerder")
    response = _upload(client, data)
    assert response.status_code == 422 and melding in response.text and "niets gepubliceerd" in response.text
    assert _count() == before


def test_a_zip_with_a_symlink_or_without_note_is_refused(app, world, client, auth, bpmn):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archief:
        info = zipfile.ZipInfo("aanpak.bpmn")
        info.external_attr = 0o120777 << 16
        archief.writestr(info, "/etc/passwd")
    auth.login("procesbeheerder")
    assert "snelkoppeling" in _upload(client, buffer.getvalue()).text
    assert "Vul een korte notitie in" in _upload(client, _zip({"aanpak.bpmn": b"<x/>"}), notitie="").text


def test_a_good_upload_publishes_through_the_gate(app, world, client, auth, bpmn):
    auth.login("procesbeheerder")
    archief = zipfile.ZipFile(io.BytesIO(client.get("/studio/bestanden.zip").data))
    files = {name: archief.read(name) for name in archief.namelist()}
    files["aanpak.bpmn"] = files["aanpak.bpmn"].replace(b'name="Aanpak toekennen"', b'name="Aanpak toekennen (zip)"')

    response = _upload(client, _zip(files))

    assert response.status_code == 200 and "Generieke aanpak v2" in response.text
    assert latest_definition("aanpak").bron == "studio-zip" and latest_definition("tlv").nummer == 1
    broken = {**files, "aanpak.bpmn": files["aanpak.bpmn"].replace(b'name="doorlooptijd" value="P10D"',
                                                                    b'name="doorlooptyd" value="P10D"', 1)}  # fmt: skip
    response = _upload(client, _zip(broken))
    assert response.status_code == 422 and "doorlooptyd" in response.text and latest_definition("aanpak").nummer == 2


# --- in the browser ------------------------------------------------------------------------------
def test_overview_and_diff_pages_in_the_browser(app, world, page, bpmn):  # noqa: F811
    concept = open_concept("aanpak", world.users["procesbeheerder"])
    opslaan(concept, world.users["procesbeheerder"], 1, bpmn_xml=_renamed(concept))
    db.session.commit()
    login(page, "procesbeheerder")

    page.goto("/studio/")
    page.wait_for_selector("h1:has-text('Studio')")
    assert_accessible(page)

    page.click("a:has-text('Verschil en publiceren')")
    page.wait_for_selector("#diagram[data-getekend]")
    assert page.locator("#diagram .djs-element.diff-gewijzigd[data-element-id='toekennen']").count() == 1
    assert page.locator("#diagram-wijzigingen li.gewijzigd").first.is_visible()
    assert_accessible(page)
