"""Schoolbudget and budget inclusief onderwijs through the real pages, the budget lookups, and
the beheer pages for budgets (domain.md §2, §5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models import (
    Bijlage,
    Budget,
    Dossier,
    Hulpvraag,
    HumanTask,
    OutgoingMail,
    ProcessInstance,
    Samenwerkingsverband,
    Toekenning,
    User,
    db,
)
from models.user import Rol
from tests.conftest import PASSWORD, submit_form
from workflow import budget as budget_lookups
from workflow.engine.runtime import complete_task
from workflow.functies import functie_met_naam
from workflow.hulpvragen import create_hulpvraag
from workflow.tlv import heeft_bijlage

SCHOOLBUDGET = "Schoolbudget individueel/groep/wijk"
AANVRAAG = {
    "bestuur": "Stichting BOOR", "aangevraagd_bedrag": "7.000,00", "schooljaar": "2026-2027",
    "gebruik": "Van januari tot juli 2027.", "berekening": "40 uur maal € 150, plus € 1.000 materiaal.",
}  # fmt: skip


def _user(world, username: str, naam: str, rollen: set[str], functie: str | None = None, scholen=()) -> User:
    import pyotp

    user = User(swv_id=world.swv.id, username=username, email=f"{username}@demo.kansrijk.nl", naam=naam)
    user.functies = [functie_met_naam(functie)] if functie else []
    user.set_rollen(rollen)
    user.set_password(PASSWORD)
    user.totp_secret = pyotp.random_base32()
    user.scholen = list(scholen)
    db.session.add(user)
    db.session.commit()
    return user


def _hulpvraag(world, titel: str = SCHOOLBUDGET, niveau: str = "leerling", school_index: int = 0) -> Hulpvraag:
    school = world.scholen[school_index]
    dossier = Dossier(swv_id=world.swv.id, school_id=school.id, niveau=niveau,
                      **({"roepnaam": "Jan", "achternaam": "Boven", "geboortedatum": date(2016, 3, 14)} if niveau == "leerling" else {}))  # fmt: skip
    db.session.add(dossier)
    db.session.flush()
    hulpvraag = create_hulpvraag(dossier, world.users["aanvrager"], titel=titel, omschrijving="Extra ondersteuning.")
    complete_task(_open(hulpvraag, "indienen").id, world.users["aanvrager"], {"ouders_geinformeerd": "ja"})
    db.session.commit()
    return hulpvraag


def _open(hulpvraag: Hulpvraag, bpmn_id: str) -> HumanTask:
    return db.session.scalars(
        sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, bpmn_id=bpmn_id, completed_at=None)
    ).one()


def _opp(hulpvraag: Hulpvraag, naam: str = "OPPondertekening.pdf") -> None:
    db.session.add(Bijlage(hulpvraag_id=hulpvraag.id, naam=naam, soort="OPP", content_type="application/pdf", grootte=10,
                           sha256="0" * 64, opslag_sleutel=f"test-{hulpvraag.id}-{naam}"))  # fmt: skip
    db.session.commit()


def _budget(world, bedrag: str, *, regeling="schoolbudget", soort="bestuur", owner_id=None, jaar="2026-2027") -> Budget:
    owner_id = owner_id or world.scholen[0].bestuur_id
    budget = Budget(swv_id=world.swv.id, regeling=regeling, soort=soort, schooljaar=jaar, bedrag=Decimal(bedrag),
                    **{f"{soort}_id": owner_id})  # fmt: skip
    db.session.add(budget)
    db.session.commit()
    return budget


def _do(client, task: HumanTask, data: dict[str, str], **kw):  # type: ignore[no-untyped-def]
    return submit_form(client, f"/taken/{task.id}", data, **kw)


def _taakmails(email: str) -> list[OutgoingMail]:
    return list(db.session.scalars(sa.select(OutgoingMail).filter_by(to=email, soort="nieuwe_taak")))


def _status(hulpvraag: Hulpvraag) -> str:
    db.session.refresh(hulpvraag)
    return hulpvraag.status


# --- the journey ------------------------------------------------------------------------------
def test_dossier_compleet_on_a_schoolbudget_hulpvraag_starts_the_schoolbudget_aanpak(client, world, auth):
    hulpvraag = _hulpvraag(world)
    auth.login("scp")
    _do(client, _open(hulpvraag, "beoordelen"), {"besluit": "dossier_compleet", "reden": "Alles aanwezig."})

    assert _status(hulpvraag) == "Dossier compleet"
    keys = db.session.scalars(sa.select(ProcessInstance.process_key).filter_by(hulpvraag_id=hulpvraag.id)).all()
    assert sorted(keys) == ["hulpvraag", "schoolbudget"]
    assert "Formulier koppelen en directeur machtigen" in client.get("/taken").text


def test_leerling_budget_from_koppelen_to_afgerond(client, world, auth):
    directeur = world.users["directeur"]
    collega = _user(world, "directeur2", "Dana Directeur", {Rol.DIRECTEUR}, scholen=[world.scholen[0]])
    vreemde = _user(world, "directeur3", "Victor Vreemd", {Rol.DIRECTEUR}, scholen=[world.scholen[2]])
    budget = _budget(world, "10000")
    db.session.add(
        Toekenning(
            budget_id=budget.id, aanvraagnummer="EERDER-1", bedrag=Decimal("4000"), besluitdatum=date(2026, 10, 1)
        )
    )
    db.session.commit()
    hulpvraag = _hulpvraag(world)
    auth.login("scp")
    _do(client, _open(hulpvraag, "beoordelen"), {"besluit": "dossier_compleet", "reden": "Alles aanwezig."})

    # Without the OPP the SCP cannot link the leerling form; a directeur of another school is refused.
    koppelen = _open(hulpvraag, "koppelen")
    refused = _do(client, koppelen, {"variant": "leerling", "directeur": str(directeur.id)})
    assert refused.status_code == 422 and "minimaal het OPP" in refused.text
    _opp(hulpvraag)
    refused = _do(client, koppelen, {"variant": "leerling", "directeur": str(vreemde.id)})
    assert refused.status_code == 422 and "Kies een directeur van de school van deze hulpvraag." in refused.text
    assert _do(client, koppelen, {"variant": "leerling", "directeur": str(directeur.id)}).status_code == 302
    assert _status(hulpvraag) == "In behandeling"
    auth.logout()

    # Only the authorised directeur gets the form; a colleague at the same school only sees the task.
    invullen = _open(hulpvraag, "invullen")
    assert invullen.assigned_user_id == directeur.id
    auth.login("directeur2")
    assert "Aanvraag schoolbudget invullen" not in client.get("/taken").text
    page = client.get(f"/taken/{invullen.id}").text
    assert "U kunt deze taak bekijken maar niet uitvoeren." in page and 'name="bestuur"' not in page
    assert _do(client, invullen, {**AANVRAAG, "informeer_scp": str(world.users["scp"].id)}).status_code == 403
    auth.logout()
    auth.login("directeur")
    assert "Aanvraag schoolbudget invullen" in client.get("/taken").text
    assert 'name="bestuur"' in client.get(f"/taken/{invullen.id}").text
    # The chosen SCP must coordinate this school (scp2 does not), or nobody could give the advies.
    refused = _do(client, invullen, {**AANVRAAG, "informeer_scp": str(world.users["scp2"].id)})
    assert refused.status_code == 422 and "Kies de schoolcontactpersoon van deze school." in refused.text
    assert _do(client, invullen, {**AANVRAAG, "informeer_scp": str(world.users["scp"].id)}).status_code == 302
    assert _status(hulpvraag) == "Doorzetten SCP"
    auth.logout()

    auth.login("scp")
    advies = _open(hulpvraag, "advies")
    assert advies.assigned_user_id == world.users["scp"].id
    _do(client, advies, {"advies": "positief", "advies_toelichting": "Past bij het OPP."})
    assert _status(hulpvraag) == "Doorzetten regiomanager"
    auth.logout()

    auth.login("regiomanager")
    besluiten = _open(hulpvraag, "besluiten")
    page = client.get(f"/taken/{besluiten.id}").text
    assert "resterend € 6.000,00" in page and "aangevraagd € 7.000,00" in page  # shown where the decision is made
    refused = _do(
        client, besluiten, {"besluit": "toekennen", "toegekend_bedrag": "7000", "motivering": "Conform advies."}
    )
    assert refused.status_code == 422
    assert "Het toegekende bedrag is hoger dan het resterende budget (€ 6.000,00)." in refused.text
    assert db.session.scalar(sa.select(sa.func.count(Toekenning.id))) == 1  # nothing recorded
    _do(client, besluiten, {"besluit": "toekennen", "toegekend_bedrag": "6.000,00", "motivering": "Wat er resteert."})
    assert _status(hulpvraag) == "Doorzetten financiën"
    award = db.session.scalars(sa.select(Toekenning).filter_by(hulpvraag_id=hulpvraag.id)).one()
    assert award.bedrag == Decimal("6000.00") and award.budget_id == budget.id
    assert budget_lookups.resterend_budget("schoolbudget", hulpvraag.id, "leerling", "2026-2027") == Decimal("0.00")
    auth.logout()

    auth.login("financien")
    _do(client, _open(hulpvraag, "financien"), {"financiele_controle": "akkoord"})
    assert _status(hulpvraag) == "Afgerond"
    assert "Toegekend: € 6.000,00." in hulpvraag.statuswijzigingen[-1].reden
    assert collega.id != directeur.id


def test_niet_ontvankelijk_financien_frees_the_award_again(client, world, auth):
    school = world.scholen[0]
    _budget(world, "50000", soort="wijk", owner_id=school.wijk_id)
    hulpvraag = _hulpvraag(world, niveau="school")
    scp, regio = world.users["scp"], world.users["regiomanager"]
    complete_task(_open(hulpvraag, "beoordelen").id, scp, {"besluit": "dossier_compleet", "reden": "Compleet."})
    complete_task(
        _open(hulpvraag, "koppelen").id, scp, {"variant": "wijk", "directeur": str(world.users["directeur"].id)}
    )
    wijk = {**AANVRAAG, "wijk": "Noord", "penvoerder": "OBS De Regenboog", "informeer_scp": str(scp.id)}
    from workflow.engine.runtime import FormInvalid

    with pytest.raises(FormInvalid) as refused:
        complete_task(
            _open(hulpvraag, "invullen_wijk").id, world.users["directeur"], {**wijk, "penvoerder_brin": "00YY0"}
        )
    assert set(refused.value.errors) == {"penvoerder_brin"}
    complete_task(_open(hulpvraag, "invullen_wijk").id, world.users["directeur"], {**wijk, "penvoerder_brin": "00YY00"})
    complete_task(_open(hulpvraag, "advies").id, scp, {"advies": "positief", "advies_toelichting": "Goed plan."})
    complete_task(_open(hulpvraag, "besluiten").id, regio,
                  {"besluit": "toekennen", "toegekend_bedrag": "45000", "motivering": "Akkoord."})  # fmt: skip
    db.session.commit()
    assert budget_lookups.resterend_budget("schoolbudget", hulpvraag.id, "wijk", "2026-2027") == Decimal("5000.00")

    financien = db.session.scalar(sa.select(User).filter_by(username="financien"))
    complete_task(_open(hulpvraag, "financien").id, financien,
                  {"financiele_controle": "niet_conform", "financien_toelichting": "Buiten het mandaat."})  # fmt: skip
    db.session.commit()
    assert _status(hulpvraag) == "Niet ontvankelijk financiën"
    assert budget_lookups.resterend_budget("schoolbudget", hulpvraag.id, "wijk", "2026-2027") == Decimal("50000.00")


def test_budget_inclusief_takes_the_fixed_amount(world):
    school = world.scholen[0]
    _budget(world, "20000", regeling="budget_inclusief", soort="school", owner_id=school.id)
    hulpvraag = _hulpvraag(world, titel="Budget inclusief onderwijs", niveau="school")
    scp, directeur = world.users["scp"], world.users["directeur"]
    complete_task(_open(hulpvraag, "beoordelen").id, scp, {"besluit": "dossier_compleet", "reden": "Compleet."})
    assert _open(hulpvraag, "koppelen").instance.process_key == "budget_inclusief"
    complete_task(_open(hulpvraag, "koppelen").id, scp, {"directeur": str(directeur.id)})
    gemachtigd = _taakmails(directeur.email)  # the authorised directeur hears it by mail
    assert len(gemachtigd) == 1 and "persoonlijk toegewezen" in gemachtigd[0].body
    aanvraag = {"bestuur": "Stichting BOOR", "gebruik": "Dit schooljaar.", "inzet": "Inclusieve groep.",
                "informeer_scp": str(scp.id)}  # fmt: skip
    from workflow.engine.runtime import FormInvalid

    with pytest.raises(FormInvalid) as refused:  # no amount fixed for that year
        complete_task(_open(hulpvraag, "invullen").id, directeur, {**aanvraag, "schooljaar": "2027-2028"})
    assert "geen budget inclusief onderwijs vastgesteld" in refused.value.errors["schooljaar"]
    complete_task(_open(hulpvraag, "invullen").id, directeur, {**aanvraag, "schooljaar": "2026-2027"})
    assert [m.subject for m in _taakmails(scp.email) if "advies" in m.subject.lower()]  # "informeer SCP" mails the SCP
    complete_task(_open(hulpvraag, "advies").id, scp, {"advies": "positief", "advies_toelichting": "Akkoord."})
    besluiten = _open(hulpvraag, "besluiten")
    assert "vooraf vastgesteld: € 20.000,00" in besluiten.instructie
    complete_task(besluiten.id, world.users["regiomanager"], {"besluit": "toekennen", "motivering": "Akkoord."})
    db.session.commit()
    assert db.session.scalars(sa.select(Toekenning.bedrag).filter_by(hulpvraag_id=hulpvraag.id)).one() == Decimal(
        "20000.00"
    )
    assert _status(hulpvraag) == "Doorzetten financiën"


# --- the lookups ------------------------------------------------------------------------------
def test_a_school_budget_goes_before_the_bestuur_budget_and_awards_never_exceed_it(world):
    hulpvraag = _hulpvraag(world)
    _budget(world, "10000")
    assert budget_lookups.resterend_budget("schoolbudget", hulpvraag.id, "school", "2026-2027") == Decimal("10000.00")
    _budget(world, "3000", soort="school", owner_id=world.scholen[0].id)
    assert budget_lookups.resterend_budget("schoolbudget", hulpvraag.id, "school", "2026-2027") == Decimal("3000.00")
    assert budget_lookups.resterend_budget("schoolbudget", hulpvraag.id, "school", "2027-2028") == Decimal("0.00")
    with pytest.raises(ValueError, match="€ 3.000,00"):
        budget_lookups.budget_toekennen("schoolbudget", hulpvraag.id, "school", "2026-2027", Decimal("3000.01"))
    award = budget_lookups.budget_toekennen("schoolbudget", hulpvraag.id, "school", "2026-2027", Decimal("3000"))
    assert award["bedrag"] == "€ 3.000,00"
    assert budget_lookups.budget_stand("schoolbudget", hulpvraag.id, "school", "2026-2027")["rest"] == "€ 0,00"


def test_the_opp_lookup_ignores_removed_bijlagen_and_case(world):
    from models import utcnow

    hulpvraag = _hulpvraag(world)
    assert not heeft_bijlage(hulpvraag.id, "OPP")
    _opp(hulpvraag, "opp-2026.pdf")
    assert heeft_bijlage(hulpvraag.id, "OPP")
    db.session.execute(sa.update(Bijlage).values(verwijderd_at=utcnow()))
    assert not heeft_bijlage(hulpvraag.id, "OPP")


# --- beheer -----------------------------------------------------------------------------------
def _nieuw(client, **data: str):  # type: ignore[no-untyped-def]
    return submit_form(client, "/beheer/budgetten", data)


def test_beheerder_maintains_budgets_with_dutch_validation(client, world, auth):
    auth.login("beheerder")
    bestuur_id = str(world.scholen[0].bestuur_id)
    refused = _nieuw(client, regeling="schoolbudget", soort="bestuur", eigenaar_bestuur=bestuur_id,
                     schooljaar="2026-2028", bedrag="veel")  # fmt: skip
    assert refused.status_code == 422
    assert "Vul een schooljaar in als 2026-2027" in refused.text and "Vul een bedrag in" in refused.text
    assert (
        _nieuw(client, regeling="schoolbudget", soort="school", schooljaar="2026-2027", bedrag="1").status_code == 422
    )
    ok = _nieuw(client, regeling="schoolbudget", soort="bestuur", eigenaar_bestuur=bestuur_id,
                schooljaar="2026-2027", bedrag="50.000,00")  # fmt: skip
    assert ok.status_code == 302
    twice = _nieuw(client, regeling="schoolbudget", soort="bestuur", eigenaar_bestuur=bestuur_id,
                   schooljaar="2026-2027", bedrag="1000")  # fmt: skip
    assert twice.status_code == 422 and "bestaat al een budget" in twice.text

    budget = db.session.scalars(sa.select(Budget)).one()
    db.session.add(
        Toekenning(budget_id=budget.id, aanvraagnummer="A-1", bedrag=Decimal("12500"), besluitdatum=date(2026, 11, 1))
    )
    db.session.commit()
    lijst = client.get("/beheer/budgetten?schooljaar=2026-2027").text
    assert "€ 50.000,00" in lijst and "€ 12.500,00" in lijst and "€ 37.500,00" in lijst
    edit = {"regeling": "schoolbudget", "soort": "bestuur", "eigenaar_bestuur": bestuur_id, "schooljaar": "2026-2027"}
    lower = submit_form(client, f"/beheer/budgetten/{budget.id}", {**edit, "bedrag": "10000"})
    assert lower.status_code == 422 and "Er is al € 12.500,00 toegekend" in lower.text
    assert submit_form(client, f"/beheer/budgetten/{budget.id}", {**edit, "bedrag": "60000"}).status_code == 302
    db.session.refresh(budget)
    assert budget.bedrag == Decimal("60000.00")


def test_budget_pages_are_for_beheerders_of_their_own_swv(client, world, auth):
    other = Samenwerkingsverband(code="VO2801", naam="Ander SWV")
    db.session.add(other)
    db.session.flush()
    from models import Bestuur

    bestuur = Bestuur(swv_id=other.id, naam="Ander bestuur")
    db.session.add(bestuur)
    db.session.flush()
    foreign = Budget(swv_id=other.id, regeling="schoolbudget", soort="bestuur", bestuur_id=bestuur.id,
                     schooljaar="2026-2027", bedrag=Decimal("1"))  # fmt: skip
    db.session.add(foreign)
    db.session.commit()
    for username in ("scp", "regiomanager", "directeur"):
        auth.login(username)
        assert client.get("/beheer/budgetten").status_code == 404
        auth.logout()
    auth.login("beheerder")
    assert client.get(f"/beheer/budgetten/{foreign.id}").status_code == 404
    assert "Ander bestuur" not in client.get("/beheer/budgetten").text
    refused = _nieuw(client, regeling="schoolbudget", soort="bestuur", eigenaar_bestuur=str(bestuur.id),
                     schooljaar="2027-2028", bedrag="1")  # fmt: skip
    assert refused.status_code == 422 and "Kies een bestuur uit de lijst." in refused.text
