"""Which aanpak (diagram) handles a hulpvraag: the title → aanpak list in bpmn/aanpakken.yaml."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import yaml
from flask import current_app

from models import AanpakKoppeling, db
from workflow.engine.definitions import latest_definition

log = logging.getLogger(__name__)
KOPPELING_BESTAND = "aanpakken.yaml"


def koppeling(bpmn_dir: str | Path) -> dict[str, Any]:
    """The mapping as the process owner wrote it (standaard + titels)."""
    path = Path(bpmn_dir) / KOPPELING_BESTAND
    if not path.exists():
        return {"standaard": "aanpak", "titels": {}}
    content = yaml.safe_load(path.read_text("utf-8")) or {}
    return {"standaard": content.get("standaard", "aanpak"), "titels": dict(content.get("titels") or {})}


def gekozen_aanpak(titel: str) -> str | None:
    """What the beheerder chose for this title (or, without a choice, the process owner's file)."""
    row = db.session.get(AanpakKoppeling, titel)
    if row is not None:
        return row.process_key
    return koppeling(current_app.config["BPMN_DIR"])["titels"].get(titel)


def aanpak_voor_titel(titel: str) -> str | None:
    """The published diagram for this title; the standard aanpak when that one is not published."""
    mapping = koppeling(current_app.config["BPMN_DIR"])
    for key in (gekozen_aanpak(titel), mapping["standaard"]):
        if key and latest_definition(key) is not None:
            return str(key)
    log.warning("no published aanpak for a hulpvraag title; none started")
    return None
