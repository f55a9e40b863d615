"""formulieren and ingevulde gegevens: answers of completed tasks

Revision ID: d01e23f45a67
Revises: c90d12e34f56
Create Date: 2026-12-02 00:30:00.000000

``human_task.antwoorden`` keeps what a user submitted on a task (the pages read it instead of the
engine state); ``formulier`` is one row per budget aanpak for the Formulieren list.

Data: tasks completed before this revision get their answers from the engine state, once, here: the
values the task itself changed (SpiffWorkflow's per-task delta), limited to its form's own fields.
A value a user submitted unchanged from before is not in that delta and stays missing; a task the
state no longer holds shows "geen gegevens bewaard". Existing budget aanpakken get their formulier
row at their next completed task (the row is derived by the application, workflow/formulieren.py).
"""
import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd01e23f45a67'
down_revision = 'c90d12e34f56'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('human_task') as batch_op:
        batch_op.add_column(sa.Column('antwoorden', sa.JSON(), nullable=True))
    op.create_table(
        'formulier',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('hulpvraag_id', sa.Integer(), nullable=False),
        sa.Column('regeling', sa.String(length=20), nullable=False),
        sa.Column('soort', sa.String(length=80), nullable=False),
        sa.Column('status', sa.String(length=200), nullable=False),
        sa.Column('bestuur', sa.String(length=200), nullable=False),
        sa.Column('schooljaar', sa.String(length=9), nullable=False),
        sa.Column('aangevraagd_bedrag', sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column('advies', sa.String(length=200), nullable=False),
        sa.Column('besluit', sa.String(length=200), nullable=False),
        sa.Column('toegekend_bedrag', sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['hulpvraag_id'], ['hulpvraag.id'], name=op.f('fk_formulier_hulpvraag_id_hulpvraag')),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'],
                                name=op.f('fk_formulier_instance_id_process_instance')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_formulier')),
        sa.UniqueConstraint('instance_id', name=op.f('uq_formulier_instance_id')),
    )
    with op.batch_alter_table('formulier') as batch_op:
        for column in ('hulpvraag_id', 'soort', 'status', 'bestuur', 'schooljaar'):
            batch_op.create_index(batch_op.f(f'ix_formulier_{column}'), [column], unique=False)
    _antwoorden_uit_de_engine(op.get_bind())


def _json(value):
    return json.loads(value) if isinstance(value, str) else (value or {})


def _waarde(value):
    """A converted value in the engine state ({"value": "12500.00", "typename": "Decimal"}) as text."""
    if isinstance(value, dict) and "typename" in value and "value" in value:
        return str(value["value"])
    return value


def _antwoorden_uit_de_engine(bind):
    tasks = bind.execute(sa.text(
        "SELECT ht.id, ht.instance_id, ht.task_id, ht.form FROM human_task ht"
        " WHERE ht.completed_by_id IS NOT NULL AND ht.form IS NOT NULL ORDER BY ht.instance_id"
    )).all()
    update = sa.text("UPDATE human_task SET antwoorden = :antwoorden WHERE id = :id").bindparams(
        sa.bindparam("antwoorden", type_=sa.JSON)
    )
    instance_id, state, forms = None, {}, {}
    for task_pk, task_instance, task_id, form in tasks:
        if task_instance != instance_id:
            row = bind.execute(sa.text(
                "SELECT pi.state, pd.forms FROM process_instance pi"
                " JOIN process_definition pd ON pd.id = pi.definition_id WHERE pi.id = :id"
            ), {"id": task_instance}).one()
            instance_id, state, forms = task_instance, _json(row[0]), _json(row[1])
        engine_task = (state.get("tasks") or {}).get(task_id)
        velden = ((forms.get(form) or {}).get("properties") or {}).keys()
        if not engine_task or not velden:
            continue
        gewijzigd = {**(engine_task.get("data") or {}), **((engine_task.get("delta") or {}).get("updates") or {})}
        antwoorden = {naam: _waarde(gewijzigd[naam]) for naam in velden if naam in gewijzigd}
        bind.execute(update, {"antwoorden": antwoorden, "id": task_pk})


def downgrade():
    with op.batch_alter_table('formulier') as batch_op:
        for column in ('hulpvraag_id', 'soort', 'status', 'bestuur', 'schooljaar'):
            batch_op.drop_index(batch_op.f(f'ix_formulier_{column}'))
    op.drop_table('formulier')
    with op.batch_alter_table('human_task') as batch_op:
        batch_op.drop_column('antwoorden')
