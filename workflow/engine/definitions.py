"""Diagram files and their published versions (ProcessDefinition rows).

A version is numbered per diagram (v1, v2, …); a new one is published when the content hash
of the diagram *and* the forms it uses differs from the live (highest-numbered) version, so
editing only a form publishes a new version too. Every version is kept: running instances
finish on the version they started with; new ones take the live version.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec

from models import ProcessDefinition, User, db
from workflow.engine.run import executable_process_ids, parse_bpmn, spec_to_dict

log = logging.getLogger(__name__)
FORM_PROPERTIES = ("formJsonSchemaFilename", "formUiSchemaFilename")


class DiagramError(Exception):
    """A diagram file cannot be published; ``problems`` holds check-style lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Diagram:
    """One diagram file as read from disk, with the forms it refers to."""

    key: str
    path: Path
    xml: bytes
    process_id: str
    naam: str
    forms: dict[str, Any] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        digest = hashlib.sha256(self.xml)
        for name in sorted(self.forms):
            digest.update(b"\0" + name.encode() + b"\0")
            digest.update(json.dumps(self.forms[name], sort_keys=True).encode())
        return digest.hexdigest()


def form_filenames(spec: BpmnProcessSpec) -> set[str]:
    names: set[str] = set()
    for task_spec in spec.task_specs.values():
        props = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
        names.update(props[p] for p in FORM_PROPERTIES if props.get(p))
    return names


def read_diagram(path: Path) -> Diagram:
    """Parse a diagram and read its forms; raises on any error (see workflow.engine.check)."""
    xml = path.read_bytes()
    parser, tree = parse_bpmn(xml, path.name)
    process_id = executable_process_ids(tree)[0]
    spec = parser.get_spec(process_id)
    forms = {name: json.loads((path.parent / name).read_text("utf-8")) for name in form_filenames(spec)}
    return Diagram(path.stem, path, xml, process_id, spec.description or process_id, forms)


def diagram_files(bpmn_dir: str | Path) -> list[Path]:
    return sorted(Path(bpmn_dir).glob("*.bpmn"))


def publish(
    diagram: Diagram,
    bron: str = "bestand",
    user: User | None = None,
    notitie: str | None = None,
    scenarios: str | None = None,
) -> tuple[ProcessDefinition, bool]:
    """Store this content as the next numbered version of its process; True when it is new.

    Content equal to the live version is not published again; content equal to an older
    version (a revert) is, under the next number, so no published row is ever changed."""
    live = latest_definition(diagram.key)
    if live is not None and live.content_hash == diagram.content_hash:
        return live, False
    parser, _tree = parse_bpmn(diagram.xml, diagram.path.name)
    spec = parser.get_spec(diagram.process_id)
    definition = ProcessDefinition(
        process_key=diagram.key,
        nummer=(live.nummer if live else 0) + 1,
        bpmn_process_id=diagram.process_id,
        naam=diagram.naam,
        content_hash=diagram.content_hash,
        bpmn_xml=diagram.xml.decode("utf-8"),
        forms=diagram.forms,
        scenarios=scenarios,
        spec=spec_to_dict(spec, parser.get_subprocess_specs(diagram.process_id)),
        bron=bron,
        notitie=notitie,
        published_by_id=user.id if user else None,
    )
    db.session.add(definition)
    db.session.flush()
    log.info("published %s", definition.label)
    return definition, True


def publish_all(bpmn_dir: str | Path) -> list[tuple[ProcessDefinition, bool]]:
    """Publish every changed diagram under ``bpmn_dir`` through the gate; commits.

    One (live version, new?) per diagram. Refused (DiagramError, nothing published) when a
    diagram, its scenarios or statussen.yaml has problems; see workflow.engine.publiceren."""
    from workflow.engine.publiceren import publiceer

    publicatie = publiceer(bpmn_dir)
    if not publicatie.ok:
        raise DiagramError(publicatie.problemen)
    nieuw = {d.process_key for d in publicatie.gepubliceerd}
    keys = sorted(nieuw | set(publicatie.ongewijzigd))
    return [(d, key in nieuw) for key in keys if (d := latest_definition(key)) is not None]


def latest_definition(process_key: str) -> ProcessDefinition | None:
    return db.session.scalar(
        sa.select(ProcessDefinition)
        .filter_by(process_key=process_key)
        .order_by(ProcessDefinition.nummer.desc())
        .limit(1)
    )


@lru_cache(maxsize=64)
def _parsed(definition_id: int, content_hash: str, xml: str, process_id: str) -> tuple[Any, Any]:
    parser, _tree = parse_bpmn(xml.encode("utf-8"), f"{content_hash[:10]}.bpmn")
    return parser.get_spec(process_id), parser.get_subprocess_specs(process_id)


def parsed_spec(definition: ProcessDefinition) -> tuple[BpmnProcessSpec, dict[str, Any]]:
    """The parsed spec of a stored version (parsed once per process, then cached)."""
    spec, subs = _parsed(definition.id, definition.content_hash, definition.bpmn_xml, definition.bpmn_process_id)
    return spec, subs
