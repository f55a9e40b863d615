"""Drafts of an aanpaktype: open one from the live version, save it (never over a newer save),
check it as ``bpmn check`` does, and lay it out as files for the check, the scenarios and the gate.

A draft holds the diagram, the forms it names and its scenario file. Saving refuses a save based
on an older ``revisie`` than the stored one (two tabs, or a colleague who opened the same draft),
so nothing is overwritten unknowingly; the caller keeps the edits and shows the Dutch message.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from models import Concept, User, db, utcnow
from models.concept import OPEN
from workflow import audit
from workflow.engine.check import check_file
from workflow.engine.definitions import latest_definition
from workflow.engine.scenarios import SUFFIX

MAX_XML_BYTES = 2 * 1024 * 1024
MAX_FORM_BYTES = 256 * 1024
_FORM_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,100}\.json")
_PROBLEM = re.compile(r"(?P<bestand>[^:]+):(?P<regel>\d+): (?P<element>[^:]+): (?P<melding>.*)", re.DOTALL)
# Files of the diagram folder every draft is checked with (the status vocabulary, the title mapping).
_GEDEELD = ("statussen.yaml", "aanpakken.yaml")


class ConceptFout(ValueError):
    """The draft cannot be saved as asked; the message is Dutch and nothing was changed."""


class Verouderd(ConceptFout):
    """Someone saved this draft after the version the editor started from."""

    def __init__(self, concept: Concept) -> None:
        door = concept.gewijzigd_door.naam if concept.gewijzigd_door else "iemand anders"
        super().__init__(
            f"Dit concept is intussen opgeslagen door {door} (revisie {concept.revisie}). Uw wijzigingen zijn niet "
            "opgeslagen, maar staan nog in de editor: laad het concept opnieuw en breng ze daarna opnieuw aan."
        )
        self.concept = concept


@dataclass(frozen=True)
class Probleem:
    """One line of ``bpmn check`` for a draft, split so the studio can put it on the element."""

    bestand: str
    regel: int
    element: str  # BPMN id, or "-" for the whole file
    melding: str

    @property
    def tekst(self) -> str:
        return f"{self.bestand}:{self.regel}: {self.element}: {self.melding}"


# --- opening ---------------------------------------------------------------------------------
def open_concept(process_key: str, user: User) -> Concept:
    """The user's open draft of ``process_key``, or a new one made from its live version (flushed)."""
    bestaand = mijn_concept(process_key, user)
    if bestaand is not None:
        return bestaand
    live = latest_definition(process_key)
    if live is None:
        raise ConceptFout(f"Er is geen gepubliceerde aanpak ‘{process_key}’ om een concept van te maken.")
    concept = Concept(
        process_key=process_key, auteur_id=user.id, basis_id=live.id, bpmn_xml=live.bpmn_xml,
        forms=dict(live.forms or {}), scenarios=live.scenarios or "", status=OPEN, revisie=1,
        gewijzigd_op=utcnow(), gewijzigd_door_id=user.id,
    )  # fmt: skip
    db.session.add(concept)
    db.session.flush()
    audit.record(user, "aanmaken", "concept", concept.id, detail=f"concept van {live.label}")
    return concept


def mijn_concept(process_key: str, user: User) -> Concept | None:
    query = sa.select(Concept).filter_by(process_key=process_key, auteur_id=user.id, status=OPEN)
    return db.session.scalar(query.order_by(Concept.id.desc()).limit(1))


def andere_bewerkers(concept: Concept) -> list[Concept]:
    """The other open drafts of the same aanpaktype, newest save first (who else is editing)."""
    query = sa.select(Concept).where(
        Concept.process_key == concept.process_key, Concept.status == OPEN, Concept.id != concept.id
    )
    return list(db.session.scalars(query.order_by(Concept.gewijzigd_op.desc())))


def open_concepten(process_key: str | None = None) -> list[Concept]:
    query = sa.select(Concept).where(Concept.status == OPEN)
    if process_key:
        query = query.where(Concept.process_key == process_key)
    return list(db.session.scalars(query.order_by(Concept.process_key, Concept.gewijzigd_op.desc())))


