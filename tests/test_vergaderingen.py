"""Vergaderingen (issue 19 item 2): planning a meeting, an agenda item sets In beraad and mails the
school, the chair records Gearrangeerd, members see only what they may see, the PDF, Dutch errors."""

from __future__ import annotations

import re
import zlib

import sqlalchemy as sa

from models import AuditEntry, Hulpvraag, OutgoingMail, Statuswijziging, db
from models.vergadering import Agendapunt, Vergadering
from tests.conftest import csrf_token, login, new_hulpvraag
from workflow.engine.runtime import set_status


def _aangemeld(world, school: int = 0, roepnaam: str = "Fleur") -> Hulpvraag:  # type: ignore[no-untyped-def]
    """A hulpvraag the SWV sees (Aanmelding) at demo school ``school``."""
    hulpvraag = new_hulpvraag(world, roepnaam=roepnaam, school=school)
    set_status(hulpvraag, "Aanmelding", "Ingediend", world.users["aanvrager"], "test")
    db.session.commit()
    return hulpvraag


def pdf_tekst(data: bytes) -> str:
    """The text drawn on the PDF's pages: its (compressed) content streams, decompressed."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S)
    return "".join(zlib.decompress(s).decode("latin-1") for s in streams if s[:1] == b"x")


def _als(client, username: str):  # type: ignore[no-untyped-def]
    fresh = client.application.test_client()
    login(fresh, username)
    return fresh


def _post(browser, page_url: str, url: str, data: dict[str, object]):  # type: ignore[no-untyped-def]
    page = browser.get(page_url)
    assert page.status_code == 200, page.status_code
    return browser.post(url, data={**data, "csrf_token": csrf_token(page.text)})


def _vergadering(browser, world, voorzitter: str = "scp", leden=("orthopedagoog",)) -> int:  # type: ignore[no-untyped-def]
    data = {"datum": "2026-12-10", "soort": "commissie", "voorzitter": str(world.users[voorzitter].id),
            "leden": [str(world.users[u].id) for u in leden]}  # fmt: skip
    response = _post(browser, "/vergaderingen/nieuw", "/vergaderingen/nieuw", data)
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _agendeer(browser, vid: int, hulpvraag: Hulpvraag, reden: str = "Bespreken in de commissie"):  # type: ignore[no-untyped-def]
    return _post(browser, f"/vergaderingen/{vid}", f"/vergaderingen/{vid}/agendapunten",
                 {"aanvraagnummer": hulpvraag.aanvraagnummer, "reden": reden})  # fmt: skip


def _punt(hulpvraag_id: int) -> Agendapunt:
    db.session.expire_all()
    return db.session.scalars(sa.select(Agendapunt).where(Agendapunt.hulpvraag_id == hulpvraag_id)).one()


def test_scp_plans_a_meeting_and_the_agenda_item_sets_in_beraad_and_mails_the_school(client, world) -> None:  # type: ignore[no-untyped-def]
    hulpvraag = _aangemeld(world)
    scp = _als(client, "scp")
    vid = _vergadering(scp, world)
    vergadering = db.session.get(Vergadering, vid)
    assert vergadering is not None and vergadering.soort == "commissie"
    assert {lid.user.username for lid in vergadering.leden} == {"scp", "orthopedagoog"}

    response = _agendeer(scp, vid, hulpvraag, "Arrangement nodig voor leerling")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Hulpvraag, hulpvraag.id).status == "In beraad"
    change = db.session.scalars(sa.select(Statuswijziging).where(Statuswijziging.hulpvraag_id == hulpvraag.id)
                                .order_by(Statuswijziging.id.desc())).first()  # fmt: skip
    assert change is not None and change.naar == "In beraad" and change.reden == "Arrangement nodig voor leerling"
    mails = db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.hulpvraag_id == hulpvraag.id)).all()
    assert any(m.to == world.users["aanvrager"].email and "In beraad" in m.subject for m in mails)
    page = scp.get(f"/vergaderingen/{vid}").text
    assert hulpvraag.aanvraagnummer in page and "Arrangement nodig voor leerling" in page
    assert db.session.scalar(
        sa.select(AuditEntry.id).where(
            AuditEntry.object_type == "vergadering", AuditEntry.object_id == vid, AuditEntry.actie == "aanmaken"
        )
    )


def test_the_chair_records_gearrangeerd_with_the_arrangement(client, world) -> None:  # type: ignore[no-untyped-def]
    hulpvraag = _aangemeld(world)
    scp = _als(client, "scp")
    vid = _vergadering(scp, world, voorzitter="beheerder", leden=("scp", "orthopedagoog"))
    _agendeer(scp, vid, hulpvraag)
    punt = _punt(hulpvraag.id)
    url = f"/vergaderingen/{vid}/agendapunten/{punt.id}/uitkomst"
    geen_voorzitter = {"uitkomst": "Gearrangeerd", "arrangement": "x"}
    assert _post(scp, f"/vergaderingen/{vid}", url, geen_voorzitter).status_code == 403  # sees it, not the chair
    lid = _als(client, "orthopedagoog")  # a member who may not see this hulpvraag
    assert _post(lid, f"/vergaderingen/{vid}", url, geen_voorzitter).status_code == 404
    assert _punt(hulpvraag.id).uitkomst is None

    voorzitter = _als(client, "beheerder")
    response = _post(voorzitter, f"/vergaderingen/{vid}", url, {"uitkomst": "Gearrangeerd",
                                                                 "arrangement": "Ambulante begeleiding 10 weken"})  # fmt: skip
    assert response.status_code == 302
    punt = _punt(hulpvraag.id)
    assert punt.uitkomst == "Gearrangeerd" and punt.arrangement == "Ambulante begeleiding 10 weken"
    assert punt.vastgelegd_door_id == world.users["beheerder"].id and punt.vastgelegd_op is not None
    assert db.session.get(Hulpvraag, hulpvraag.id).status == "Gearrangeerd"
    assert db.session.scalar(sa.select(AuditEntry.id).where(
        AuditEntry.object_type == "hulpvraag", AuditEntry.object_id == hulpvraag.id,
        AuditEntry.detail.like("%uitkomst Gearrangeerd%")))  # fmt: skip
    mails = db.session.scalars(sa.select(OutgoingMail.subject).where(OutgoingMail.hulpvraag_id == hulpvraag.id)).all()
    assert any("Gearrangeerd" in s for s in mails)
    verslag = scp.get(f"/vergaderingen/{vid}/verslag").text
    assert "Ambulante begeleiding 10 weken" in verslag and "Gearrangeerd" in verslag
    again = _post(voorzitter, f"/vergaderingen/{vid}", url, {"uitkomst": "Afgewezen", "arrangement": "toch niet"})
    assert again.status_code == 302 and "al vastgelegd" in voorzitter.get(again.headers["Location"]).text
    assert _punt(hulpvraag.id).uitkomst == "Gearrangeerd"


def test_bad_input_gets_a_dutch_message_and_changes_nothing(client, world) -> None:  # type: ignore[no-untyped-def]
    hulpvraag = _aangemeld(world)
    scp = _als(client, "scp")
    bad = {"datum": "31-02-2026", "soort": "commissie", "voorzitter": str(world.users["scp"].id)}
    response = _post(scp, "/vergaderingen/nieuw", "/vergaderingen/nieuw", bad)
    assert response.status_code == 422 and "Vul een geldige datum in" in response.text
    extern = {"datum": "2026-12-10", "soort": "commissie", "voorzitter": str(world.users["extern"].id)}
    response = _post(scp, "/vergaderingen/nieuw", "/vergaderingen/nieuw", extern)
    assert response.status_code == 422 and "Kies een voorzitter uit de lijst" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Vergadering.id))) == 0

    vid = _vergadering(scp, world)
    response = _agendeer(scp, vid, hulpvraag, "   ")
    assert response.status_code == 422 and "Vul de reden in" in response.text
    response = _post(scp, f"/vergaderingen/{vid}", f"/vergaderingen/{vid}/agendapunten",
                     {"aanvraagnummer": "2099-999999", "reden": "x"})  # fmt: skip
    assert response.status_code == 422 and "Geen hulpvraag met aanvraagnummer 2099-999999" in response.text
    db.session.expire_all()
    assert db.session.get(Hulpvraag, hulpvraag.id).status == "Aanmelding"

    _agendeer(scp, vid, hulpvraag)
    punt = _punt(hulpvraag.id)
    url = f"/vergaderingen/{vid}/agendapunten/{punt.id}/uitkomst"
    for data, melding in (
        ({"uitkomst": "Gearrangeerd", "arrangement": ""}, "Beschrijf het afgesproken arrangement"),
        ({"uitkomst": "Afgerond", "arrangement": "klaar"}, "Kies een uitkomst uit de lijst"),
    ):
        response = _post(scp, f"/vergaderingen/{vid}", url, data)
        assert melding in scp.get(response.headers["Location"]).text
    assert _punt(hulpvraag.id).uitkomst is None
    assert db.session.get(Hulpvraag, hulpvraag.id).status == "In beraad"
    assert "staat al op een agenda" in _agendeer(scp, vid, hulpvraag).text


def test_a_voorlopige_aanmelding_cannot_go_on_the_agenda(client, world) -> None:  # type: ignore[no-untyped-def]
    """A beheerder sees the school's drafts; putting one on the agenda would show it to SWV staff."""
    concept = new_hulpvraag(world, roepnaam="Sem")
    beheerder = _als(client, "beheerder")
    vid = _vergadering(beheerder, world, voorzitter="beheerder", leden=("scp",))
    response = _agendeer(beheerder, vid, concept)
    assert response.status_code == 422 and "nog niet ingediend bij het samenwerkingsverband" in response.text
    db.session.expire_all()
    assert db.session.get(Hulpvraag, concept.id).status == "Voorlopige aanmelding"
    assert db.session.scalar(sa.select(sa.func.count(Agendapunt.id))) == 0


