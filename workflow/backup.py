"""Backup and restore (R13): the database and the stored files, with a manifest of checksums.

A backup is one folder::

    kansrijk-backup-20261202-013000/
        manifest.json       what is in it: checksums, row counts, the schema revision
        database.sqlite     SQLite's online backup API (a consistent copy while the app runs), or
        database.pgdump     pg_dump's custom format (PostgreSQL)
        bestanden/<key>     the bytes of every stored file a row refers to (bijlagen and the like)

Stored files are found through every column called ``opslag_sleutel``, so a new table that keeps
files in the store is backed up without a change here. Files are read after the database is
copied: a file uploaded in between is taken along but belongs to no restored row, and is not
restored; a file deleted in between is reported as missing.

``restore`` checks the whole manifest before it changes anything; then it restores the database,
writes the files back under their keys, and checks the result: every table has the rows the
manifest counted, every row's file is there with its checksum (nothing missing), and every file
in the store belongs to a row (no orphan).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import URL

from models import db
from workflow.opslag import BestandOpslag, opslag

FORMAAT = 1
MANIFEST = "manifest.json"
BESTANDEN = "bestanden"
SLEUTEL_KOLOM = "opslag_sleutel"


class BackupFout(Exception):
    """A backup or restore that cannot be done, in Dutch; nothing was changed."""


@dataclass
class Verslag:
    map: Path
    tabellen: dict[str, int] = field(default_factory=dict)
    bestanden: int = 0
    ontbrekend: list[str] = field(default_factory=list)  # keys a row names but the store lacks
    wezen: list[str] = field(default_factory=list)  # files in the store no row names

    @property
    def rijen(self) -> int:
        return sum(self.tabellen.values())


# --- backup ----------------------------------------------------------------------------
def backup(doel: Path, nu: datetime | None = None) -> Verslag:
    """Write a backup folder under ``doel``; returns what it holds (missing files are reported)."""
    stamp = (nu or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    folder = doel / f"kansrijk-backup-{stamp}"
    if folder.exists():
        raise BackupFout(f"De map {folder} bestaat al; kies een andere doelmap of wacht een seconde.")
    folder.mkdir(parents=True, mode=0o700)
    try:
        return _backup_into(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # never leave half a backup that looks whole
        raise


def _backup_into(folder: Path) -> Verslag:
    url = db.engine.url
    database = _dump_database(url, folder)
    verslag = Verslag(folder, tabellen=_row_counts())
    store = opslag()
    bestanden: dict[str, dict[str, Any]] = {}
    (folder / BESTANDEN).mkdir(mode=0o700)
    for sleutel in sorted(_sleutels()):
        try:
            with store.open(sleutel) as stream, (folder / BESTANDEN / sleutel).open("wb") as out:
                shutil.copyfileobj(stream, out)
        except FileNotFoundError:
            verslag.ontbrekend.append(sleutel)
            continue
        bestanden[sleutel] = _beschrijf(folder / BESTANDEN / sleutel)
    verslag.bestanden = len(bestanden)
    manifest = {
        "formaat": FORMAAT,
        "gemaakt_op": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {"soort": url.get_backend_name(), **database},
        "schema_revisie": _schema_revisie(),
        "tabellen": verslag.tabellen,
        "bestanden": bestanden,
        "ontbrekend": verslag.ontbrekend,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), "utf-8")
    return verslag


def _dump_database(url: URL, folder: Path) -> dict[str, Any]:
    backend = url.get_backend_name()
    if backend == "sqlite":
        target = folder / "database.sqlite"
        source = sqlite3.connect(_sqlite_path(url))
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # the online backup API: consistent while the app writes
        finally:
            copy.close()
            source.close()
    elif backend == "postgresql":
        target = folder / "database.pgdump"
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}",
              f"--dbname={_libpq(url)}"], url, "pg_dump")  # fmt: skip
    else:
        raise BackupFout(f"Back-up van een {backend}-database wordt niet ondersteund (wel SQLite en PostgreSQL).")
    return {"bestand": target.name, **_beschrijf(target)}


def _row_counts() -> dict[str, int]:
    with db.engine.connect() as connection:
        return {
            table.name: connection.scalar(sa.select(sa.func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables
        }


def _sleutels() -> set[str]:
    """Every storage key a row refers to, in every table with an ``opslag_sleutel`` column."""
    keys: set[str] = set()
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            column = table.columns.get(SLEUTEL_KOLOM)
            if column is not None:
                keys.update(k for k in connection.scalars(sa.select(column).where(column.is_not(None))) if k)
    return keys


def _schema_revisie() -> str | None:
    try:
        with db.engine.connect() as connection:
            return connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
    except sa.exc.DBAPIError:
        return None  # a database made with create_all (tests) has no revision table


# --- restore ---------------------------------------------------------------------------
def lees_manifest(bron: Path) -> dict[str, Any]:
    """The manifest, after checking that every file it names is there with its checksum."""
    pad = bron / MANIFEST
    if not pad.is_file():
        raise BackupFout(f"In {bron} staat geen {MANIFEST}: dit is geen back-up van Kansrijk.")
    try:
        manifest = json.loads(pad.read_text("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupFout(f"{MANIFEST} is beschadigd en kan niet gelezen worden.") from exc
    if not isinstance(manifest, dict) or manifest.get("formaat") != FORMAAT:
        raise BackupFout(f"{MANIFEST} heeft een onbekend formaat (verwacht formaat {FORMAAT}).")
    problemen = []
    database = manifest.get("database") or {}
    te_controleren = [(bron / str(database.get("bestand", "")), database)]
    te_controleren += [(bron / BESTANDEN / k, v) for k, v in (manifest.get("bestanden") or {}).items()]
    for bestand, verwacht in te_controleren:
        if not bestand.is_file():
            problemen.append(f"{bestand.relative_to(bron)} ontbreekt")
        elif _beschrijf(bestand) != {"sha256": verwacht.get("sha256"), "grootte": verwacht.get("grootte")}:
            problemen.append(f"{bestand.relative_to(bron)} is gewijzigd of beschadigd (controlegetal klopt niet)")
    if problemen:
        raise BackupFout("De back-up is niet compleet of niet in orde; er is niets hersteld: " + "; ".join(problemen))
    return manifest


def restore(bron: Path) -> Verslag:
    """Restore the database and the files of the backup in ``bron``, then check the result."""
    manifest = lees_manifest(bron)
    url = db.engine.url
    soort = manifest["database"]["soort"]
    if soort != url.get_backend_name():
        raise BackupFout(
            f"Deze back-up is van een {soort}-database; deze installatie gebruikt {url.get_backend_name()}."
        )
    store = opslag()
    if not isinstance(store, BestandOpslag):
        raise BackupFout("Herstellen kan alleen naar de bestandsopslag (BIJLAGEN_OPSLAG=bestand).")
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold on to the old database
    _restore_database(url, bron / manifest["database"]["bestand"])
    db.engine.dispose()
    store.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for sleutel in manifest["bestanden"]:
        tijdelijk = store.folder / f".upload-herstel-{sleutel}"
        shutil.copyfile(bron / BESTANDEN / sleutel, tijdelijk)
        os.replace(tijdelijk, store.folder / sleutel)  # validates nothing: keys come from a checked manifest
    return controleer(manifest)


def _restore_database(url: URL, dump: Path) -> None:
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(dump)
        target = sqlite3.connect(_sqlite_path(url))
        try:
            source.backup(target)  # replaces every page of the target: tables not in the backup are gone
        finally:
            target.close()
            source.close()
        return
    _drop_everything(url)
    _run(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
          f"--dbname={_libpq(url)}", str(dump)], url, "pg_restore")  # fmt: skip


def _drop_everything(url: URL) -> None:
    """An empty public schema, so the restored database holds exactly what the dump holds."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def controleer(manifest: dict[str, Any]) -> Verslag:
    """Compare the database and the store with the manifest: rows per table, files, orphans."""
    store = opslag()
    assert isinstance(store, BestandOpslag)
    verslag = Verslag(store.folder, tabellen=_row_counts())
    verschillen = [
        f"tabel {naam}: {verslag.tabellen.get(naam, 0)} rijen, verwacht {aantal}"
        for naam, aantal in manifest["tabellen"].items()
        if verslag.tabellen.get(naam, 0) != aantal
    ]
    sleutels = _sleutels()
    for sleutel in sorted(sleutels):
        pad = store.folder / sleutel
        if not pad.is_file():
            verslag.ontbrekend.append(sleutel)
        elif sleutel in manifest["bestanden"] and _beschrijf(pad)["sha256"] != manifest["bestanden"][sleutel]["sha256"]:
            verschillen.append(f"bestand {sleutel}: controlegetal klopt niet")
    verslag.bestanden = len(sleutels) - len(verslag.ontbrekend)
    verslag.wezen = sorted(p.name for p in _bestanden(store.folder) if p.name not in sleutels)
    if verschillen:
        raise BackupFout("Na het herstellen klopt de database niet met de back-up: " + "; ".join(verschillen))
    return verslag


# --- helpers ---------------------------------------------------------------------------
def _bestanden(folder: Path) -> Iterator[Path]:
    if folder.is_dir():
        yield from (p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def _beschrijf(pad: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with pad.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return {"sha256": digest.hexdigest(), "grootte": pad.stat().st_size}


def _sqlite_path(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupFout("Een SQLite-database in het geheugen kan niet geback-upt worden.")
    return url.database


def _libpq(url: URL) -> str:
    """The SQLAlchemy URL as libpq reads it (no driver name; the password goes via PGPASSWORD)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(command: list[str], url: URL, naam: str) -> None:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=3600)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupFout(f"{naam} is niet geïnstalleerd (Debian: apt-get install postgresql-client).") from exc
    if result.returncode != 0:
        current_app.logger.error("%s failed: %s", naam, result.stderr.strip()[-2000:])
        regels = result.stderr.strip().splitlines()
        raise BackupFout(f"{naam} is mislukt: {regels[-1] if regels else 'onbekende fout'}")
