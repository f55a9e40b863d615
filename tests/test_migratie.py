"""Migration of running cases to another version of their diagram (issue 12, item 4).

Small diagrams are written to tmp_path and published as versions 1, 2, 3 … of the aanpak
"proef"; cases are started on them with start_process, as an aanpak is started on a hulpvraag.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from models import AuditEntry, HumanTask, ProcessDefinition, ProcessInstance, Statuswijziging, db
from tests.browser import assert_accessible, live_server, login, page  # noqa: F401 - fixtures
from tests.conftest import ROOT, csrf_token, new_hulpvraag
from workflow.engine.definitions import publish, read_diagram
from workflow.engine.migratie import (
    MigratieGeweigerd,
    OngeldigeKeuze,
    kies_versies,
    migreer,
    migreer_cli,
    migreer_zaak,
    voorbeeld,
)
from workflow.engine.runtime import _load, claim, complete_task, fire_timers, start_process, task_form

SCHEMA = '<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="formJsonSchemaFilename" value="{form}"/></spiffworkflow:properties></bpmn:extensionElements>'


# --- diagrams ---------------------------------------------------------------------------------
def taak(bpmn_id: str, naam: str, form: str | None = None, prescript: str = "") -> tuple[str, str]:
    props = SCHEMA.format(form=form) if form else ""
    if prescript:
        props = f"<bpmn:extensionElements><spiffworkflow:preScript>{prescript}</spiffworkflow:preScript></bpmn:extensionElements>"
    return bpmn_id, (f'<bpmn:userTask id="{bpmn_id}" name="{naam}">{props}'
                     "<bpmn:incoming>{inc}</bpmn:incoming><bpmn:outgoing>{out}</bpmn:outgoing></bpmn:userTask>")  # fmt: skip


def timer(bpmn_id: str, naam: str, duur: str) -> tuple[str, str]:
    return bpmn_id, (f'<bpmn:intermediateCatchEvent id="{bpmn_id}" name="{naam}">'
                     "<bpmn:incoming>{inc}</bpmn:incoming><bpmn:outgoing>{out}</bpmn:outgoing>"
                     f'<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"{duur}"'
                     "</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>")  # fmt: skip


def proces(*stappen: tuple[str, str], lane: str = "SCP") -> str:
    """Start → each step in a line → end, all in one lane."""
    nodes = [("s", "<bpmn:startEvent id=\"s\"><bpmn:outgoing>{out}</bpmn:outgoing></bpmn:startEvent>"), *stappen,
             ("e", "<bpmn:endEvent id=\"e\"><bpmn:incoming>{inc}</bpmn:incoming></bpmn:endEvent>")]  # fmt: skip
    flows = [f"f_{a[0]}_{b[0]}" for a, b in zip(nodes, nodes[1:], strict=False)]
    elements = [
        xml.replace("{inc}", flows[i - 1] if i else "").replace("{out}", flows[i] if i < len(flows) else "")
        for i, (_id, xml) in enumerate(nodes)
    ]
    sequence = [f'<bpmn:sequenceFlow id="{f}" sourceRef="{a[0]}" targetRef="{b[0]}"/>'
                for f, a, b in zip(flows, nodes, nodes[1:], strict=False)]  # fmt: skip
    refs = "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n, _xml in nodes)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">
  <bpmn:process id="proef" name="Proefaanpak" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="{lane}">{refs}</bpmn:lane></bpmn:laneSet>
    {''.join(elements)}{''.join(sequence)}
  </bpmn:process>
</bpmn:definitions>"""


def publiceer(tmp_path: Path, xml: str, forms: dict[str, dict] | None = None) -> ProcessDefinition:
    for name, schema in (forms or {}).items():
        (tmp_path / name).write_text(json.dumps(schema))
    path = tmp_path / "proef.bpmn"
    path.write_text(xml)
    definition, created = publish(read_diagram(path))
    db.session.commit()
    assert created
    return definition


