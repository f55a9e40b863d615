"""overlegronde: rondes, deelnemers en reacties

Revision ID: 3e8f0a6c2b41
Revises: 7a1c3e9b5d20
Create Date: 2026-11-23 07:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3e8f0a6c2b41'
down_revision = '7a1c3e9b5d20'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed: three new tables, nothing existing changes (domain.md §5, Overlegronde).
    op.create_table('overlegronde',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hulpvraag_id', sa.Integer(), nullable=False),
    sa.Column('onderwerp', sa.String(length=200), nullable=False),
    sa.Column('omschrijving', sa.Text(), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('gesloten_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hulpvraag_id'], ['hulpvraag.id'], name=op.f('fk_overlegronde_hulpvraag_id_hulpvraag'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['started_by_id'], ['user.id'], name=op.f('fk_overlegronde_started_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_overlegronde'))
    )
    with op.batch_alter_table('overlegronde', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_overlegronde_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_overlegronde_hulpvraag_id'), ['hulpvraag_id'], unique=False)

    op.create_table('overlegronde_deelnemer',
    sa.Column('overlegronde_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['overlegronde_id'], ['overlegronde.id'], name=op.f('fk_overlegronde_deelnemer_overlegronde_id_overlegronde'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_overlegronde_deelnemer_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('overlegronde_id', 'user_id', name=op.f('pk_overlegronde_deelnemer'))
    )
    with op.batch_alter_table('overlegronde_deelnemer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_overlegronde_deelnemer_user_id'), ['user_id'], unique=False)

    op.create_table('overlegronde_reactie',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('overlegronde_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('tekst', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['overlegronde_id'], ['overlegronde.id'], name=op.f('fk_overlegronde_reactie_overlegronde_id_overlegronde'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_overlegronde_reactie_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_overlegronde_reactie'))
    )
    with op.batch_alter_table('overlegronde_reactie', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_overlegronde_reactie_overlegronde_id'), ['overlegronde_id'], unique=False)


def downgrade():
    with op.batch_alter_table('overlegronde_reactie', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_overlegronde_reactie_overlegronde_id'))
    op.drop_table('overlegronde_reactie')
    with op.batch_alter_table('overlegronde_deelnemer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_overlegronde_deelnemer_user_id'))
    op.drop_table('overlegronde_deelnemer')
    with op.batch_alter_table('overlegronde', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_overlegronde_hulpvraag_id'))
        batch_op.drop_index(batch_op.f('ix_overlegronde_deadline'))
    op.drop_table('overlegronde')
