"""Which aanpak (diagram) handles a hulpvraag: the title → aanpak list in bpmn/aanpakken.yaml."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from flask import current_app

from models import AanpakKoppeling, User, db
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


def koppeling_opslaan(keuzes: Mapping[str, str], toegestaan: Iterable[str], titels: Iterable[str], user: User) -> None:
    """Store the beheerder's choice per title ("" = back to the file's default), flushed.

    KoppelingFout (Dutch, nothing changed) when a title names an aanpak outside ``toegestaan``."""
    toegestaan, titels = set(toegestaan), list(titels)
    wrong = [t for t in titels if keuzes.get(t, "") and keuzes.get(t, "") not in toegestaan]
    if wrong:
        raise KoppelingFout(f"Onbekende aanpak gekozen bij: {', '.join(wrong)}. Er is niets opgeslagen.")
    for titel in titels:
        key = keuzes.get(titel, "")
        row = db.session.get(AanpakKoppeling, titel)
        if key and row is None:
            db.session.add(AanpakKoppeling(titel=titel, process_key=key, gewijzigd_door_id=user.id))
        elif key and row is not None:
            row.process_key, row.gewijzigd_door_id = key, user.id
        elif row is not None:
            db.session.delete(row)  # back to the process owner's default
    db.session.flush()


class KoppelingFout(ValueError):
    """A title → aanpak choice that cannot be stored; the message is Dutch."""
