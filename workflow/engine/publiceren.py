"""The publish gate: the one way a diagram becomes a live version.

Start-up, ``flask bpmn publish``, the Processen pages (publish and revert) and the studio of a
later issue all call ``publiceer`` or ``terugzetten``. The files are read once into a private
copy; the check, the scenarios and the publication all use that copy, so a file changed on
disk halfway cannot slip through unchecked.

- Every diagram in the folder is checked (``bpmn check``); a diagram whose content (diagram
  plus forms) differs from its live version is a candidate and must also pass its scenarios,
  straight through and with a save and load after every step. A diagram without a scenario
  file is refused.
- The status vocabulary is checked as ``bpmn check`` does, and against running cases.
- Every functie a diagram names (a task's ``functie``, the choices of a form field a task's
  ``functie="=veld"`` reads) must be active in the beheerder's list of functies
  (workflow/functies.py): a diagram naming an unknown functie is refused, since its tasks
  would reach nobody. Its line says which name is missing and the nearest known one.
- All or nothing: when anything is refused, nothing is published and the live versions stay
  live. Every attempt that gated something, or that follows a refused one, is recorded as a
  PublicatiePoging, so every process (web workers, Celery worker, /healthz) sees the refusal.
- A revert publishes a stored version's content (with its stored scenarios, against today's
  vocabulary) as the next number. The folder does not undo it: a diagram in the folder is
  published only when it differs from the live version *and* from what was last published
  from the folder, so the revert stays live until someone changes the files.

statussen.yaml itself is not versioned: the app reads it from BPMN_DIR while it runs. A
vocabulary the gate refuses is reported (and blocks publishing diagrams), but it cannot be
held back.

Gate verdicts are cached per process by the digest of exactly the bytes they judged (diagram,
forms, scenario file, vocabulary), so the tests, which publish bpmn/ into an empty database
for every test, run each scenario once per test run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from lxml import etree
from sqlalchemy.exc import IntegrityError

from models import ProcessDefinition, PublicatiePoging, User, db
from workflow import audit
from workflow.engine.check import NS, check_file
from workflow.engine.definitions import (
    FORM_PROPERTIES,
    Diagram,
    diagram_files,
    latest_definition,
    publish,
    read_diagram,
)
from workflow.engine.run import stille_engine
from workflow.engine.scenarios import SUFFIX, load_scenarios, scenario_file, verify
from workflow.functies import bekende_functies
from workflow.statussen import BESTAND, problemen
from workflow.statussen_gebruik import ontbrekende_statussen_in_gebruik

log = logging.getLogger(__name__)
TERUGZETTEN = "terugzetten"
STUDIO, STUDIO_ZIP = "studio", "studio-zip"
# Sources that do not publish the diagram folder: the folder rule ("published only when it differs from
# what was last published from the folder") ignores them, so a restart does not undo them.
NIET_UIT_DE_MAP = frozenset({TERUGZETTEN, STUDIO, STUDIO_ZIP})
VOCABULAIRE = Path(BESTAND).stem  # the key vocabulary problems are filed under: "statussen"
BRONNEN = {
    "bestand": "bestand",
    "opstarten": "bij het opstarten",
    "cli": "flask bpmn publish",
    "browser": "in de browser",
    "terugzetten": "teruggezet",
    "studio": "in de studio",
    "studio-zip": "zip in de studio",
}
_PAS_ALS = "een diagram wordt pas gepubliceerd als zijn scenario's slagen"
_CACHE_MAX = 1000
_goedgekeurd: set[str] = set()  # digests of gated bytes that passed in this process
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@dataclass
class Publicatie:
    """What one run of the gate did; ``geweigerd`` maps a diagram key to its Dutch problem lines."""

    gepubliceerd: list[ProcessDefinition] = field(default_factory=list)
    ongewijzigd: list[str] = field(default_factory=list)
    geweigerd: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.geweigerd

    @property
    def problemen(self) -> list[str]:
        return [line for key in sorted(self.geweigerd) for line in self.geweigerd[key]]


@dataclass(frozen=True)
class _Door:
    """Who publishes, from where, and why."""

    bron: str
    user: User | None
    notitie: str | None
    herkomst: str = ""  # for the audit trail: "inhoud van v1"

    def detail(self, definition: ProcessDefinition) -> str:
        waar = ", ".join(filter(None, [BRONNEN.get(self.bron, self.bron), self.herkomst]))
        return f"{definition.label} gepubliceerd ({waar})" + (f": {self.notitie}" if self.notitie else "")


# --- the entry points ---------------------------------------------------------------------
def publiceer(
    bpmn_dir: str | Path, *, user: User | None = None, notitie: str | None = None, bron: str = "bestand"
) -> Publicatie:
    """Gate and publish every changed diagram in ``bpmn_dir``, all or nothing; commits."""
    with _kopie_van_map(Path(bpmn_dir)) as kopie:
        return _publiceer(kopie, _Door(bron, user, notitie))


def terugzetten(
    definition: ProcessDefinition, bpmn_dir: str | Path, *, user: User | None = None, notitie: str | None = None
) -> Publicatie:
    """Publish the stored content of an older version again as the next number, through the gate.

    It is gated against the vocabulary in ``bpmn_dir`` today, with the scenarios stored with
    that version; a version stored without scenarios cannot be reverted to."""
    if definition.scenarios is None:
        regel = (
            f"{definition.process_key}.bpmn:1: -: {definition.versie} is opgeslagen zonder scenario's en kan "
            "daarom niet door de controle; zet de bestanden terug in de map en publiceer die"
        )
        return _weiger({definition.process_key: [regel]}, bron=TERUGZETTEN, user=user)
    with _kopie_van_versie(definition, Path(bpmn_dir)) as kopie:
        return _publiceer(kopie, _Door(TERUGZETTEN, user, notitie, f"inhoud van {definition.versie}"))


def laatste_poging() -> PublicatiePoging | None:
    """The most recent recorded publication of the diagram folder (a revert or a studio publication is not one)."""
    query = sa.select(PublicatiePoging).where(PublicatiePoging.bron.not_in(NIET_UIT_DE_MAP))
    return db.session.scalar(query.order_by(PublicatiePoging.id.desc()).limit(1))


def laatste_weigering() -> PublicatiePoging | None:
    """The last publication of the folder, when it was refused: what /healthz and the start page report.

    A refused revert is shown to whoever tried it and changes nothing in the folder, so it
    neither raises nor clears this."""
    poging = laatste_poging()
    return poging if poging is not None and not poging.ok else None


# --- one run ------------------------------------------------------------------------------
def _publiceer(kopie: Path, door: _Door) -> Publicatie:
    geweigerd: dict[str, list[str]] = {}
    vocabulaire = problemen(kopie) + ontbrekende_statussen_in_gebruik(kopie)
    if vocabulaire:
        geweigerd[VOCABULAIRE] = vocabulaire
    kandidaten, ongewijzigd = [], []
    functies = bekende_functies()
    for path in diagram_files(kopie):
        diagram, kandidaat = _lees(path, uit_de_map=door.bron not in NIET_UIT_DE_MAP)
        regels = _keur(path, kandidaat, functies)
        if regels:
            geweigerd[path.stem] = regels
        elif diagram is not None and kandidaat:
            kandidaten.append(diagram)
        else:
            ongewijzigd.append(path.stem)
    if geweigerd:
        return _weiger(geweigerd, bron=door.bron, user=door.user, ongewijzigd=ongewijzigd)
    return _sla_op(kandidaten, ongewijzigd, door)


def _lees(path: Path, *, uit_de_map: bool) -> tuple[Diagram | None, bool]:
    """The diagram (None when it cannot be read) and whether it is to be published.

    That is when it differs from the live version; for the folder, also from what was last
    published from the folder, so a revert in the browser stays live until the files change."""
    try:
        diagram = read_diagram(path)
    except Exception:  # noqa: BLE001 - any reason it cannot be read is reported by the check
        return None, True
    live = latest_definition(diagram.key)
    if live is None or live.content_hash == diagram.content_hash:
        return diagram, live is None
    vorige = _laatst_uit_de_map(diagram.key) if uit_de_map else None
    return diagram, vorige is None or vorige.content_hash != diagram.content_hash


def _laatst_uit_de_map(process_key: str) -> ProcessDefinition | None:
    query = sa.select(ProcessDefinition).filter_by(process_key=process_key)
    query = query.where(ProcessDefinition.bron.not_in(NIET_UIT_DE_MAP))
    return db.session.scalar(query.order_by(ProcessDefinition.nummer.desc()).limit(1))


def _sla_op(kandidaten: list[Diagram], ongewijzigd: list[str], door: _Door) -> Publicatie:
    try:
        try:
            resultaat = _publiceer_kandidaten(kandidaten, ongewijzigd, door)
            db.session.commit()
        except IntegrityError:  # another process published the same number meanwhile: take its result
            db.session.rollback()
            resultaat = _publiceer_kandidaten(kandidaten, ongewijzigd, door)
            db.session.commit()
    except Exception:
        db.session.rollback()  # all or nothing, also when storing fails
        raise
    for definition in resultaat.gepubliceerd:
        log.info("%s", door.detail(definition))
    return resultaat


def _publiceer_kandidaten(kandidaten: list[Diagram], ongewijzigd: list[str], door: _Door) -> Publicatie:
    resultaat = Publicatie(ongewijzigd=list(ongewijzigd))
    for diagram in kandidaten:
        definition, nieuw = publish(diagram, door.bron, door.user, door.notitie, _scenario_tekst(diagram.path))
        if nieuw:
            resultaat.gepubliceerd.append(definition)
            audit.record(door.user, "aanmaken", "procesversie", definition.id, detail=door.detail(definition))
        else:
            resultaat.ongewijzigd.append(diagram.key)
    resultaat.ongewijzigd.sort()
    if resultaat.gepubliceerd or door.bron in NIET_UIT_DE_MAP or laatste_weigering() is not None:
        _poging(resultaat, door.bron, door.user)  # a refusal of the folder is cleared by its next success
    return resultaat


def _weiger(
    geweigerd: dict[str, list[str]], *, bron: str, user: User | None, ongewijzigd: list[str] | None = None
) -> Publicatie:
    resultaat = Publicatie(ongewijzigd=ongewijzigd or [], geweigerd=geweigerd)  # nothing was added
    _poging(resultaat, bron, user)
    db.session.commit()
    for regel in resultaat.problemen:
        log.warning("publicatie geweigerd: %s", regel)
    return resultaat


def _poging(resultaat: Publicatie, bron: str, user: User | None) -> None:
    db.session.add(
        PublicatiePoging(
            bron=bron, user_id=user.id if user else None, ok=resultaat.ok, problemen=resultaat.geweigerd,
            gepubliceerd=[d.label for d in resultaat.gepubliceerd],
        )
    )  # fmt: skip
    db.session.flush()


# --- the gate for one diagram ---------------------------------------------------------------
def _keur(path: Path, met_scenarios: bool, functies: frozenset[str]) -> list[str]:
    """The problem lines of one diagram in the private copy; empty when it may be published."""
    digest = _digest(path, met_scenarios, functies)
    if digest in _goedgekeurd:
        return []
    regels = check_file(path, functies)
    if not regels and met_scenarios:
        regels = _scenario_problemen(path)
    if not regels:
        if len(_goedgekeurd) >= _CACHE_MAX:
            _goedgekeurd.clear()
        _goedgekeurd.update({digest, _digest(path, False, functies)})  # passing both means passing the check
    return regels


def _scenario_problemen(path: Path) -> list[str]:
    bestand = scenario_file(path)
    if not bestand.is_file():
        return [f"{path.name}:1: -: geen scenariobestand {bestand.name}; {_PAS_ALS}"]
    with stille_engine():
        resultaten = verify(path)
    if not resultaten or _geen_scenarios(bestand):
        return [f"{bestand.name}:1: -: bevat geen scenario's; {_PAS_ALS}"]
    tekst = bestand.read_text("utf-8", errors="replace")
    mislukt = [r for r in resultaten if not r.passed]
    return [f"{bestand.name}:{_regel_van(tekst, r.naam)}: scenario ‘{r.naam}’: {r.melding}" for r in mislukt]


def _geen_scenarios(bestand: Path) -> bool:
    try:
        return not load_scenarios(bestand)
    except ValueError:
        return False  # a broken file is reported by verify as a failed result


def _regel_van(tekst: str, naam: str) -> int:
    """The line that names a scenario in its file (1 when it cannot be found)."""
    for nummer, regel in enumerate(tekst.splitlines(), 1):
        if "naam:" in regel and naam in regel:
            return nummer
    return 1


def _digest(path: Path, met_scenarios: bool, functies: frozenset[str]) -> str:
    """Of exactly what the gate reads: the diagram, the forms it names, its scenarios, the vocabularies."""
    digest = hashlib.sha256(b"check+scenarios" if met_scenarios else b"check")
    digest.update("\0".join(sorted(functies)).encode())
    bestanden = [path.name, *sorted(_formulieren(path)), BESTAND]
    if met_scenarios:
        bestanden.append(path.stem + SUFFIX)
    for naam in bestanden:
        bestand = path.parent / naam
        digest.update(b"\0" + naam.encode() + b"\0")
        digest.update(bestand.read_bytes() if bestand.is_file() else b"\0ontbreekt\0")
    return digest.hexdigest()


def _formulieren(path: Path) -> set[str]:
    """The form file names a diagram refers to (plain names only: the check refuses others)."""
    try:
        tree = etree.fromstring(path.read_bytes(), _XML_PARSER)  # noqa: S320 - hardened parser
    except etree.XMLSyntaxError:
        return set()
    namen = " or ".join(f"@name='{name}'" for name in FORM_PROPERTIES)
    values = tree.xpath(f"//spiffworkflow:property[{namen}]/@value", namespaces=NS)
    return {str(v) for v in values if str(v) and Path(str(v)).name == str(v) and not str(v).startswith(".")}


def _scenario_tekst(path: Path) -> str | None:
    bestand = scenario_file(path)
    return bestand.read_text("utf-8") if bestand.is_file() else None


# --- the private copies -------------------------------------------------------------------
@contextmanager
def _kopie_van_map(bpmn_dir: Path) -> Iterator[Path]:
    """Every file of ``bpmn_dir``, read once; a missing folder gives an empty copy."""
    with tempfile.TemporaryDirectory(prefix="kansrijk-publiceren-") as tmp:
        kopie = Path(tmp)
        if bpmn_dir.is_dir():
            for bestand in sorted(bpmn_dir.iterdir()):
                if bestand.is_file() and not bestand.name.startswith("."):
                    shutil.copyfile(bestand, kopie / bestand.name)
        yield kopie


@contextmanager
def _kopie_van_versie(definition: ProcessDefinition, bpmn_dir: Path) -> Iterator[Path]:
    """A stored version as files (diagram, forms, scenarios) beside today's vocabulary."""
    with tempfile.TemporaryDirectory(prefix="kansrijk-terugzetten-") as tmp:
        kopie = Path(tmp)
        (kopie / f"{definition.process_key}.bpmn").write_text(definition.bpmn_xml, "utf-8")
        for naam, schema in definition.forms.items():
            (kopie / naam).write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", "utf-8")
        (kopie / f"{definition.process_key}{SUFFIX}").write_text(definition.scenarios or "", "utf-8")
        vocabulaire = bpmn_dir / BESTAND
        if vocabulaire.is_file():
            shutil.copyfile(vocabulaire, kopie / BESTAND)
        yield kopie