V1 = proces(taak("intake", "Intake"), taak("beoordelen", "Aanvraag beoordelen"))
V2 = proces(taak("intake", "Intake"), taak("beoordelen", "Aanvraag toetsen"), taak("besluit", "Besluit nemen"))
V3 = proces(taak("intake", "Intake"), taak("besluit", "Besluit nemen"))  # beoordelen removed


# --- cases ----------------------------------------------------------------------------------------
def zaak(world, stappen: int = 0) -> ProcessInstance:  # type: ignore[no-untyped-def]
    """A running case of the live "proef" version, ``stappen`` user tasks further than its start."""
    hulpvraag = new_hulpvraag(world, roepnaam="Zwaantje")  # a pupil's name the pages must not show
    instance = start_process(hulpvraag, "proef", None)
    db.session.commit()
    for _ in range(stappen):
        complete_task(open_taak(instance).id, world.users["scp"], {})
        db.session.commit()
    return instance


def open_taak(instance: ProcessInstance) -> HumanTask:
    return db.session.scalars(sa.select(HumanTask).filter_by(instance_id=instance.id, completed_at=None)).one()


def doe(instance: ProcessInstance, bpmn_id: str, world) -> None:  # type: ignore[no-untyped-def]
    task = db.session.scalars(sa.select(HumanTask).filter_by(instance_id=instance.id, bpmn_id=bpmn_id, completed_at=None)).one()
    complete_task(task.id, world.users["scp"], {})
    db.session.commit()


def rijen(instance: ProcessInstance) -> list[tuple]:
    query = sa.select(HumanTask).filter_by(instance_id=instance.id).order_by(HumanTask.id)
    return [(t.id, t.task_id, t.bpmn_id, t.completed_at, t.claimed_by_id) for t in db.session.scalars(query)]


def engine_taken(instance: ProcessInstance) -> list[tuple[str, str]]:
    """(bpmn id, state) of every task the engine has on this case: its history and its open tasks."""
    db.session.refresh(instance)
    run = _load(instance)
    return [(t.task_spec.bpmn_id, t.state) for t in run.wf.get_tasks() if t.task_spec.bpmn_id and t.state >= 16]


# --- the preview --------------------------------------------------------------------------------
def test_preview_an_added_task_after_the_open_one_can_move_and_the_open_task_maps_to_itself(app, world, tmp_path):
    v1 = publiceer(tmp_path, V1)
    op_intake, op_beoordelen = zaak(world), zaak(world, stappen=1)
    v2 = publiceer(tmp_path, V2)

    rows = {r.instance_id: r for r in voorbeeld(v1, v2)}
    assert set(rows) == {op_intake.id, op_beoordelen.id}
    row = rows[op_beoordelen.id]
    assert row.kan and row.redenen == []
    [overgang] = row.taken
    assert overgang.van == "‘Aanvraag beoordelen’ (beoordelen)" and overgang.naar == "‘Aanvraag toetsen’ (beoordelen)"
    assert "naam" in overgang.wijzigingen
    assert rows[op_intake.id].kan and rows[op_intake.id].taken[0].naar == "‘Intake’ (intake)"
    assert row.aanvraagnummer == op_beoordelen.hulpvraag.aanvraagnummer


def test_preview_a_removed_open_task_cannot_move_and_says_which(app, world, tmp_path):
    v1 = publiceer(tmp_path, V1)
    op_intake, op_beoordelen = zaak(world), zaak(world, stappen=1)
    v3 = publiceer(tmp_path, V3)

    rows = {r.instance_id: r for r in voorbeeld(v1, v3)}
    assert not rows[op_beoordelen.id].kan
    assert rows[op_beoordelen.id].redenen == [
        "Open taak ontbreekt in de nieuwe versie: ‘Aanvraag beoordelen’ (beoordelen)"
        " (op die plek staat nu ‘Besluit nemen’ (besluit))."
    ]  # SpiffWorkflow's diff would have made it 'besluit': a replaced task is not a renamed one
    assert rows[op_beoordelen.id].taken[0].naar is None
    assert rows[op_intake.id].kan  # it has not reached the removed task: it takes the new path


