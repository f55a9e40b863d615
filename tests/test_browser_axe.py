"""Accessibility (issue 15 item 9): every page a school, SCP, functionaris, directeur, extern or beheerder
uses passes axe-core (WCAG 2.1 A and AA) in Chromium, and the key forms work with the keyboard alone.

The pages are derived from the app's routes: every GET rule, with example ids from the demo data
(tests/test_csrf_and_get.py's ``urls``), that answers this role with an HTML page. The result of
every page is reported at the end of the test run (section "axe-core per pagina"), whatever the
capture mode, and as a ``record_property`` of the test (JUnit XML).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.browser import assert_accessible, live_server, login, page  # noqa: F401 - fixtures
from tests.test_csrf_and_get import _values, demo_data, logged_in
from tests.test_overlegronde import _hulpvraag as overleg_hulpvraag
from tests.test_overlegronde import _ronde

pytestmark = pytest.mark.browser

# One account per role the issue names (the functionaris: an orthopedagoog and a regiomanager).
ROLLEN = ["aanvrager", "directeur", "scp", "orthopedagoog", "regiomanager", "extern", "beheerder"]
NIET_IN_DE_WANDELING = ("api.", "static", "health")  # JSON, files and probes: no pages
# States of a page that its plain URL does not show: the new-pupil form, search results without htmx.
TOESTANDEN = ["/hulpvragen/nieuw?stap=nieuw", "/hulpvragen/nieuw?q=an", "/dossiers?q=an", "/taken?q=a"]


class _Verslag:
    """Collects one line per page and prints them in the terminal summary."""

    def __init__(self) -> None:
        self.regels: list[str] = []

    def pytest_terminal_summary(self, terminalreporter) -> None:  # type: ignore[no-untyped-def]
        if self.regels:
            terminalreporter.section("axe-core (WCAG 2.1 A/AA) per pagina")
            for regel in self.regels:
                terminalreporter.write_line(regel)


@pytest.fixture(scope="session")
def axe_verslag(pytestconfig) -> _Verslag:  # type: ignore[no-untyped-def]
    verslag = pytestconfig.pluginmanager.get_plugin("axe_verslag")
    if verslag is None:
        verslag = _Verslag()
        pytestconfig.pluginmanager.register(verslag, "axe_verslag")
    return verslag


def _get_urls(app: Flask, overgeslagen: list[str]) -> Iterator[tuple[str, str]]:
    """(endpoint, url) of every GET rule, once per example value (as test_csrf_and_get walks them);
    a rule without example values is named in ``overgeslagen`` (test_csrf_and_get fails on it)."""
    adapter = app.url_map.bind("localhost")
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or rule.endpoint.startswith(NIET_IN_DE_WANDELING):
            continue
        names = sorted(rule.arguments)
        try:
            waarden = [_values(rule, name) for name in names]
        except pytest.fail.Exception:
            overgeslagen.append(rule.rule)
            continue
        for combinatie in itertools.product(*waarden):
            yield rule.endpoint, adapter.build(rule.endpoint, dict(zip(names, combinatie, strict=True)))


def paginas(app: Flask, username: str, overgeslagen: list[str]) -> list[str]:
    """One URL per endpoint that shows this user an HTML page (200), ids from the demo data (needs the
    ``client`` fixture: it gives each request its own app context)."""
    client = logged_in(app, username)
    gezien: set[str] = set()
    gevonden = []
    for endpoint, url in _get_urls(app, overgeslagen):
        if endpoint in gezien:
            continue
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            gezien.add(endpoint)
            gevonden.append(url)
    return gevonden + [url for url in TOESTANDEN if client.get(url).status_code == 200]


def test_axe_finds_a_violation_and_passes_a_clean_page(page, world):  # type: ignore[no-untyped-def]  # noqa: F811
    login(page, "procesbeheerder")
    assert_accessible(page)

    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"x.png\">')")
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)


@pytest.mark.parametrize("username", ROLLEN)
def test_every_page_of_a_role_passes_axe(app, client, page, world, username, axe_verslag, record_property):  # type: ignore[no-untyped-def]  # noqa: F811
    demo_data(world)
    _ronde(world, overleg_hulpvraag(world))  # the extern's pages: a running overlegronde with them as deelnemer
    overgeslagen: list[str] = []
    urls_van_rol = paginas(app, username, overgeslagen)
    axe_verslag.regels += [f"{username:14} {rule:60} niet bezocht: geen voorbeeldwaarde" for rule in overgeslagen]
    assert len(urls_van_rol) >= 3, urls_van_rol  # at least Mijn taken, Hulpvragen and the account page
    login(page, username)
    fouten = []
    for url in urls_van_rol:
        page.goto(url)
        try:
            assert_accessible(page)
            uitslag = "geen overtredingen"
        except AssertionError as exc:
            uitslag = f"OVERTREDING {str(exc).split(': ', 1)[-1]}"
            fouten.append(f"{url}: {uitslag}")
        axe_verslag.regels.append(f"{username:14} {url:60} {uitslag}")
        record_property(f"axe {url}", uitslag)
    assert fouten == [], f"{username}: " + "\n".join(fouten)


def test_the_processen_start_page_is_accessible(page, world):  # type: ignore[no-untyped-def]  # noqa: F811
    login(page, "procesbeheerder")
    page.click("nav >> text=Processen")
    page.wait_for_selector("h1:has-text('Processen')")

    assert page.locator("td", has_text="Generieke aanpak").count() >= 1 or page.locator("tbody tr").count() >= 1
    assert_accessible(page)


# --- the keyboard alone -------------------------------------------------------------------
def tab_naar(page, selector: str, stappen: int = 60) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Press Tab until ``selector`` has the focus (as a keyboard user would); fail if it never gets it."""
    doel = page.locator(selector).first
    for _ in range(stappen):
        page.keyboard.press("Tab")
        if doel.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{selector} is not reachable with Tab on {page.url}")


