"""Files stay first-class: the live set as a zip that matches bpmn/, and a zip published through the gate.

The download holds every live diagram as <key>.bpmn with exactly its stored XML, its forms and
its stored scenario file, beside statussen.yaml and aanpakken.yaml from BPMN_DIR, so
``flask bpmn check`` passes on it. An upload is unpacked into a private folder (plain file
names only, no folders or links, bounded sizes) and published from there with ``publiceer``.
statussen.yaml and aanpakken.yaml are read from BPMN_DIR while the app runs, so an upload may
carry them only unchanged.
"""

from __future__ import annotations

import io
import json
import re
import stat
import tempfile
import zipfile
from pathlib import Path

from models import ProcessDefinition, User, db
from workflow import audit
from workflow.engine.definitions import latest_definition
from workflow.engine.publiceren import STUDIO_ZIP, Publicatie, publiceer
from workflow.engine.scenarios import SUFFIX
from workflow.versies import aanpakken, notitie_fout

MAX_ZIP_BYTES = 5 * 1024 * 1024
MAX_BESTAND_BYTES = 4 * 1024 * 1024
MAX_UITGEPAKT_BYTES = 20 * 1024 * 1024
MAX_BESTANDEN = 300
MAX_VERHOUDING = 100  # a file that unpacks to more than 100× its packed size is a zip bomb
GEDEELD = ("statussen.yaml", "aanpakken.yaml")
_NIETS = "Er is niets gepubliceerd."
_NAAM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,120}\.(bpmn|json|yaml)")


class ZipFout(ValueError):
    """The upload cannot be published; the message is Dutch and nothing was changed."""


# --- download ----------------------------------------------------------------------------------
def live_definities() -> list[ProcessDefinition]:
    return [d for key, _ in aanpakken() if (d := latest_definition(key)) is not None]


