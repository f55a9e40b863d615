"""Backup and restore (issue 18 item 8, R13): a populated instance is backed up, wiped and
restored, and every row and every file is back, with no orphan and nothing missing; a damaged
backup is refused before anything changes. Runs on SQLite and on PostgreSQL (CI)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from models import Bijlage, db
from tests.conftest import new_hulpvraag
from tests.test_bijlagen import pdf
from web.seed import DemoWorld, create_demo_hulpvragen
from workflow.bijlagen import voeg_toe


@pytest.fixture
def populated(app: Flask, world: DemoWorld, tmp_path: Path) -> DemoWorld:
    app.config["BIJLAGEN_DIR"] = str(tmp_path / "bijlagen")
    create_demo_hulpvragen(world)
    for i, hulpvraag in enumerate(world.hulpvragen[:3]):
        voeg_toe(hulpvraag, io.BytesIO(pdf(f"OPP nummer {i}")), f"OPP-{i}.pdf", world.users["aanvrager"])
    voeg_toe(new_hulpvraag(world, "Mila"), io.BytesIO(pdf("verslag")), "verslag.pdf", world.users["aanvrager"])
    db.session.commit()
    return world


def _snapshot() -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, as text (so SQLite and PostgreSQL compare alike)."""
    with db.engine.connect() as connection:
        return {
            table.name: sorted(tuple(str(v) for v in row) for row in connection.execute(sa.select(table)))
            for table in db.metadata.sorted_tables
        }


def _files(app: Flask) -> dict[str, bytes]:
    folder = Path(app.config["BIJLAGEN_DIR"])
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} if folder.exists() else {}


def _wipe(app: Flask) -> None:
    db.session.remove()
    db.drop_all()
    shutil.rmtree(app.config["BIJLAGEN_DIR"])


def _backup(runner, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["backup", "--doel", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    [folder] = (tmp_path / "backups").iterdir()
    assert "Back-up gemaakt" in result.output
    return folder


def test_backup_wipe_restore_gives_back_every_row_and_every_file(app, runner, populated, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rows, files = _snapshot(), _files(app)
    assert len(files) == 4 and sum(len(r) for r in rows.values()) > 50
    folder = _backup(runner, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert set(manifest["bestanden"]) == set(files)
    assert manifest["tabellen"]["bijlage"] == 4

    _wipe(app)
    result = runner.invoke(args=["restore", str(folder), "--ja"])
    assert result.exit_code == 0, result.output
    assert "controlegetallen in orde" in result.output and "Hersteld:" in result.output
    assert "Let op" not in result.output  # no orphan file

    assert _snapshot() == rows
    assert _files(app) == files
    keys = set(db.session.scalars(sa.select(Bijlage.opslag_sleutel)))
    assert keys == set(files)  # nothing missing, no orphan


def test_a_damaged_backup_is_refused_and_nothing_changes(app, runner, populated, tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = _backup(runner, tmp_path)
    rows, files = _snapshot(), _files(app)
    victim = next((folder / "bestanden").iterdir())
    victim.write_bytes(victim.read_bytes() + b"x")
    result = runner.invoke(args=["restore", str(folder), "--ja"])
    assert result.exit_code == 1
    assert "controlegetal klopt niet" in result.output and "er is niets hersteld" in result.output
    victim.unlink()
    result = runner.invoke(args=["restore", str(folder), "--ja"])
    assert result.exit_code == 1 and "ontbreekt" in result.output
    (folder / "manifest.json").unlink()
    result = runner.invoke(args=["restore", str(folder), "--ja"])
    assert result.exit_code == 1 and "geen back-up van Kansrijk" in result.output
    assert _snapshot() == rows and _files(app) == files


def test_a_file_missing_from_the_store_is_reported_by_the_backup(app, runner, populated, tmp_path) -> None:  # type: ignore[no-untyped-def]
    lost = db.session.scalars(sa.select(Bijlage.opslag_sleutel)).first()
    (Path(app.config["BIJLAGEN_DIR"]) / lost).unlink()
    result = runner.invoke(args=["backup", "--doel", str(tmp_path / "backups")])
    assert result.exit_code == 1
    assert "ontbraken al in de opslag" in result.output and lost in result.output
    [folder] = (tmp_path / "backups").iterdir()
    assert json.loads((folder / "manifest.json").read_text())["ontbrekend"] == [lost]