def test_preview_a_removed_completed_task_cannot_move(app, world, tmp_path):
    v1 = publiceer(tmp_path, V2)
    zaak(world, stappen=2)  # at besluit: intake and beoordelen completed
    v2 = publiceer(tmp_path, V3)  # beoordelen, already completed by the case, is gone

    [row] = voorbeeld(v1, v2)
    assert not row.kan
    assert row.redenen == ["Afgeronde stap ontbreekt in de nieuwe versie: ‘Aanvraag toetsen’ (beoordelen); "
                           "de geschiedenis van de zaak past daar niet in."]  # fmt: skip


def test_preview_a_form_only_change_can_move_and_the_open_task_gets_the_new_form(app, world, tmp_path):
    xml = proces(taak("beoordelen", "Aanvraag beoordelen", form="proef-beoordelen.json"))
    schema = {"type": "object", "properties": {"reden": {"type": "string", "title": "Reden"}}}
    v1 = publiceer(tmp_path, xml, {"proef-beoordelen.json": schema})
    instance = zaak(world)
    schema["properties"]["reden"]["title"] = "Motivering"
    v2 = publiceer(tmp_path, xml, {"proef-beoordelen.json": schema})
    assert v2.bpmn_xml == v1.bpmn_xml and v2.id != v1.id

    [row] = voorbeeld(v1, v2)
    assert row.kan and row.opmerkingen == [] and row.taken[0].wijzigingen == ()
    assert task_form(open_taak(instance)).properties["reden"]["title"] == "Reden"
    migreer_zaak(instance, v2, None)
    db.session.commit()
    assert task_form(open_taak(instance)).properties["reden"]["title"] == "Motivering"


def parallel(*takken: str) -> str:
    """Start → a parallel split into one user task per branch → a join → a last task → end."""
    branches = "".join(
        f'<bpmn:userTask id="{t}" name="Tak {t}"><bpmn:incoming>in_{t}</bpmn:incoming><bpmn:outgoing>uit_{t}</bpmn:outgoing></bpmn:userTask>'
        f'<bpmn:sequenceFlow id="in_{t}" sourceRef="split" targetRef="{t}"/><bpmn:sequenceFlow id="uit_{t}" sourceRef="{t}" targetRef="join"/>'
        for t in takken
    )
    ins, outs = "".join(f"<bpmn:outgoing>in_{t}</bpmn:outgoing>" for t in takken), "".join(f"<bpmn:incoming>uit_{t}</bpmn:incoming>" for t in takken)
    refs = "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in ("s", "split", *takken, "join", "laatste", "e"))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="proef" name="Proefaanpak" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="SCP">{refs}</bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="split" name="Splitsen"><bpmn:incoming>f1</bpmn:incoming>{ins}</bpmn:parallelGateway>
    {branches}
    <bpmn:parallelGateway id="join" name="Samenvoegen">{outs}<bpmn:outgoing>f2</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="laatste" name="Afronden"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="split"/><bpmn:sequenceFlow id="f2" sourceRef="join" targetRef="laatste"/>
    <bpmn:sequenceFlow id="f3" sourceRef="laatste" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_preview_a_case_on_parallel_paths_cannot_move_when_the_join_changes(app, world, tmp_path):
    v1 = publiceer(tmp_path, parallel("a", "b"))
    beide_open, een_klaar, na_de_join = zaak(world), zaak(world), zaak(world)
    doe(een_klaar, "a", world)
    doe(na_de_join, "a", world)
    doe(na_de_join, "b", world)
    v2 = publiceer(tmp_path, parallel("a", "b", "c"))  # a third branch: the join now waits for c too

    rows = {r.instance_id: r for r in voorbeeld(v1, v2)}
    for instance in (beide_open, een_klaar):
        assert not rows[instance.id].kan
        assert "loopt over meer paden tegelijk" in rows[instance.id].redenen[0]
        assert "(‘Splitsen’ (split), ‘Samenvoegen’ (join))" in rows[instance.id].redenen[0]
    assert rows[na_de_join.id].kan  # past the join: one path, the change does not matter to it


