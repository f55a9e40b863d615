"""formulieren and ingevulde gegevens: answers of completed tasks

Revision ID: d01e23f45a67
Revises: c90d12e34f56
Create Date: 2026-12-02 00:30:00.000000

``human_task.antwoorden`` keeps what a user submitted on a task (the pages read it instead of the
engine state); ``formulier`` is one row per budget aanpak for the Formulieren list. Tasks completed
before this revision have no stored answers (their data lives only in the engine state, mixed with
everything else the case holds): they show as "geen gegevens bewaard"; existing budget aanpakken get
their formulier row at their next completed task.
"""
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


def downgrade():
    with op.batch_alter_table('formulier') as batch_op:
        for column in ('hulpvraag_id', 'soort', 'status', 'bestuur', 'schooljaar'):
            batch_op.drop_index(batch_op.f(f'ix_formulier_{column}'))
    op.drop_table('formulier')
    with op.batch_alter_table('human_task') as batch_op:
        batch_op.drop_column('antwoorden')
