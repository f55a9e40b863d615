"""The aanpak's diagram is drawn by bpmn-js in Chromium, with the current task marked."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import live_server, login, page  # noqa: F401 - fixtures
from tests.test_aanpakken import _complete_dossier, _publish

pytestmark = pytest.mark.browser
VIEWER = Path(__file__).resolve().parent.parent / "web" / "static" / "vendor" / "bpmn-viewer.production.min.js"


def test_diagram_drawn_with_current_task_marked(app, world, page, tmp_path):  # noqa: F811
    if not VIEWER.exists():
        pytest.fail("bpmn-js is not installed in web/static/vendor (make setup)")
    _publish(tmp_path, "aanpak", "Algemene aanpak")
    hulpvraag = _complete_dossier(world)
    login(page, "scp")
    page.goto(f"/hulpvragen/{hulpvraag.id}")
    page.wait_for_selector("#diagram svg")
    marked = page.locator('#diagram [data-element-id="uitvoeren"].actief')
    marked.wait_for()
    assert marked.count() == 1
    page.screenshot(path=str(tmp_path / "aanpak.png"), full_page=True)
