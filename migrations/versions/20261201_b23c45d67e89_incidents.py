"""incidents: cases the engine could not move on, for the procesbeheerder to repair

Revision ID: b23c45d67e89
Revises: a12b34c56d78
Create Date: 2026-12-01 21:43:54.045601

A new table only; downgrade drops it (open incidents and their stored input are lost, the cases
themselves are untouched: the failed steps never saved anything).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b23c45d67e89'
down_revision = 'a12b34c56d78'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('soort', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('sleutel', sa.String(length=200), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('hulpvraag_id', sa.Integer(), nullable=True),
    sa.Column('human_task_id', sa.Integer(), nullable=True),
    sa.Column('process_key', sa.String(length=80), nullable=False),
    sa.Column('definition_id', sa.Integer(), nullable=True),
    sa.Column('bpmn_id', sa.String(length=120), nullable=False),
    sa.Column('melding', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('invoer', sa.JSON(), nullable=True),
    sa.Column('aantal', sa.Integer(), nullable=False),
    sa.Column('laatst_op', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opgelost_op', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opgelost_door_id', sa.Integer(), nullable=True),
    sa.Column('oplossing', sa.String(length=20), nullable=True),
    sa.Column('notitie', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['definition_id'], ['process_definition.id'], name=op.f('fk_incident_definition_id_process_definition'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hulpvraag_id'], ['hulpvraag.id'], name=op.f('fk_incident_hulpvraag_id_hulpvraag'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['human_task_id'], ['human_task.id'], name=op.f('fk_incident_human_task_id_human_task'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_incident_instance_id_process_instance'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['opgelost_door_id'], ['user.id'], name=op.f('fk_incident_opgelost_door_id_user')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_incident_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident'))
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_hulpvraag_id'), ['hulpvraag_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_sleutel'), ['sleutel'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_status'))
        batch_op.drop_index(batch_op.f('ix_incident_sleutel'))
        batch_op.drop_index(batch_op.f('ix_incident_instance_id'))
        batch_op.drop_index(batch_op.f('ix_incident_hulpvraag_id'))

    op.drop_table('incident')