def test_preview_an_open_task_with_a_pre_script_on_the_new_version_cannot_move(app, world, tmp_path):
    v1 = publiceer(tmp_path, V1)
    zaak(world, stappen=1)
    v2 = publiceer(tmp_path, proces(taak("intake", "Intake"), taak("beoordelen", "Aanvraag beoordelen", prescript="x = 1")))

    [row] = voorbeeld(v1, v2)
    assert not row.kan and row.redenen == [
        "Open taak heeft in de nieuwe versie een pre-script, dat het verplaatsen opnieuw zou uitvoeren: "
        "‘Aanvraag beoordelen’ (beoordelen)."
    ]


def test_the_preview_changes_nothing(app, world, tmp_path):
    v1 = publiceer(tmp_path, V1)
    instance = zaak(world, stappen=1)
    v2 = publiceer(tmp_path, V2)
    state, version = dict(instance.state), instance.version
    voorbeeld(v1, v2)
    db.session.commit()
    db.session.refresh(instance)
    assert instance.definition_id == v1.id and instance.state == state and instance.version == version


# --- moving one case ------------------------------------------------------------------------------
def test_a_moved_case_continues_on_the_new_version_with_its_rows_history_and_audit(app, world, tmp_path):
    publiceer(tmp_path, V1)
    instance = zaak(world, stappen=1)
    claim(open_taak(instance), world.users["scp"])
    db.session.commit()
    before_rows, before_engine = rijen(instance), engine_taken(instance)
    statussen = db.session.scalar(sa.select(sa.func.count(Statuswijziging.id)))
    v2 = publiceer(tmp_path, V2)

    migreer_zaak(instance, v2, world.users["procesbeheerder"])
    db.session.commit()

    db.session.refresh(instance)
    assert instance.definition_id == v2.id
    assert rijen(instance) == before_rows  # same rows, same engine task ids, the claim kept
    assert open_taak(instance).titel == "Aanvraag toetsen"  # what the row mirrors follows the new version
    assert engine_taken(instance) == before_engine  # history intact: intake completed, beoordelen open
    assert db.session.scalar(sa.select(sa.func.count(Statuswijziging.id))) == statussen
    [entry] = db.session.scalars(sa.select(AuditEntry).filter_by(object_id=instance.hulpvraag_id, actie="wijzigen"))
    assert entry.user_id == world.users["procesbeheerder"].id and "verplaatst van v1 naar v2" in entry.detail

    complete_task(open_taak(instance).id, world.users["scp"], {})
    db.session.commit()
    assert open_taak(instance).bpmn_id == "besluit"  # the element that only v2 has
    complete_task(open_taak(instance).id, world.users["scp"], {})
    db.session.commit()
    db.session.refresh(instance)
    assert instance.completed


def test_an_open_task_that_goes_to_another_role_keeps_its_row_and_deadline_but_not_the_claim(app, world, tmp_path):
    publiceer(tmp_path, V1)
    instance = zaak(world, stappen=1)
    row = open_taak(instance)
    claim(row, world.users["scp"])
    row.due_at = row.created_at  # a deadline the move must keep
    db.session.commit()
    due = row.due_at
    v2 = publiceer(tmp_path, proces(taak("intake", "Intake"), taak("beoordelen", "Aanvraag beoordelen"), lane="Functionaris"))

    migreer_zaak(instance, v2, None)
    db.session.commit()
    db.session.refresh(row)
    assert open_taak(instance).id == row.id and row.rol == "functionaris" and row.lane == "Functionaris"
    assert row.due_at == due and row.claimed_by_id is None  # the SCP may no longer do it: the claim is released


def test_a_refused_migration_changes_nothing(app, world, tmp_path):
    publiceer(tmp_path, V1)
    instance = zaak(world, stappen=1)
    v3 = publiceer(tmp_path, V3)
    before = (instance.definition_id, dict(instance.state), instance.version, rijen(instance))
    audits = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))

    with pytest.raises(MigratieGeweigerd, match="Open taak ontbreekt in de nieuwe versie: ‘Aanvraag beoordelen’"):
        migreer_zaak(instance, v3, None)
    db.session.commit()

    db.session.refresh(instance)
    assert (instance.definition_id, instance.state, instance.version, rijen(instance)) == before
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == audits


