"""Help (issue 14 item 7): a help link on every page, to a Dutch help page per role that names
what the reader can do and links to where it is."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from models.user import Rol
from tests.browser import assert_accessible, live_server, login, page  # noqa: F401 - fixtures
from web.help import VOLGORDE, sectie

HELP_LINK = re.compile(r'<a class="help-link" href="([^"]+)">Help</a>')
ACCOUNTS = {  # demo username per role
    Rol.AANVRAGER: "aanvrager", Rol.DIRECTEUR: "directeur", Rol.SCP: "scp", Rol.FUNCTIONARIS: "orthopedagoog",
    Rol.BEHEERDER: "beheerder", Rol.PROCESBEHEERDER: "procesbeheerder", Rol.EXTERN: "extern",
}  # fmt: skip


def _help_link(html: str) -> str:
    found = HELP_LINK.search(html)
    assert found, "no help link on the page"
    return found.group(1).replace("&amp;", "&")


def test_logged_out_pages_link_to_the_login_help(client: FlaskClient) -> None:
    for url in ("/login", "/wachtwoord-vergeten"):
        link = _help_link(client.get(url).get_data(as_text=True))
        assert link == "/help#inloggen"
    tekst = client.get("/help").get_data(as_text=True)
    assert 'id="inloggen"' in tekst and "authenticator-app" in tekst and "herstelcodes" in tekst


@pytest.mark.parametrize("rol", list(ACCOUNTS))
def test_every_role_gets_its_own_help_page_from_the_top_bar(client: FlaskClient, world, auth, rol: Rol) -> None:  # type: ignore[no-untyped-def]
    auth.login(ACCOUNTS[rol])
    link = _help_link(client.get("/taken").get_data(as_text=True))
    assert link.startswith(f"/help/{rol.value}")
    antwoord = client.get(link.split("#")[0])
    assert antwoord.status_code == 200
    html = antwoord.get_data(as_text=True)
    assert "<h1>Help voor " in html and "Wat u hier doet" in html
    assert 'id="account"' in html  # every role can read how to manage the account


def test_the_link_points_at_the_section_about_this_page(client: FlaskClient, world, auth) -> None:  # type: ignore[no-untyped-def]
    auth.login("scp")
    assert _help_link(client.get("/taken").get_data(as_text=True)) == "/help/scp#taken"
    assert _help_link(client.get("/hulpvragen").get_data(as_text=True)) == "/help/scp#hulpvragen"
    auth.logout()
    auth.login("beheerder")
    assert _help_link(client.get("/beheer/gebruikers").get_data(as_text=True)) == "/help/beheerder#gebruikers"
    assert _help_link(client.get("/beheer/mail").get_data(as_text=True)) == "/help/beheerder#beheer"


def test_every_section_a_page_links_to_exists_on_that_roles_help_page(app: Flask, client: FlaskClient) -> None:
    """For every route and every role that may use it, the help link lands on a section of the page."""
    from web.policy import rule_for

    pages = {rol: client.get(f"/help/{rol.value}").get_data(as_text=True) for rol in VOLGORDE}
    missing = []
    for rule in app.url_map.iter_rules():
        policy = rule_for(app, rule.endpoint)
        if "GET" not in (rule.methods or ()) or policy is None or not policy.rollen:
            continue
        anchor = sectie(rule.endpoint)
        for rol in VOLGORDE:
            if rol in policy.rollen and anchor and f'id="{anchor}"' not in pages[rol]:
                missing.append(f"{rule.endpoint} → /help/{rol.value}#{anchor}")
    assert missing == [], "\n".join(missing)


def test_links_on_the_help_pages_lead_somewhere_for_that_role(client: FlaskClient, world, auth) -> None:  # type: ignore[no-untyped-def]
    for rol, username in ACCOUNTS.items():
        auth.login(username)
        html = client.get(f"/help/{rol.value}").get_data(as_text=True)
        targets = {href for href in re.findall(r'href="(/[^"#]*)', html) if not href.startswith(("/static", "/help"))}
        assert targets, rol
        for href in targets:
            status = client.get(href).status_code
            assert status == 200, f"/help/{rol.value} links to {href} which answers {status} for {username}"
        auth.logout()


def test_an_unknown_role_is_a_404(client: FlaskClient) -> None:
    assert client.get("/help/ouder").status_code == 404


def test_help_pages_are_accessible(page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page.goto("/help")
    assert_accessible(page)
    login(page, "scp")
    page.click("a.help-link")
    page.wait_for_selector("h1:has-text('Help voor schoolcontactpersoon')")
    assert page.url.endswith("/help/scp#taken")
    assert_accessible(page)