def live_zip(bpmn_dir: str | Path, user: User) -> bytes:
    """The live set as zip bytes; audited (flushed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archief:
        for naam, inhoud in sorted(_live_bestanden(Path(bpmn_dir)).items()):
            archief.writestr(naam, inhoud)
    audit.record(user, "downloaden", "procesversie", None, detail="live diagrammen als zip")
    return buffer.getvalue()


def _live_bestanden(bpmn_dir: Path) -> dict[str, bytes]:
    bestanden: dict[str, bytes] = {}
    for definition in live_definities():
        bestanden[f"{definition.process_key}.bpmn"] = definition.bpmn_xml.encode("utf-8")
        for naam, schema in (definition.forms or {}).items():
            bestanden[naam] = (json.dumps(schema, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        if definition.scenarios is not None:
            bestanden[f"{definition.process_key}{SUFFIX}"] = definition.scenarios.encode("utf-8")
    for naam in GEDEELD:
        if (bpmn_dir / naam).is_file():
            bestanden[naam] = (bpmn_dir / naam).read_bytes()
    return bestanden


# --- upload ------------------------------------------------------------------------------------
def publiceer_zip(data: bytes, bpmn_dir: str | Path, user: User, notitie: str) -> Publicatie:
    """Unpack ``data`` (refused in Dutch when it is not a plain set of diagram files) and gate it; commits."""
    fout = notitie_fout(notitie, verplicht=True)
    if fout:
        raise ZipFout(fout)
    bestanden = uitpakken(data)
    _zelfde_gedeelde_bestanden(bestanden, Path(bpmn_dir))
    with tempfile.TemporaryDirectory(prefix="kansrijk-zip-") as tmp:
        folder = Path(tmp)
        for naam, inhoud in bestanden.items():
            (folder / naam).write_bytes(inhoud)
        for naam in GEDEELD:
            if naam not in bestanden and (Path(bpmn_dir) / naam).is_file():
                (folder / naam).write_bytes((Path(bpmn_dir) / naam).read_bytes())
        publicatie = publiceer(folder, user=user, notitie=notitie.strip(), bron=STUDIO_ZIP)
    uitkomst = "gepubliceerd" if publicatie.gepubliceerd else ("geweigerd" if not publicatie.ok else "ongewijzigd")
    detail = f"zip geüpload ({len(bestanden)} bestanden): {uitkomst}"
    audit.record(user, "aanmaken", "procesversie", None, detail=detail)
    db.session.commit()
    return publicatie


def uitpakken(data: bytes) -> dict[str, bytes]:
    """name → bytes of every file in the zip, or ZipFout with the first reason it is refused."""
    if len(data) > MAX_ZIP_BYTES:
        raise ZipFout(f"Het zipbestand is groter dan {MAX_ZIP_BYTES // (1024 * 1024)} MB; er is niets gepubliceerd.")
    try:
        archief = zipfile.ZipFile(io.BytesIO(data))
        infos = archief.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ZipFout("Dit is geen geldig zipbestand; er is niets gepubliceerd.") from None
    if len(infos) > MAX_BESTANDEN:
        raise ZipFout(f"Het zipbestand bevat meer dan {MAX_BESTANDEN} bestanden; er is niets gepubliceerd.")
    bestanden: dict[str, bytes] = {}
    totaal = 0
    for info in infos:
        _controleer(info, bestanden)
        inhoud = _lees(archief, info)
        totaal += len(inhoud)
        if totaal > MAX_UITGEPAKT_BYTES:
            raise ZipFout("Het zipbestand pakt uit tot meer dan 20 MB; er is niets gepubliceerd.")
        bestanden[info.filename] = inhoud
    if not any(naam.endswith(".bpmn") for naam in bestanden):
        raise ZipFout("Het zipbestand bevat geen diagram (.bpmn); er is niets gepubliceerd.")
    return bestanden


def _controleer(info: zipfile.ZipInfo, gezien: dict[str, bytes]) -> None:
    naam = info.filename
    getoond = naam[:80]
    if info.is_dir() or "/" in naam or "\\" in naam:
        raise ZipFout(f"‘{getoond}’: mappen en paden zijn niet toegestaan, alleen losse bestanden. {_NIETS}")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise ZipFout(f"‘{getoond}’ is een snelkoppeling (symlink); die zijn niet toegestaan. {_NIETS}")
    if not _NAAM.fullmatch(naam):
        raise ZipFout(
            f"‘{getoond}’ is geen toegestane bestandsnaam (letters, cijfers, - _ . en de extensie .bpmn, .json of "
            ".yaml); er is niets gepubliceerd."
        )
    if naam in gezien:
        raise ZipFout(f"‘{getoond}’ staat twee keer in het zipbestand; er is niets gepubliceerd.")
    if info.file_size > MAX_BESTAND_BYTES or info.file_size > MAX_VERHOUDING * max(info.compress_size, 1024):
        raise ZipFout(f"‘{getoond}’ is uitgepakt te groot; er is niets gepubliceerd.")


def _lees(archief: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """At most the declared size (a lying header cannot make it unpack more)."""
    try:
        with archief.open(info) as bestand:
            inhoud = bestand.read(info.file_size + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, NotImplementedError):
        raise ZipFout(f"‘{info.filename[:80]}’ kan niet worden uitgepakt; er is niets gepubliceerd.") from None
    if len(inhoud) > info.file_size:
        raise ZipFout(f"‘{info.filename[:80]}’ is groter dan het zipbestand opgeeft; er is niets gepubliceerd.")
    return inhoud


def _zelfde_gedeelde_bestanden(bestanden: dict[str, bytes], bpmn_dir: Path) -> None:
    for naam in GEDEELD:
        if naam in bestanden and (bpmn_dir / naam).is_file() and bestanden[naam] != (bpmn_dir / naam).read_bytes():
            raise ZipFout(
                f"{naam} in het zipbestand wijkt af van de map met diagrammen. Dat bestand wordt niet via de studio "
                "gewijzigd (de app leest het uit de map); laat het weg of gebruik de huidige versie. Er is niets "
                "gepubliceerd."
            )