def test_a_waiting_timer_keeps_its_due_time(app, world, tmp_path):
    text = (ROOT / "tests" / "diagrams" / "timer.bpmn").read_text()
    v1 = publiceer(tmp_path, text.replace('"PT1S"', '"P10D"'))
    instance = zaak(world)
    due, [event] = instance.next_timer_at, _load(instance).wf.waiting_events()
    assert due is not None
    # v2: a shorter timer and another script name; a moved case keeps the due time it has
    v2 = publiceer(tmp_path, text.replace('"PT1S"', '"P1D"').replace("Status: Afgerond", "Afronden"))

    [row] = voorbeeld(v1, v2)
    assert row.kan and row.taken[0].van == "‘Een seconde wachten’ (wachten)"
    migreer_zaak(instance, v2, None)
    db.session.commit()

    db.session.refresh(instance)
    assert instance.definition_id == v2.id and instance.next_timer_at == due
    [moved] = _load(instance).wf.waiting_events()
    assert moved.value == event.value  # the engine's own due time, not reset to now + P1D
    assert fire_timers(instance.id) is False  # not due, and not fired by the move


# --- moving many --------------------------------------------------------------------------------
def test_migrate_one_case_a_selection_and_all_movable_cases(app, world, tmp_path):
    v1 = publiceer(tmp_path, V1)
    cases = [zaak(world, stappen=1) for _ in range(4)]
    v2 = publiceer(tmp_path, V2)
    ids = [c.id for c in cases]

    [one] = migreer(v1, v2, [ids[0]], None)
    assert one.verplaatst and one.instance_id == ids[0] and one.aanvraagnummer == cases[0].hulpvraag.aanvraagnummer
    selection = migreer(v1, v2, ids[1:3], None)
    assert [(r.instance_id, r.verplaatst) for r in selection] == [(ids[1], True), (ids[2], True)]
    rest = migreer(v1, v2, None, None)
    assert [(r.instance_id, r.verplaatst) for r in rest] == [(ids[3], True)]
    again = migreer(v1, v2, [ids[0]], None)
    assert again[0].reden == "De zaak staat niet (meer) op v1."

    on = dict(db.session.execute(sa.select(ProcessInstance.id, ProcessInstance.definition_id)).all())
    assert {on[i] for i in ids} == {v2.id}


def test_all_movable_cases_move_and_the_others_stay_with_their_reason(app, world, tmp_path):
    v1 = publiceer(tmp_path, V1)
    op_intake, op_beoordelen = zaak(world), zaak(world, stappen=1)
    state = dict(op_beoordelen.state)
    v3 = publiceer(tmp_path, V3)

    results = {r.instance_id: r for r in migreer(v1, v3, None, None)}
    assert results[op_intake.id].verplaatst
    assert not results[op_beoordelen.id].verplaatst and "‘Aanvraag beoordelen’" in results[op_beoordelen.id].reden
    db.session.refresh(op_intake)
    db.session.refresh(op_beoordelen)
    assert op_intake.definition_id == v3.id
    assert op_beoordelen.definition_id == v1.id and op_beoordelen.state == state

    complete_task(open_taak(op_intake).id, world.users["scp"], {})
    db.session.commit()
    assert open_taak(op_intake).bpmn_id == "besluit"  # the new path


def test_choosing_versions_is_refused_in_dutch(app, world, tmp_path):
    v1 = publiceer(tmp_path, V1)
    with pytest.raises(OngeldigeKeuze, match="Versie ‘7’ van aanpak ‘proef’ bestaat niet"):
        kies_versies("proef", 7, None)
    with pytest.raises(OngeldigeKeuze, match="allebei v1"):
        kies_versies("proef", 1, None)
    with pytest.raises(OngeldigeKeuze, match="verschillende aanpakken"):
        voorbeeld(v1, db.session.scalars(sa.select(ProcessDefinition).filter_by(process_key="hulpvraag")).first())


