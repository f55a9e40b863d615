"""``flask seed-demo``: demo accounts and hulpvragen in an empty database, and only there."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa

from models import Hulpvraag, ProcessDefinition, User, db
from workflow.statussen import is_bekende_status

BPMN = Path(__file__).resolve().parent.parent / "bpmn"
ACCOUNTS = (
    "aanvrager",
    "aanvrager2",
    "directeur",
    "scp",
    "scp2",
    "orthopedagoog",
    "psycholoog",
    "tlvadmin",
    "regiomanager",
    "financien",
    "leescoordinator",
    "psychiater",
    "arts",
    "maatschappelijkwerker",
    "ambulantbegeleider",
    "beheerder",
    "procesbeheerder",
    "extern",
)


def counts() -> dict[str, int]:
    def count(model: type) -> int:
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)

    return {"users": count(User), "hulpvragen": count(Hulpvraag), "definities": count(ProcessDefinition)}


def test_seed_demo_creates_the_demo_accounts_and_hulpvragen(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["seed-demo"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    assert sorted(users) == sorted(ACCOUNTS)
    for username in ACCOUNTS:
        assert users[username].check_password("kansrijk-demo"), username
        assert username in result.output
    assert "kansrijk-demo" in result.output
    assert users["orthopedagoog"].functie_namen == {"orthopedagoog"}
    for rol_en_functie in ("functionaris (financiën)", "functionaris (leescoördinator)", "scp", "beheerder"):
        assert rol_en_functie in result.output  # each account printed with its role
    assert "OBS De Regenboog" in result.output
    statuses = [h.status for h in db.session.scalars(sa.select(Hulpvraag))]
    assert len(set(statuses)) >= 4, statuses
    assert all(is_bekende_status(s) for s in statuses)
    assert {"Voorlopige aanmelding", "Aanmelding", "Dossier compleet", "Afgewezen"} <= set(statuses)


def test_seed_demo_table_lists_role_and_school_per_account(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["seed-demo"])

    lines = {line.split()[0]: line for line in result.output.splitlines() if line.strip()}
    assert "aanvrager" in lines["aanvrager"] and "OBS De Regenboog, CBS De Fontein" in lines["aanvrager"]
    assert "functionaris (psycholoog)" in lines["psycholoog"]
    assert "contactpersoon van IKC Het Kompas" in lines["scp2"]


def test_seed_demo_refuses_a_database_with_users_and_changes_nothing(runner) -> None:  # type: ignore[no-untyped-def]
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    db.session.expire_all()
    before = counts()

    result = runner.invoke(args=["seed-demo"])

    assert result.exit_code == 1
    assert "De database bevat al gebruikers" in result.output
    assert "Er is niets veranderd." in result.output
    db.session.expire_all()
    assert counts() == before


def test_seed_demo_publishes_the_diagrams_when_none_is_published(runner) -> None:  # type: ignore[no-untyped-def]
    db.session.execute(sa.delete(ProcessDefinition))
    db.session.commit()

    result = runner.invoke(args=["seed-demo"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert counts()["definities"] == len(list(BPMN.glob("*.bpmn")))  # every diagram in bpmn/
    assert counts()["hulpvragen"] == 6


def test_bpmn_publish_reports_versions(runner) -> None:  # type: ignore[no-untyped-def]
    version = db.session.scalars(sa.select(ProcessDefinition).filter_by(process_key="hulpvraag")).one().versie

    result = runner.invoke(args=["bpmn", "publish"])

    assert result.exit_code == 0, result.output
    assert f"hulpvraag: ongewijzigd, versie {version}" in result.output


def test_bpmn_publish_a_changed_diagram_and_refuse_a_broken_one(app, runner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for file in Path(app.config["BPMN_DIR"]).glob("hulpvraag*"):
        shutil.copy(file, tmp_path / file.name)
    diagram = tmp_path / "hulpvraag.bpmn"
    diagram.write_text(diagram.read_text("utf-8").replace('name="Hulpvraag indienen"', 'name="Indienen"'), "utf-8")
    app.config["BPMN_DIR"] = str(tmp_path)

    result = runner.invoke(args=["bpmn", "publish"])

    assert result.exit_code == 0, result.output
    new = db.session.scalars(sa.select(ProcessDefinition).order_by(ProcessDefinition.id.desc())).first()
    assert result.output.strip() == f"hulpvraag: nieuw gepubliceerd, versie {new.versie}"

    diagram.write_text(diagram.read_text("utf-8").replace('value="Aanmelding"', 'value="Aangemeld"'), "utf-8")
    before = counts()
    result = runner.invoke(args=["bpmn", "publish"])

    assert result.exit_code == 1
    assert "indienen: eigenschap status: onbekende status 'Aangemeld'" in result.output
    assert "Niets gepubliceerd" in result.output
    assert counts() == before
