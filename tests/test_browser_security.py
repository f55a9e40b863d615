"""Issue 17 item 8 in Chromium: a 150-character file name stays inside the bijlagen card."""

from __future__ import annotations

import io

import pytest

from models import db
from tests.browser import live_server, login, page  # noqa: F401 - fixtures
from tests.conftest import new_hulpvraag
from tests.test_dossiers import PDF
from workflow.bijlagen import voeg_toe

pytestmark = pytest.mark.browser


def test_a_long_file_name_wraps_inside_the_bijlagen_card(page, world):  # noqa: F811
    hulpvraag = new_hulpvraag(world)
    naam = "OPP-" + "ondertekening" * 11 + ".pdf"  # 151 characters, no space to break at
    voeg_toe(hulpvraag, io.BytesIO(PDF), naam, world.users["aanvrager"], soort="OPP")
    db.session.commit()
    login(page, "aanvrager")
    page.goto(f"/hulpvragen/{hulpvraag.id}")
    card = page.locator("#bijlagen").bounding_box()
    table = page.locator("#bijlagen table").bounding_box()
    assert table["x"] + table["width"] <= card["x"] + card["width"] + 1, (table, card)
    link = page.locator(f"#bijlagen a:has-text('{naam[:20]}')")
    assert link.inner_text().replace("\n", "") == naam  # the whole name is there, wrapped
