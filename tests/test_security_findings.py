"""Issue 17: the findings of an attack on the running app, each with the test that would have caught it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import AuditEntry, HumanTask, PasswordReset, User, db, utcnow
from tests.conftest import PASSWORD, csrf_token, login, new_hulpvraag, submit_form
from web.ui import safe_path

# --- 1. open redirect -----------------------------------------------------------------------
# Every way a browser turns a "path" into another host: tab/CR/LF are stripped anywhere (WHATWG),
# a backslash is a slash, leading spaces and C0 controls are dropped, and a scheme is a scheme.
OFFSITE = [
    "//attacker.example/x", "/\t/attacker.example/x", "/\n/attacker.example/x", "/\r/attacker.example/x",
    "\t//attacker.example", "/\\attacker.example", "\\\\attacker.example", "\\/attacker.example",
    "/\\/attacker.example", " /attacker.example", " //attacker.example", "\x00//attacker.example",
    "/\x0b/attacker.example", "/\x1f/attacker.example", "/\u3000/attacker.example", "/\u200b/attacker.example",
    "https:attacker.example", "https://attacker.example", "javascript:alert(1)", "http:/attacker.example",
    "attacker.example", "", "///attacker.example", "/%09/attacker.example", "/%0a/attacker.example",
    "/%5cattacker.example", "%2f%2fattacker.example",
]  # fmt: skip


def _decoded(target: str) -> str:
    """As it arrives in request.args / request.form: percent-decoded once."""
    from urllib.parse import unquote

    return unquote(target)


@pytest.mark.parametrize("target", OFFSITE)
def test_safe_path_refuses_every_offsite_form(target):
    assert safe_path(_decoded(target), "/taken") == "/taken"


@pytest.mark.parametrize("target", ["/hulpvragen", "/hulpvragen?status=Aanmelding&q=a%20b", "/taken/5#x",
                                    "/%2F%2Fattacker.example", "/hulpvragen/3/bijlagen"])
def test_safe_path_keeps_paths_on_this_site(target):
    assert safe_path(target, "/taken") == target


def _location_is_on_site(response) -> None:  # type: ignore[no-untyped-def]
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//"), location
    assert "\\" not in location and "attacker" not in location, location


@pytest.mark.parametrize("target", [t for t in OFFSITE if t.startswith(("/", "\\", " ", "\t"))][:14])
def test_login_next_never_leaves_the_site(client, world, target):
    from urllib.parse import quote

    user = world.users["scp"]
    user.demo = True
    db.session.commit()
    client.application.config["DEMO_MODE"] = True  # password step only: the redirect is the point
    page = client.get("/login")
    response = client.post(f"/login?next={quote(target, safe='')}",
                           data={"username": "scp", "password": PASSWORD, "csrf_token": csrf_token(page.text)})  # fmt: skip
    assert response.status_code == 302
    _location_is_on_site(response)
    assert response.headers["Location"] == "/taken"


def test_login_next_to_a_page_here_still_works(client, world):
    world.users["scp"].demo = True
    db.session.commit()
    client.application.config["DEMO_MODE"] = True
    page = client.get("/login")
    response = client.post("/login?next=/hulpvragen%3Fstatus%3DAanmelding",
                           data={"username": "scp", "password": PASSWORD, "csrf_token": csrf_token(page.text)})  # fmt: skip
    assert response.headers["Location"] == "/hulpvragen?status=Aanmelding"


def _indienen(world) -> HumanTask:  # type: ignore[no-untyped-def]
    hulpvraag = new_hulpvraag(world)
    return db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, completed_at=None)).one()


@pytest.mark.parametrize("target", ["/\t/attacker.example/x", "/\\attacker.example", "//attacker.example",
                                    "\\\\attacker.example", " /x", "https:attacker.example", "/\n/attacker.example"])
def test_claim_and_vrijgeven_terug_never_leaves_the_site(client, world, target):
    task = _indienen(world)
    login(client, "aanvrager")
    for action in ("claim", "vrijgeven"):
        response = submit_form(client, f"/taken/{task.id}", {"terug": target}, action=f"/taken/{task.id}/{action}")
        assert response.status_code == 302
        _location_is_on_site(response)
        assert response.headers["Location"] == f"/taken/{task.id}"


# --- 8. vrijgeven by someone who may not do the task --------------------------------------------
def test_vrijgeven_by_someone_who_may_not_do_the_task_is_refused(client, world):
    task = _indienen(world)  # a school task: the SCP may see the hulpvraag only later, the other school never
    task.claimed_by_id = world.users["aanvrager"].id
    db.session.commit()
    login(client, "directeur")  # same school, sees the hulpvraag, but the task is the aanvrager's lane
    token = csrf_token(client.get(f"/hulpvragen/{task.hulpvraag_id}").text)
    before = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    response = client.post(f"/taken/{task.id}/vrijgeven", data={"csrf_token": token})
    assert response.status_code in (403, 404)
    assert "vrijgegeven" not in response.text
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).claimed_by_id == world.users["aanvrager"].id
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == before
    follow = client.get("/taken")
    assert "De taak is vrijgegeven" not in follow.text
