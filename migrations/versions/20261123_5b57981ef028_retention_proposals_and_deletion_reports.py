"""retention proposals and deletion reports

Revision ID: 5b57981ef028
Revises: 895742d1384d
Create Date: 2026-11-23 05:18:43.782174

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b57981ef028'
down_revision = '895742d1384d'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed: the two retention tables only (domain.md §9), with their keys and indexes.
    op.create_table('retentievoorstel',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('swv_id', sa.Integer(), nullable=False),
    sa.Column('hulpvraag_id', sa.Integer(), nullable=True),
    sa.Column('aanvraagnummer', sa.String(length=20), nullable=False),
    sa.Column('soort', sa.String(length=20), nullable=False),
    sa.Column('vervalt_op', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reden', sa.Text(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('executed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], name=op.f('fk_retentievoorstel_approved_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hulpvraag_id'], ['hulpvraag.id'], name=op.f('fk_retentievoorstel_hulpvraag_id_hulpvraag'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['swv_id'], ['samenwerkingsverband.id'], name=op.f('fk_retentievoorstel_swv_id_samenwerkingsverband')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retentievoorstel')),
    sa.UniqueConstraint('hulpvraag_id', 'soort', name='hulpvraag_soort')
    )
    with op.batch_alter_table('retentievoorstel', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retentievoorstel_hulpvraag_id'), ['hulpvraag_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_retentievoorstel_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_retentievoorstel_swv_id'), ['swv_id'], unique=False)

    op.create_table('verwijderverslag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('swv_id', sa.Integer(), nullable=False),
    sa.Column('voorstel_id', sa.Integer(), nullable=True),
    sa.Column('soort', sa.String(length=20), nullable=False),
    sa.Column('aanvraagnummer', sa.String(length=20), nullable=False),
    sa.Column('rijen', sa.JSON(), nullable=False),
    sa.Column('bestanden', sa.Integer(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_naam', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], name=op.f('fk_verwijderverslag_approved_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['swv_id'], ['samenwerkingsverband.id'], name=op.f('fk_verwijderverslag_swv_id_samenwerkingsverband')),
    sa.ForeignKeyConstraint(['voorstel_id'], ['retentievoorstel.id'], name=op.f('fk_verwijderverslag_voorstel_id_retentievoorstel'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verwijderverslag'))
    )
    with op.batch_alter_table('verwijderverslag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verwijderverslag_swv_id'), ['swv_id'], unique=False)



def downgrade():
    with op.batch_alter_table('verwijderverslag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verwijderverslag_swv_id'))

    op.drop_table('verwijderverslag')
    with op.batch_alter_table('retentievoorstel', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retentievoorstel_swv_id'))
        batch_op.drop_index(batch_op.f('ix_retentievoorstel_status'))
        batch_op.drop_index(batch_op.f('ix_retentievoorstel_hulpvraag_id'))

    op.drop_table('retentievoorstel')
