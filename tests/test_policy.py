"""S1 and S2: every route has a policy; the access matrix over roles × routes × object states.

The matrix is one table. Add a row when a route is added; each cell is one test case.
Roles: school A staff (aanvrager, directeur), school B staff (aanvrager2), SCP of A (scp),
SCP of B (scp2), functionarissen, beheerder, procesbeheerder, extern, anonymous.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import Dossier, Hulpvraag, HumanTask, db
from tests.conftest import csrf_token, login
from web import policy
from workflow.engine.runtime import complete_task
from workflow.hulpvragen import create_hulpvraag

ROLLEN = ["anoniem", "aanvrager", "directeur", "aanvrager2", "scp", "scp2", "orthopedagoog", "psycholoog",
          "beheerder", "procesbeheerder", "extern"]  # fmt: skip
STATES = ["voorlopig", "aanmelding", "doorgezet", "afgerond"]

# Who sees a hulpvraag of school A in each state (everyone else: the same 404 as nonexistent).
SEES = {
    "voorlopig": {"aanvrager", "directeur", "beheerder"},
    "aanmelding": {"aanvrager", "directeur", "scp", "beheerder"},
    "doorgezet": {"aanvrager", "directeur", "scp", "orthopedagoog", "beheerder"},
    "afgerond": {"aanvrager", "directeur", "scp", "orthopedagoog", "beheerder"},
}
# Who may complete the open task of that state (others who can see it: 403; the rest: 404).
DOES = {"voorlopig": {"aanvrager"}, "aanmelding": {"scp"}, "doorgezet": {"orthopedagoog"}, "afgerond": set()}
VALID_INPUT = {
    "voorlopig": {"ouders_geinformeerd": "ja"},
    "aanmelding": {"besluit": "dossier_compleet", "reden": "Compleet"},
    "doorgezet": {"besluit": "dossier_compleet", "reden": "Compleet"},
}


def _in_state(world, state: str) -> Hulpvraag:  # type: ignore[no-untyped-def]
    school = world.scholen[0]
    dossier = Dossier(swv_id=world.swv.id, school_id=school.id, roepnaam="Matrix", achternaam="Leerling")
    db.session.add(dossier)
    db.session.flush()
    hulpvraag = create_hulpvraag(dossier, world.users["aanvrager"], titel="TLV -Nieuw", omschrijving="matrix")
    steps = {"aanmelding": 1, "doorgezet": 2, "afgerond": 3}.get(state, 0)
    inputs = [("aanvrager", VALID_INPUT["voorlopig"]),
              ("scp", {"besluit": "doorzetten", "functie": "orthopedagoog", "reden": "Advies"}),
              ("orthopedagoog", {"besluit": "afgewezen", "reden": "Niet nodig"})]  # fmt: skip
    for username, data in inputs[:steps]:
        complete_task(_open_task(hulpvraag).id, world.users[username], data)
    db.session.commit()
    return hulpvraag


def _open_task(hulpvraag: Hulpvraag) -> HumanTask:
    task = db.session.scalars(
        sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, completed_at=None).order_by(HumanTask.id.desc())
    ).first()
    if task is None:  # finished: the last task, now completed
        task = db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id).order_by(HumanTask.id.desc())).first()
    assert task is not None
    return task


def _as(client, rol: str) -> None:  # type: ignore[no-untyped-def]
    if rol != "anoniem":
        login(client, rol)


# --- S1 -------------------------------------------------------------------------------------
def test_every_route_has_a_policy(app):
    missing = [rule.endpoint for rule in app.url_map.iter_rules() if policy.rule_for(app, rule.endpoint) is None]
    assert missing == [], f"routes without a policy declaration: {missing}"


def test_a_route_without_policy_is_refused(app, client, world):
    app.add_url_rule("/zonder-policy", "zonder_policy", lambda: "geheim")
    login(client, "beheerder")
    response = client.get("/zonder-policy")
    assert response.status_code == 403 and "geheim" not in response.text


# --- S2 -------------------------------------------------------------------------------------
def _expected_view(rol: str, state: str) -> int:
    if rol == "anoniem":
        return 302
    return 200 if rol in SEES[state] else 404


def _expected_complete(rol: str, state: str) -> int:
    if rol == "anoniem":
        return 302
    if rol in DOES[state]:
        return 302
    if state == "afgerond" and rol in SEES[state]:
        return 409  # already done
    return 403 if rol in SEES[state] else 404


CELLS = [(rol, state) for state in STATES for rol in ROLLEN]


@pytest.mark.parametrize(("rol", "state"), CELLS)
def test_access_matrix(app, client, world, rol, state):
    hulpvraag = _in_state(world, state)
    task = _open_task(hulpvraag)
    _as(client, rol)
    view = _expected_view(rol, state)
    assert client.get(f"/hulpvragen/{hulpvraag.id}").status_code == view
    assert client.get(f"/hulpvragen/{hulpvraag.id + 1000}").status_code == (302 if rol == "anoniem" else 404)
    assert client.get(f"/taken/{task.id}").status_code == view
    listed = client.get(f"/hulpvragen?q={hulpvraag.aanvraagnummer}")
    if rol != "anoniem":
        assert (f'href="/hulpvragen/{hulpvraag.id}"' in listed.text) is (view == 200)
        inbox = client.get("/taken").text
        assert (f"/taken/{task.id}\"" in inbox) is (rol in DOES[state])
    token = csrf_token(client.get("/login").text) if rol == "anoniem" else csrf_token(client.get("/taken").text)
    done = client.post(f"/taken/{task.id}", data={**VALID_INPUT.get(state, {}), "csrf_token": token})
    assert done.status_code == _expected_complete(rol, state)
    db.session.expire_all()
    changed = db.session.get(HumanTask, task.id).completed_at is not None
    assert changed is (state == "afgerond" or rol in DOES[state])


ROUTES = [  # path, roles that get 200 (logged-in others: 404, anonymous: 302)
    ("/hulpvragen/nieuw", {"aanvrager", "aanvrager2", "directeur"}),
    ("/beheer/gebruikers", {"beheerder"}),
    ("/beheer", {"beheerder", "scp", "scp2"}),
    ("/beheer/personeelswissel", {"beheerder", "scp", "scp2"}),
    ("/beheer/audit", {"beheerder"}),
    ("/beheer/retentie", {"beheerder"}),
    ("/beheer/aanpakken", {"beheerder"}),
    ("/hulpvragen", set(ROLLEN) - {"anoniem"}),
    ("/taken", set(ROLLEN) - {"anoniem"}),
    ("/account/wachtwoord", set(ROLLEN) - {"anoniem"}),
]


@pytest.mark.parametrize("rol", ROLLEN)
def test_role_routes(client, world, rol):
    _as(client, rol)
    for path, allowed in ROUTES:
        expected = 302 if rol == "anoniem" else (200 if rol in allowed else 404)
        assert client.get(path).status_code == expected, path


# --- S2/S4: the overlegronde routes -----------------------------------------------------------
# A round on a hulpvraag "Informatieuitwisseling overig" of school A in Voorlopige aanmelding, with
# the extern as deelnemer; "extern_na" is the same extern one second after the deadline, in the
# session opened before it. Who sees the round: the school's own staff, beheerders, the deelnemer
# until the deadline. SWV staff never, also once the hulpvraag is an aanmelding.
OVERLEG_ROLLEN = [*ROLLEN, "extern_na"]
OVERLEG_SEES = {
    "voorlopig": {"aanvrager", "directeur", "beheerder", "extern"},
    "aanmelding": {"aanvrager", "directeur", "beheerder"},  # the deelnemer's access ends too
}
OVERLEG_REACTS = {"voorlopig": {"aanvrager", "directeur", "extern"}, "aanmelding": {"aanvrager", "directeur"}}
OVERLEG_EXTENDS = {"aanvrager", "directeur"}


def _ronde_in_state(world, state: str):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from models import utcnow
    from workflow.engine.runtime import set_status
    from workflow.overlegronde import NieuweDeelnemer, start_overlegronde

    school = world.scholen[0]
    dossier = Dossier(swv_id=world.swv.id, school_id=school.id, roepnaam="Matrix", achternaam="Leerling")
    db.session.add(dossier)
    db.session.flush()
    hulpvraag = create_hulpvraag(dossier, world.users["aanvrager"], titel="Informatieuitwisseling overig")
    extern = NieuweDeelnemer("", world.users["extern"].email)  # by exact address: not in this school's picker
    ronde, _ = start_overlegronde(hulpvraag, world.users["aanvrager"], "Matrix", "", utcnow() + timedelta(hours=1),
                                  [], [extern])  # fmt: skip
    if state == "aanmelding":
        set_status(hulpvraag, "Aanmelding", "ingediend", world.users["aanvrager"])
    db.session.commit()
    return hulpvraag, ronde


def _overleg_expected(rol: str, allowed: set[str], ok: int) -> int:
    if rol == "anoniem":
        return 302
    return ok if rol in allowed else 404


@pytest.mark.parametrize(("rol", "state"), [(r, s) for s in OVERLEG_SEES for r in OVERLEG_ROLLEN])
def test_overlegronde_matrix(app, client, world, monkeypatch, rol, state):
    from datetime import timedelta

    import workflow.access as access
    from models.overlegronde import Reactie
    from web.ui import AMSTERDAM

    hulpvraag, ronde = _ronde_in_state(world, state)
    _as(client, "extern" if rol == "extern_na" else rol)
    token = csrf_token(client.get("/login").text) if rol == "anoniem" else csrf_token(client.get("/taken").text)
    if rol == "extern_na":
        monkeypatch.setattr(access, "nu", lambda: ronde.deadline + timedelta(seconds=1))
    page = f"/overlegrondes/{ronde.id}"

    assert client.get(page).status_code == _overleg_expected(rol, OVERLEG_SEES[state], 200)
    assert client.get(f"/overlegrondes/{ronde.id + 1000}").status_code == (302 if rol == "anoniem" else 404)
    assert client.get("/overlegrondes").status_code == (302 if rol == "anoniem" else 200)
    new_page = client.get(f"/hulpvragen/{hulpvraag.id}/overlegronde/nieuw").status_code
    starts = {"voorlopig": {"aanvrager", "directeur"}, "aanmelding": set()}[state]
    school_but_not_now = {"aanvrager", "directeur"} - starts
    assert new_page == (302 if rol == "anoniem" or rol in school_but_not_now else 200 if rol in starts else 404)

    reacted = client.post(f"{page}/reacties", data={"tekst": "Matrix", "csrf_token": token})
    sees_only = 403 if rol in OVERLEG_SEES[state] - OVERLEG_REACTS[state] else None  # the beheerder reads only
    assert reacted.status_code == (sees_only or _overleg_expected(rol, OVERLEG_REACTS[state], 302))
    assert (db.session.scalar(sa.select(sa.func.count(Reactie.id))) == 1) is (rol in OVERLEG_REACTS[state])

    later = (ronde.deadline + timedelta(days=1)).astimezone(AMSTERDAM)
    extended = client.post(f"{page}/deadline", data={"deadline": later.strftime("%Y-%m-%dT%H:%M"), "csrf_token": token})
    assert extended.status_code == _overleg_expected(rol, OVERLEG_EXTENDS, 302)


# --- issue 17 item 5: a block on a page shows only what that page is about ----------------------
@pytest.mark.parametrize("rol", [r for r in ROLLEN if r != "anoniem"])
def test_wijzigingen_block_shows_nothing_of_another_hulpvraag_of_the_dossier(app, client, world, rol):
    """A removed bijlage of a Voorlopige aanmelding never shows on the page of its dossier's other hulpvraag."""
    import io

    from tests.test_dossiers import PDF
    from workflow.bijlagen import verwijder, voeg_toe

    zichtbaar = _in_state(world, "aanmelding")
    aanvrager = world.users["aanvrager"]
    voorlopig = create_hulpvraag(zichtbaar.dossier, aanvrager, titel="KANS", omschrijving="matrix voorlopig")
    geheim = voeg_toe(voorlopig, io.BytesIO(PDF), "GeheimVoorlopig.pdf", aanvrager)
    voeg_toe(zichtbaar, io.BytesIO(PDF), "EigenStuk.pdf", aanvrager)
    db.session.flush()
    verwijder(geheim, aanvrager)
    db.session.commit()
    login(client, rol)
    page = client.get(f"/hulpvragen/{zichtbaar.id}")
    assert page.status_code == _expected_view(rol, "aanmelding")
    if page.status_code == 200:
        assert "<h2>Wijzigingen</h2>" not in page.text  # its own bijlage was only added: nothing changed
        assert "GeheimVoorlopig" not in page.text
