"""studio: drafts (concepten) of an aanpaktype, per author, with a save counter

Revision ID: c34d56e78f90
Revises: b23c45d67e89
Create Date: 2026-12-01 22:20:00.000000

A new table only; downgrade drops it (unpublished drafts are lost; published versions are not
affected: they live in process_definition).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c34d56e78f90'
down_revision = 'b23c45d67e89'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('concept',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_key', sa.String(length=80), nullable=False),
    sa.Column('auteur_id', sa.Integer(), nullable=False),
    sa.Column('basis_id', sa.Integer(), nullable=True),
    sa.Column('bpmn_xml', sa.Text(), nullable=False),
    sa.Column('forms', sa.JSON(), nullable=False),
    sa.Column('scenarios', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('revisie', sa.Integer(), nullable=False),
    sa.Column('gewijzigd_op', sa.DateTime(timezone=True), nullable=False),
    sa.Column('gewijzigd_door_id', sa.Integer(), nullable=True),
    sa.Column('gepubliceerd_als_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['auteur_id'], ['user.id'], name=op.f('fk_concept_auteur_id_user')),
    sa.ForeignKeyConstraint(['basis_id'], ['process_definition.id'], name=op.f('fk_concept_basis_id_process_definition'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['gepubliceerd_als_id'], ['process_definition.id'], name=op.f('fk_concept_gepubliceerd_als_id_process_definition'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['gewijzigd_door_id'], ['user.id'], name=op.f('fk_concept_gewijzigd_door_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concept'))
    )
    with op.batch_alter_table('concept', schema=None) as batch_op:
        batch_op.create_index('ix_concept_key_auteur_status', ['process_key', 'auteur_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_concept_process_key'), ['process_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_concept_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('concept', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concept_status'))
        batch_op.drop_index(batch_op.f('ix_concept_process_key'))
        batch_op.drop_index('ix_concept_key_auteur_status')
    op.drop_table('concept')