def test_cli_lines_for_a_dry_run_and_a_real_run(app, world, tmp_path):
    publiceer(tmp_path, V1)
    instance = zaak(world, stappen=1)
    publiceer(tmp_path, V2)
    nummer = instance.hulpvraag.aanvraagnummer

    dry = migreer_cli("proef", 1, 2, dry_run=True)
    assert dry[0] == "Proefaanpak: v1 → v2 (proefdraai, er verandert niets): 1 van 1 lopende zaken kunnen mee."
    assert dry[1].startswith(f"  {nummer} ") and dry[1].endswith(": kan mee")
    db.session.refresh(instance)
    assert instance.definition.nummer == 1
    real = migreer_cli("proef", "v1", None, dry_run=False)
    assert real[0] == "Proefaanpak: v1 → v2: 1 van 1 lopende zaken verplaatst." and real[1].endswith(": verplaatst")


# --- the web pages -------------------------------------------------------------------------------
def test_only_procesbeheerders_reach_the_page(app, client, auth, world):
    assert client.get("/processen/migratie").status_code == 302  # to the login
    auth.login("scp")
    assert client.get("/processen/migratie").status_code == 404
    auth.logout()
    auth.login("procesbeheerder")
    response = client.get("/processen/migratie")
    assert response.status_code == 200 and "Zaken verplaatsen naar een andere versie" in response.text


def test_web_preview_choose_and_migrate(app, client, auth, world, tmp_path):
    v1 = publiceer(tmp_path, V1)
    op_intake, op_beoordelen = zaak(world), zaak(world, stappen=1)
    publiceer(tmp_path, V2)
    v3 = publiceer(tmp_path, V3)
    auth.login("procesbeheerder")

    start = client.get("/processen/migratie?aanpak=proef").text
    assert f'href="/processen/migratie?aanpak=proef&amp;van={v1.id}&amp;naar={v3.id}"' in start  # v1 → live
    response = client.get(f"/processen/migratie?aanpak=proef&van={v1.id}&naar={v3.id}")
    assert response.status_code == 200
    html = response.text
    assert op_beoordelen.hulpvraag.aanvraagnummer in html and "KANS" in html and "Zwaantje" not in html
    assert "Open taak ontbreekt in de nieuwe versie: ‘Aanvraag beoordelen’ (beoordelen)" in html
    assert "<li>Nieuw: ‘Besluit nemen’ (besluit)</li>" in html and "<li>Verwijderd: ‘Aanvraag beoordelen’ (beoordelen)</li>" in html
    assert f'name="zaak" value="{op_intake.id}"' in html and f'name="zaak" value="{op_beoordelen.id}"' not in html

    form = {"aanpak": "proef", "van": str(v1.id), "naar": str(v3.id), "csrf_token": csrf_token(html)}
    result = client.post("/processen/migratie", data={**form, "zaak": [str(op_intake.id), str(op_beoordelen.id)]})
    assert result.status_code == 200
    assert "1 van 2 zaken verplaatst van Proefaanpak v1 naar Proefaanpak v3" in result.text
    assert "Niet verplaatst" in result.text and "‘Aanvraag beoordelen’" in result.text and "Zwaantje" not in result.text
    db.session.refresh(op_intake)
    db.session.refresh(op_beoordelen)
    assert (op_intake.definition_id, op_beoordelen.definition_id) == (v3.id, v1.id)


def test_web_all_movable_cases(app, client, auth, world, tmp_path):
    v1 = publiceer(tmp_path, V1)
    cases = [zaak(world, stappen=1) for _ in range(3)]
    v2 = publiceer(tmp_path, V2)
    auth.login("procesbeheerder")
    html = client.get(f"/processen/migratie?aanpak=proef&van={v1.id}&naar={v2.id}").text
    assert "Alle verplaatsbare zaken (3)" in html
    result = client.post("/processen/migratie", data={"aanpak": "proef", "van": v1.id, "naar": v2.id, "alle": "ja",
                                                      "csrf_token": csrf_token(html)})  # fmt: skip
    assert "3 van 3 zaken verplaatst" in result.text
    assert {db.session.get(ProcessInstance, c.id).definition_id for c in cases} == {v2.id}


