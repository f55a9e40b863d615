"""The status vocabulary of a hulpvraag: ``statussen.yaml`` beside the diagrams (domain.md §4).

A process owner adds a status with one line in that file; everything else (the check, the
engine, the LVS short list, the list filter, retention, who sees what) asks this module.
The file of a diagram folder wins; a folder without one (a test's temp dir) uses the default
``bpmn/statussen.yaml``. Each file is read once and read again when it changes (path + mtime).

``lees`` never raises: what is wrong is in ``Statuslijst.problemen`` (for ``bpmn check``).
``statuslijst`` and the helpers below it refuse a file with problems (``StatussenFout``).
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from flask import current_app, has_app_context

from models.hulpvraag import AANMELDING, VOORLOPIGE_AANMELDING

log = logging.getLogger(__name__)
BESTAND = "statussen.yaml"
STANDAARD_MAP = Path(__file__).resolve().parent.parent / "bpmn"
SLEUTELS = ("naam", "lvs", "eind", "achtervoegsel", "swv", "betekenis")
JA_NEE = ("eind", "achtervoegsel", "swv")
_JA, _NEE = {"ja", "true", "yes"}, {"nee", "false", "no"}
_NODIG = (VOORLOPIGE_AANMELDING, AANMELDING)  # the app sets these itself (new hulpvraag, LVS)


@dataclass(frozen=True)
class Status:
    """One line of statussen.yaml."""

    naam: str
    lvs: str
    eind: bool
    achtervoegsel: bool  # takes a [functie]/[aanduiding]: "Doorzetten orthopedagoog"
    swv: bool  # SWV staff (not beheerders) may see a hulpvraag with this status
    betekenis: str
    regel: int


class StatussenFout(ValueError):
    """statussen.yaml cannot be used; ``problemen`` holds check-style lines."""

    def __init__(self, problemen: list[str]) -> None:
        super().__init__("\n".join(problemen))
        self.problemen = problemen


@dataclass
class Statuslijst:
    """The statuses of one file, in file order, and what is wrong with the file."""

    pad: Path
    statussen: list[Status] = field(default_factory=list)
    problemen: list[str] = field(default_factory=list)

    def namen(self) -> list[str]:
        return [s.naam for s in self.statussen]

    def zoek(self, status: str) -> Status | None:
        """The entry of ``status``: its exact name, or the longest name taking a suffix it starts with."""
        exact = next((s for s in self.statussen if s.naam == status), None)
        if exact is not None:
            return exact
        met_suffix = [s for s in self.statussen if s.achtervoegsel and _heeft_suffix(status, s.naam)]
        return max(met_suffix, key=lambda s: len(s.naam), default=None)

    def is_bekend(self, status: str) -> bool:
        return self.zoek(status) is not None

    def is_bekend_begin(self, begin: str) -> bool:
        """Whether ``begin`` + anything can be a status, as in "Doorzetten " + functie."""
        return any(s.achtervoegsel and begin.startswith(s.naam + " ") for s in self.statussen)

    def suggestie(self, status: str) -> str | None:
        """The nearest known status (difflib), keeping a suffix: "Doorzettn x" → "Doorzetten x"."""
        kandidaten = self.namen()
        woorden = status.split()
        for s in self.statussen:
            rest = woorden[len(s.naam.split()):]
            if s.achtervoegsel and rest:
                kandidaten.append(f"{s.naam} {' '.join(rest)}")
        gevonden = difflib.get_close_matches(status, kandidaten, n=1, cutoff=0.6)
        return gevonden[0] if gevonden else None

    def onbekend(self, status: str, begin: bool = False) -> str:
        """A Dutch message for a status this file does not know, with a did-you-mean."""
        if begin:
            namen = [s.naam for s in self.statussen if s.achtervoegsel]
            tip = next(iter(difflib.get_close_matches(status.strip(), namen, n=1, cutoff=0.6)), None)
            tekst = f'zet_status("{status}" + …) geeft geen status uit {BESTAND}'
            return tekst + (f" (bedoelde u \"{tip} \"?)" if tip else "")
        tip = self.suggestie(status.strip())
        return f"onbekende status '{status}': staat niet in {BESTAND}" + (f" (bedoelde u '{tip}'?)" if tip else "")


def _heeft_suffix(status: str, naam: str) -> bool:
    return status.startswith(naam + " ") and bool(status[len(naam) + 1 :].strip())


# --- which file, read and cached ------------------------------------------------------------
_CACHE: dict[Path, tuple[tuple[int, int], Statuslijst]] = {}
_LAATSTE_GOEDE: dict[Path, Statuslijst] = {}
# The folder of the diagram being run outside the app (flask bpmn test <dir>): see ``in_map``.
_MAP: ContextVar[Path | None] = ContextVar("statussen_map", default=None)


@contextmanager
def in_map(bpmn_dir: str | Path) -> Iterator[None]:
    """Within this block, statuses come from the statussen.yaml of ``bpmn_dir`` (scenario runs)."""
    token = _MAP.set(Path(bpmn_dir))
    try:
        yield
    finally:
        _MAP.reset(token)


def bestand(bpmn_dir: str | Path | None = None) -> Path:
    """The statussen.yaml of ``bpmn_dir`` (a folder or a diagram in it; default: the app's BPMN_DIR)."""
    if bpmn_dir is None:
        bpmn_dir = _MAP.get() or (current_app.config["BPMN_DIR"] if has_app_context() else STANDAARD_MAP)
    folder = Path(bpmn_dir)
    eigen = (folder.parent if folder.suffix == ".bpmn" else folder) / BESTAND
    return eigen if eigen.is_file() else STANDAARD_MAP / BESTAND


def lees(bpmn_dir: str | Path | None = None) -> Statuslijst:
    """The vocabulary of ``bpmn_dir``, with its problems (never raises)."""
    pad = bestand(bpmn_dir).resolve()
    try:
        stat = pad.stat()
        sleutel = (stat.st_mtime_ns, stat.st_size)
    except OSError as exc:
        return Statuslijst(pad, problemen=[f"{pad.name}:1: -: bestand niet leesbaar: {exc.strerror}"])
    bewaard = _CACHE.get(pad)
    if bewaard is not None and bewaard[0] == sleutel:
        return bewaard[1]
    lijst = _parse(pad)
    _CACHE[pad] = (sleutel, lijst)
    return lijst


def statuslijst(bpmn_dir: str | Path | None = None) -> Statuslijst:
    """The vocabulary to run with.

    A file broken while the app runs does not stop the service: the last good version of that
    file stays in use (``bpmn check`` reports the problems). Only a file that was never good
    raises StatussenFout."""
    lijst = lees(bpmn_dir)
    if not lijst.problemen:
        _LAATSTE_GOEDE[lijst.pad] = lijst
        return lijst
    vorige = _LAATSTE_GOEDE.get(lijst.pad)
    if vorige is not None:
        log.warning("%s has problems; the last good version stays in use", lijst.pad.name)
        return vorige
    raise StatussenFout(lijst.problemen)


def problemen(bpmn_dir: str | Path | None = None) -> list[str]:
    """What is wrong with the vocabulary file (``file:line: status: message``), for ``bpmn check``."""
    return list(lees(bpmn_dir).problemen)


# --- parsing with line numbers ---------------------------------------------------------------
class _Lezer:
    """Builds a Statuslijst from the YAML node tree, so every problem has its line."""

    def __init__(self, pad: Path) -> None:
        self.lijst = Statuslijst(pad)
        self.regels: dict[str, int] = {}

    def fout(self, regel: int, naam: str | None, melding: str) -> None:
        self.lijst.problemen.append(f"{self.lijst.pad.name}:{regel}: {naam or '-'}: {melding}")

    def lees(self, tekst: str) -> None:
        try:
            root = yaml.compose(tekst, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            self.fout(_regel_van(exc, tekst), None, f"geen geldige YAML: {getattr(exc, 'problem', None) or exc}")
            return
        items = _waarde_van(root, "statussen") if isinstance(root, yaml.MappingNode) else None
        if not isinstance(items, yaml.SequenceNode) or not items.value:
            regel = root.start_mark.line + 1 if root is not None else 1
            self.fout(regel, None, "het bestand heeft 'statussen:' nodig met daaronder een lijst, één status per regel")
            return
        for item in items.value:
            self.status(item)
        for naam in _NODIG:
            if naam not in self.regels:
                self.fout(1, naam, "ontbreekt; de app zet deze status zelf, hij moet in de lijst blijven")

    def status(self, item: yaml.Node) -> None:
        regel = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            self.fout(regel, None, "een status is één regel {naam: …, lvs: …, eind: …, achtervoegsel: …, "
                                   "swv: …, betekenis: …}")
            return
        velden = self.velden(item, regel)
        naam = " ".join(str(velden.get("naam") or "").split())
        if not naam:
            self.fout(regel, None, "naam ontbreekt")
            return
        if naam in self.regels:
            self.fout(regel, naam, f"deze status staat er twee keer in (ook op regel {self.regels[naam]})")
            return
        self.regels[naam] = regel
        for sleutel in SLEUTELS[1:]:
            if sleutel not in velden:
                self.fout(regel, naam, self.ontbrekend(sleutel))
        lvs = self.lvs(regel, naam, velden.get("lvs"))
        ja_nee = {s: self.ja_nee(regel, naam, s, velden.get(s)) for s in JA_NEE}
        betekenis = str(velden.get("betekenis") or "").strip()
        if "betekenis" in velden and not betekenis:
            self.fout(regel, naam, "betekenis is leeg: zeg in gewone woorden wat de status betekent")
        nieuw = Status(naam, lvs, ja_nee["eind"], ja_nee["achtervoegsel"], ja_nee["swv"], betekenis, regel)
        self.lijst.statussen.append(nieuw)

    def velden(self, item: yaml.MappingNode, regel: int) -> dict[str, Any]:
        velden: dict[str, Any] = {}
        for key_node, value_node in item.value:
            sleutel = str(key_node.value)
            if sleutel not in SLEUTELS:
                tip = difflib.get_close_matches(sleutel, SLEUTELS, n=1)
                hint = f"bedoelde u '{tip[0]}'?" if tip else f"wel: {', '.join(SLEUTELS)}"
                self.fout(regel, _naam_in(item), f"onbekende sleutel '{sleutel}' ({hint})")
            elif sleutel in velden:
                self.fout(regel, _naam_in(item), f"sleutel '{sleutel}' staat er twee keer")
            else:
                velden[sleutel] = value_node.value if isinstance(value_node, yaml.ScalarNode) else None
        return velden

    def ontbrekend(self, sleutel: str) -> str:
        if sleutel == "lvs":
            return f"geen LVS-status (lvs: …); kies één van: {', '.join(_lvs_statussen())}"
        return f"{sleutel} ontbreekt" + (" (ja of nee)" if sleutel in JA_NEE else "")

    def lvs(self, regel: int, naam: str, waarde: Any) -> str:
        tekst = " ".join(str(waarde or "").split())
        if waarde is not None and not tekst:
            self.fout(regel, naam, self.ontbrekend("lvs"))
        elif waarde is not None and tekst not in _lvs_statussen():
            tip = difflib.get_close_matches(tekst, _lvs_statussen(), n=1)
            hint = f"bedoelde u '{tip[0]}'?" if tip else f"wel: {', '.join(_lvs_statussen())}"
            self.fout(regel, naam, f"onbekende LVS-status '{tekst}' ({hint})")
            return ""
        return tekst

    def ja_nee(self, regel: int, naam: str, sleutel: str, waarde: Any) -> bool:
        tekst = str(waarde or "").strip().lower()
        if waarde is not None and tekst not in _JA | _NEE:
            self.fout(regel, naam, f"{sleutel} is ja of nee, niet '{waarde}'")
        return tekst in _JA


def _regel_van(exc: yaml.YAMLError, tekst: str) -> int:
    """The line of a YAML error; an error at the end of the file (a missing "}") is where it began."""
    marks = [getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)]
    regels = [m.line + 1 for m in marks if m is not None]
    laatste = len(tekst.splitlines()) or 1
    binnen = [r for r in regels if r <= laatste]
    return binnen[0] if binnen else laatste


def _waarde_van(mapping: yaml.MappingNode, sleutel: str) -> yaml.Node | None:
    return next((v for k, v in mapping.value if getattr(k, "value", None) == sleutel), None)


def _naam_in(item: yaml.MappingNode) -> str | None:
    naam = _waarde_van(item, "naam")
    return str(naam.value) if isinstance(naam, yaml.ScalarNode) else None


def _lvs_statussen() -> tuple[str, ...]:
    from workflow.lvs_push import LVS_STATUSSEN  # the LVS's contract lives with the push

    return LVS_STATUSSEN


def _parse(pad: Path) -> Statuslijst:
    lezer = _Lezer(pad)
    try:
        lezer.lees(pad.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        lezer.fout(1, None, f"bestand niet leesbaar: {exc}")
    return lezer.lijst


# --- what the rest of the app asks -------------------------------------------------------------
def zoek(status: str, bpmn_dir: str | Path | None = None) -> Status | None:
    return statuslijst(bpmn_dir).zoek(status)


def is_bekende_status(status: str, bpmn_dir: str | Path | None = None) -> bool:
    """True for a status in statussen.yaml, with a [functie]/[aanduiding] where it takes one."""
    return zoek(status, bpmn_dir) is not None


def is_eindstatus(status: str, bpmn_dir: str | Path | None = None) -> bool:
    gevonden = zoek(status, bpmn_dir)
    return gevonden is not None and gevonden.eind


def lvs_status(status: str, bpmn_dir: str | Path | None = None) -> str | None:
    """The LVS short-list status of ``status``; None for a status the file does not know."""
    gevonden = zoek(status, bpmn_dir)
    return gevonden.lvs if gevonden is not None else None


def zichtbaar_voor_swv(status: str, bpmn_dir: str | Path | None = None) -> bool:
    gevonden = zoek(status, bpmn_dir)
    return gevonden is None or gevonden.swv


def filterstatussen(met_verborgen: bool, bpmn_dir: str | Path | None = None) -> list[str]:
    """The statuses for a filter, in file order; those hidden from SWV staff only ``met_verborgen``."""
    return [s.naam for s in statuslijst(bpmn_dir).statussen if met_verborgen or s.swv]


# --- SQL ---------------------------------------------------------------------------------------
def status_in(column: Any, statussen: Iterable[Status]) -> sa.ColumnElement[bool]:
    """SQL: ``column`` holds one of ``statussen`` (with a suffix where the status takes one)."""
    clauses: list[sa.ColumnElement[bool]] = []
    for s in statussen:
        clauses.append(column == s.naam)
        if s.achtervoegsel:
            clauses.append(column.like(_like_escape(s.naam) + " %", escape="\\"))
    return sa.or_(*clauses) if clauses else sa.false()


def eindstatus_sql(column: Any, bpmn_dir: str | Path | None = None) -> sa.ColumnElement[bool]:
    return status_in(column, [s for s in statuslijst(bpmn_dir).statussen if s.eind])


def zichtbaar_voor_swv_sql(column: Any, bpmn_dir: str | Path | None = None) -> sa.ColumnElement[bool]:
    verborgen = [s for s in statuslijst(bpmn_dir).statussen if not s.swv]
    return sa.not_(status_in(column, verborgen)) if verborgen else sa.true()


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