def test_login_and_a_new_hulpvraag_with_the_keyboard_alone(page, world):  # type: ignore[no-untyped-def]  # noqa: F811
    import pyotp
    import sqlalchemy as sa

    from models import Hulpvraag, User, db

    page.goto("/login")
    tab_naar(page, "#username")
    page.keyboard.type("aanvrager")
    tab_naar(page, "#password")
    page.keyboard.type("kansrijk-test-wachtwoord")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Inlogcode')")
    user = db.session.scalar(sa.select(User).filter_by(username="aanvrager"))
    db.session.execute(sa.update(User).where(User.id == user.id).values(totp_last_step=None))
    db.session.commit()
    page.locator("#code").focus()  # the page puts the focus there itself (autofocus)
    page.keyboard.type(pyotp.TOTP(user.totp_secret).now())
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Mijn taken')")

    tab_naar(page, "nav a:text-is('Nieuwe hulpvraag')")
    page.keyboard.press("Enter")
    page.wait_for_selector("h2:has-text('Stap 1')")
    tab_naar(page, "#q")
    page.keyboard.type("Toetsenbord")
    page.wait_for_selector("#nieuwe-leerling a")
    tab_naar(page, "#nieuwe-leerling a")
    page.keyboard.press("Enter")
    page.wait_for_selector("#roepnaam")
    tab_naar(page, "#school_id")
    page.keyboard.type("OBS")  # a closed select picks the option the typed letters start
    tab_naar(page, "#roepnaam")
    page.keyboard.type("Tim")
    tab_naar(page, "#achternaam")
    page.keyboard.type("van Toetsenbord")
    tab_naar(page, "#geboortedatum")
    page.keyboard.type("09022015")  # the date field's own segments, in the browser's order
    tab_naar(page, "input[name=geslacht]")
    page.keyboard.press("Space")
    tab_naar(page, "#titel")
    page.keyboard.type("Ambulante")
    tab_naar(page, "#omschrijving")
    page.keyboard.type("Vraag over gedrag in de groep.")
    tab_naar(page, "#contactpersoon_naam")
    page.keyboard.press("Enter")  # implicit submission: the form's own button
    page.wait_for_selector("text=Huidige status")
    hulpvraag = db.session.scalars(sa.select(Hulpvraag).order_by(Hulpvraag.id.desc())).first()
    assert hulpvraag.titel == "Ambulante Begeleiding" and hulpvraag.dossier.naam == "Tim van Toetsenbord"
    assert hulpvraag.dossier.school.naam == "OBS De Regenboog"

    tab_naar(page, "ul.tasks a:has-text('Hulpvraag indienen')")
    page.keyboard.press("Enter")
    page.wait_for_selector("input[name=ouders_geinformeerd]")
    tab_naar(page, "input[name=ouders_geinformeerd]")
    page.keyboard.press("Space")  # the first choice: Ja
    tab_naar(page, "main button.primary")
    page.keyboard.press("Enter")
    page.wait_for_selector(".sub .status:has-text('Aanmelding')")


def test_mijn_taken_search_and_sort_with_the_keyboard(page, world):  # type: ignore[no-untyped-def]  # noqa: F811
    demo_data(world)
    login(page, "scp")
    tab_naar(page, "#q")
    page.keyboard.type("zzz-niemand")
    page.wait_for_selector("#resultaten p.empty")
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.wait_for_selector("#resultaten table")
    tab_naar(page, "#resultaten th a:text-is('Leerling')")
    page.keyboard.press("Enter")
    page.wait_for_selector("#resultaten th[aria-sort='ascending'] a:text-is('Leerling')")
    assert_accessible(page)