def test_web_bad_input_gives_a_dutch_message_and_changes_nothing(app, client, auth, world, tmp_path):
    v1 = publiceer(tmp_path, V1)
    instance = zaak(world, stappen=1)
    v2 = publiceer(tmp_path, V2)
    hulpvraag_versie = db.session.scalars(sa.select(ProcessDefinition).filter_by(process_key="hulpvraag")).first()
    auth.login("procesbeheerder")
    token = csrf_token(client.get("/processen/migratie").text)
    bad = {
        f"van=999&naar={v2.id}": "Kies een bestaande van-versie en naar-versie.",
        f"van={v1.id}&naar={v1.id}": "Van- en naar-versie zijn allebei v1; kies twee verschillende versies.",
        f"van={v1.id}&naar={hulpvraag_versie.id}": "De twee versies horen bij verschillende aanpakken",
        "aanpak=bestaat-niet": "Er is geen aanpak ‘bestaat-niet’ gepubliceerd.",
        "van=abc&naar=": "Kies een bestaande van-versie en naar-versie.",
    }
    for query, message in bad.items():
        response = client.get(f"/processen/migratie?{query}")
        assert response.status_code == 400 and message in response.text, query
        form = dict(pair.split("=") for pair in query.split("&"))
        posted = client.post("/processen/migratie", data={**form, "alle": "ja", "csrf_token": token})
        assert posted.status_code == 400 and message in posted.text, query
    nothing = client.post("/processen/migratie", data={"van": v1.id, "naar": v2.id, "csrf_token": token})
    assert nothing.status_code == 400
    assert "Kies ten minste één zaak, of ‘Alle verplaatsbare zaken’. Er is niets verplaatst." in nothing.text
    assert client.post("/processen/migratie", data={"csrf_token": token}).status_code == 400
    db.session.refresh(instance)
    assert instance.definition_id == v1.id
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id)).filter_by(actie="wijzigen")) == 0


@pytest.mark.browser
def test_browser_preview_and_result_pages_are_accessible(page, world, tmp_path):  # noqa: F811
    v1 = publiceer(tmp_path, V1)
    op_intake, op_beoordelen = zaak(world), zaak(world, stappen=1)
    publiceer(tmp_path, V2)
    v3 = publiceer(tmp_path, V3)
    login(page, "procesbeheerder")
    page.goto("/processen/migratie")
    page.select_option("#aanpak", "proef")
    page.click("main button:has-text('Verder')")
    page.wait_for_selector("#van")
    assert page.locator("#naar option:checked").inner_text() == "Proefaanpak v3 (live)"
    assert page.locator("#van option:checked").inner_text() == "Proefaanpak v1 (2 lopende zaken)"
    page.click("main button:has-text('Toon voorbeeld')")
    page.wait_for_selector("h2:has-text('Voorbeeld: Proefaanpak v1 → v3')")
    assert page.locator("tbody tr").count() == 2
    assert page.locator(f"#zaak-{op_beoordelen.id}").count() == 0
    assert_accessible(page)

    page.check(f"#zaak-{op_intake.id}")
    page.click("main button:has-text('Verplaatsen')")
    page.wait_for_selector("h1:has-text('Resultaat van de verplaatsing')")
    assert "1 van 1 zaak verplaatst van Proefaanpak v1 naar Proefaanpak v3" in page.inner_text("main")
    assert_accessible(page)
    db.session.refresh(op_intake)
    assert op_intake.definition_id == v3.id and v1.id != v3.id


def test_the_processen_start_page_links_to_the_migration_page(app, client, auth, world):
    auth.login("procesbeheerder")
    assert 'href="/processen/migratie"' in client.get("/processen/").text