# --- saving ----------------------------------------------------------------------------------
def opslaan(
    concept: Concept,
    user: User,
    revisie: int,
    *,
    bpmn_xml: str | None = None,
    forms: dict[str, Any] | None = None,
    scenarios: str | None = None,
) -> Concept:
    """Store what changed (flushed); Verouderd when ``revisie`` is not the stored one, ConceptFout
    for input that cannot be a draft. A draft may have problems: the check reports them."""
    db.session.refresh(concept, with_for_update=True)  # one save at a time per draft
    if not concept.is_open:
        raise ConceptFout("Dit concept is al gepubliceerd of verworpen; open een nieuw concept.")
    if revisie != concept.revisie:
        raise Verouderd(concept)
    if bpmn_xml is not None:
        if not bpmn_xml.strip():
            raise ConceptFout("Het diagram is leeg; er is niets opgeslagen.")
        if len(bpmn_xml.encode("utf-8")) > MAX_XML_BYTES:
            raise ConceptFout(f"Het diagram is groter dan {MAX_XML_BYTES // (1024 * 1024)} MB; er is niets opgeslagen.")
        concept.bpmn_xml = bpmn_xml
    if forms is not None:
        concept.forms = _gecontroleerde_formulieren(forms)
    if scenarios is not None:
        if len(scenarios.encode("utf-8")) > MAX_FORM_BYTES:
            raise ConceptFout("Het scenariobestand is te groot; er is niets opgeslagen.")
        concept.scenarios = scenarios
    concept.revisie += 1
    concept.gewijzigd_op, concept.gewijzigd_door_id = utcnow(), user.id
    db.session.flush()
    audit.record(user, "wijzigen", "concept", concept.id, detail=f"revisie {concept.revisie}")
    return concept


def _gecontroleerde_formulieren(forms: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(forms, dict):
        raise ConceptFout("De formulieren moeten een lijst van bestand → JSON zijn; er is niets opgeslagen.")
    for naam, inhoud in forms.items():
        if not isinstance(naam, str) or not _FORM_NAME.fullmatch(naam):
            raise ConceptFout(f"‘{str(naam)[:60]}’ is geen geldige formuliernaam (letters, cijfers, - _ . en .json).")
        if not isinstance(inhoud, dict):
            raise ConceptFout(f"Formulier ‘{naam}’ is geen JSON-object; er is niets opgeslagen.")
        if len(repr(inhoud)) > MAX_FORM_BYTES:
            raise ConceptFout(f"Formulier ‘{naam}’ is te groot; er is niets opgeslagen.")
    return dict(forms)


# --- as files ----------------------------------------------------------------------------------
@contextmanager
def als_map(concept: Concept, bpmn_dir: str | Path | None = None) -> Iterator[Path]:
    """A private folder with the draft as files (<key>.bpmn, its forms, <key>.scenarios.yaml) and the
    shared files of the diagram folder (statussen.yaml, aanpakken.yaml); removed afterwards."""
    bron = Path(bpmn_dir or current_app.config["BPMN_DIR"])
    with tempfile.TemporaryDirectory(prefix="kansrijk-concept-") as tmp:
        folder = Path(tmp)
        for naam in _GEDEELD:
            if (bron / naam).is_file():
                shutil.copy(bron / naam, folder / naam)
        (folder / f"{concept.process_key}.bpmn").write_text(concept.bpmn_xml, "utf-8")
        for naam, inhoud in (concept.forms or {}).items():
            if _FORM_NAME.fullmatch(naam):
                (folder / naam).write_text(_json(inhoud), "utf-8")
        if concept.scenarios:
            (folder / f"{concept.process_key}{SUFFIX}").write_text(concept.scenarios, "utf-8")
        yield folder


def diagram_pad(folder: Path, concept: Concept) -> Path:
    return folder / f"{concept.process_key}.bpmn"


def problemen(concept: Concept) -> list[Probleem]:
    """``bpmn check`` of the draft, each line split into file, line, element and message."""
    with als_map(concept) as folder:
        regels = check_file(diagram_pad(folder, concept))
    return [_probleem(regel) for regel in regels]


def _probleem(regel: str) -> Probleem:
    match = _PROBLEM.match(regel)
    if match is None:
        return Probleem("", 1, "-", regel)
    return Probleem(match["bestand"], int(match["regel"]), match["element"], match["melding"])


def _json(inhoud: Any) -> str:
    import json

    return json.dumps(inhoud, ensure_ascii=False, indent=2) + "\n"