def test_members_see_only_the_items_whose_hulpvraag_they_may_see(client, world) -> None:  # type: ignore[no-untyped-def]
    school_a, school_b = _aangemeld(world, 0, "Anna"), _aangemeld(world, 2, "Bram")
    beheerder = _als(client, "beheerder")
    vid = _vergadering(beheerder, world, voorzitter="beheerder", leden=("scp", "scp2"))
    _agendeer(beheerder, vid, school_a)
    _agendeer(beheerder, vid, school_b)

    scp = _als(client, "scp")  # coordinates school A only
    agenda = scp.get(f"/vergaderingen/{vid}").text
    assert school_a.aanvraagnummer in agenda and school_b.aanvraagnummer not in agenda and "Bram" not in agenda
    pdf = scp.get(f"/vergaderingen/{vid}/agenda.pdf")
    tekst = pdf_tekst(pdf.data)
    assert school_a.aanvraagnummer in tekst and school_b.aanvraagnummer not in tekst
    punt_b = _punt(school_b.id)
    url = f"/vergaderingen/{vid}/agendapunten/{punt_b.id}/uitkomst"
    assert _post(scp, f"/vergaderingen/{vid}", url, {"uitkomst": "Wacht", "arrangement": "x"}).status_code == 404

    scp2 = _als(client, "scp2")
    assert school_b.aanvraagnummer in scp2.get(f"/vergaderingen/{vid}").text
    assert school_a.aanvraagnummer not in scp2.get(f"/vergaderingen/{vid}/verslag").text

    for outsider in ("psycholoog", "extern", "aanvrager"):  # not a member, or not SWV staff at all
        browser = _als(client, outsider)
        for path in ("", "/verslag", "/agenda.pdf", "/verslag.pdf"):
            assert browser.get(f"/vergaderingen/{vid}{path}").status_code == 404, (outsider, path)
    assert _als(client, "extern").get("/vergaderingen").status_code == 404
    assert str(vid) not in re.findall(r"/vergaderingen/(\d+)", _als(client, "psycholoog").get("/vergaderingen").text)


def test_the_pdf_is_a_pdf_with_the_aanvraagnummer_and_a_name_without_names(client, world) -> None:  # type: ignore[no-untyped-def]
    hulpvraag = _aangemeld(world, roepnaam="Jeroen")
    scp = _als(client, "scp")
    vid = _vergadering(scp, world)
    _agendeer(scp, vid, hulpvraag, "Zorgen over ‘thuiszitten’ – graag bespreken")
    for stuk in ("agenda", "verslag"):
        response = scp.get(f"/vergaderingen/{vid}/{stuk}.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF-")
        assert response.headers["Content-Disposition"] == f'attachment; filename="vergadering-{vid}-{stuk}.pdf"'
        tekst = pdf_tekst(response.data)
        assert hulpvraag.aanvraagnummer in tekst and "thuiszitten" in tekst
    assert db.session.scalar(sa.select(AuditEntry.id).where(
        AuditEntry.actie == "downloaden", AuditEntry.object_id == hulpvraag.id))  # fmt: skip
