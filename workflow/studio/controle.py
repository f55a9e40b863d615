"""Checking a diagram the editor has not saved yet (the studio's problems while editing).

The modeler sends its XML about a second after each change; it is checked exactly as a saved
draft is (``bpmn check`` on a private folder with the draft's forms and the shared files), but
nothing is stored. Without a draft yet, the live version's forms are used.
"""

from __future__ import annotations

from typing import Any

from models import Concept, User
from workflow import statussen
from workflow.access import LANE_ROLES
from workflow.engine.definitions import latest_definition
from workflow.studio.concepten import (
    MAX_XML_BYTES,
    ConceptFout,
    Probleem,
    Verouderd,
    mijn_concept,
    open_concept,
    opslaan,
    problemen,
)


def problemen_van_xml(process_key: str, user: User, bpmn_xml: Any) -> list[Probleem]:
    """The problems ``bpmn_xml`` would have as the user's draft of ``process_key``; stores nothing."""
    if not isinstance(bpmn_xml, str) or not bpmn_xml.strip():
        raise ConceptFout("Het diagram is leeg; er is niets gecontroleerd.")
    if len(bpmn_xml.encode("utf-8")) > MAX_XML_BYTES:
        raise ConceptFout(f"Het diagram is groter dan {MAX_XML_BYTES // (1024 * 1024)} MB; er is niets gecontroleerd.")
    # A transient Concept (never added to the session) so the check lays it out like a saved draft.
    proef = Concept(process_key=process_key, bpmn_xml=bpmn_xml, forms=_formulieren(process_key, user), scenarios="")
    return problemen(proef)


def _formulieren(process_key: str, user: User) -> dict[str, Any]:
    concept = mijn_concept(process_key, user)
    if concept is not None:
        return dict(concept.forms or {})
    live = latest_definition(process_key)
    if live is None:
        raise ConceptFout(f"Er is geen gepubliceerde aanpak ‘{process_key}’.")
    return dict(live.forms or {})


def keuzes(forms: dict[str, Any]) -> dict[str, list[str]]:
    """What the modeler's Kansrijk panel offers as choices: forms, statuses and lanes (roles)."""
    schemas = sorted(naam for naam in forms if naam.endswith(".json") and not naam.endswith(".ui.json"))
    try:
        namen = statussen.filterstatussen(True)
    except statussen.StatussenFout:
        namen = []  # a vocabulary that was never good: the check reports it; the panel offers free text
    ui = sorted(naam for naam in forms if naam.endswith(".ui.json"))
    return {"formulieren": schemas, "ui": ui, "statussen": list(namen), "lanes": sorted(LANE_ROLES)}


def geen_xml(found: list[Probleem]) -> Probleem | None:
    """The problem that says the text is no XML at all (a draft may have problems, but must be a diagram)."""
    return next((p for p in found if p.melding.startswith("geen geldige XML")), None)


def bewaar_diagram(process_key: str, user: User, revisie: int, bpmn_xml: str) -> Concept:
    """Save the diagram as the user's draft; revisie 0 means the editor started from the live
    version, so the draft is made now (a GET never creates one). Raises Verouderd/ConceptFout."""
    concept = mijn_concept(process_key, user)
    if concept is None:
        if revisie != 0:
            raise ConceptFout("Uw concept is intussen gepubliceerd of verworpen; er is niets opgeslagen. "
                              "Laad de pagina opnieuw om een nieuw concept te beginnen.")  # fmt: skip
        concept = open_concept(process_key, user)
        revisie = concept.revisie
    elif revisie == 0:
        raise Verouderd(concept)  # a draft was made in another tab after this editor opened
    return opslaan(concept, user, revisie, bpmn_xml=bpmn_xml)
