"""The accessibility check the browser tests use (axe-core, WCAG 2.1 A/AA) really finds violations."""

from __future__ import annotations

import pytest

from tests.browser import assert_accessible, live_server, login, page  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_axe_finds_a_violation_and_passes_a_clean_page(page, world):  # type: ignore[no-untyped-def]  # noqa: F811
    login(page, "procesbeheerder")
    assert_accessible(page)

    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"x.png\">')")
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)


def test_the_processen_start_page_is_accessible(page, world):  # type: ignore[no-untyped-def]  # noqa: F811
    login(page, "procesbeheerder")
    page.click("nav >> text=Processen")
    page.wait_for_selector("h1:has-text('Processen')")

    assert page.locator("td", has_text="Generieke aanpak").count() >= 1 or page.locator("tbody tr").count() >= 1
    assert_accessible(page)
