"""tlv

Revision ID: 7a1c3e9b5d20
Revises: ee2b68fb8444
Create Date: 2026-11-23 07:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a1c3e9b5d20'
down_revision = 'ee2b68fb8444'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed: one new table for the TLV besluiten (models/tlv.py); nothing else changes.
    op.create_table('tlv',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hulpvraag_id', sa.Integer(), nullable=False),
    sa.Column('nummer', sa.String(length=30), nullable=True),
    sa.Column('besluit', sa.String(length=20), nullable=False),
    sa.Column('soort', sa.String(length=10), nullable=True),
    sa.Column('categorie', sa.String(length=10), nullable=True),
    sa.Column('ingangsdatum', sa.Date(), nullable=True),
    sa.Column('einddatum', sa.Date(), nullable=True),
    sa.Column('afgiftedatum', sa.Date(), nullable=False),
    sa.Column('motivering', sa.Text(), nullable=False),
    sa.Column('adviezen', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hulpvraag_id'], ['hulpvraag.id'], name=op.f('fk_tlv_hulpvraag_id_hulpvraag')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tlv')),
    sa.UniqueConstraint('nummer', name=op.f('uq_tlv_nummer'))
    )
    with op.batch_alter_table('tlv', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tlv_hulpvraag_id'), ['hulpvraag_id'], unique=False)


def downgrade():
    with op.batch_alter_table('tlv', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tlv_hulpvraag_id'))

    op.drop_table('tlv')
