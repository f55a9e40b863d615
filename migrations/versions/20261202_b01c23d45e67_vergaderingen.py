"""vergaderingen: SWV meetings, their members and agenda items

Revision ID: b01c23d45e67
Revises: a90b12c34d56
Create Date: 2026-12-02 01:35:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b01c23d45e67'
down_revision = 'a90b12c34d56'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed: three new tables, nothing existing changes (issue 19, Vergaderingen).
    op.create_table('vergadering',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('datum', sa.Date(), nullable=False),
    sa.Column('soort', sa.String(length=40), nullable=False),
    sa.Column('voorzitter_id', sa.Integer(), nullable=True),
    sa.Column('aangemaakt_door_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['voorzitter_id'], ['user.id'], name=op.f('fk_vergadering_voorzitter_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['aangemaakt_door_id'], ['user.id'], name=op.f('fk_vergadering_aangemaakt_door_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vergadering'))
    )
    with op.batch_alter_table('vergadering', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vergadering_datum'), ['datum'], unique=False)

    op.create_table('vergadering_lid',
    sa.Column('vergadering_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['vergadering_id'], ['vergadering.id'], name=op.f('fk_vergadering_lid_vergadering_id_vergadering'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_vergadering_lid_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('vergadering_id', 'user_id', name=op.f('pk_vergadering_lid'))
    )
    with op.batch_alter_table('vergadering_lid', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vergadering_lid_user_id'), ['user_id'], unique=False)

    op.create_table('agendapunt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vergadering_id', sa.Integer(), nullable=False),
    sa.Column('hulpvraag_id', sa.Integer(), nullable=False),
    sa.Column('reden', sa.Text(), nullable=False),
    sa.Column('geplaatst_door_id', sa.Integer(), nullable=True),
    sa.Column('uitkomst', sa.String(length=60), nullable=True),
    sa.Column('arrangement', sa.Text(), nullable=False),
    sa.Column('vastgelegd_door_id', sa.Integer(), nullable=True),
    sa.Column('vastgelegd_op', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['vergadering_id'], ['vergadering.id'], name=op.f('fk_agendapunt_vergadering_id_vergadering'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hulpvraag_id'], ['hulpvraag.id'], name=op.f('fk_agendapunt_hulpvraag_id_hulpvraag'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['geplaatst_door_id'], ['user.id'], name=op.f('fk_agendapunt_geplaatst_door_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['vastgelegd_door_id'], ['user.id'], name=op.f('fk_agendapunt_vastgelegd_door_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agendapunt')),
    sa.UniqueConstraint('vergadering_id', 'hulpvraag_id', name='uq_agendapunt_hulpvraag')
    )
    with op.batch_alter_table('agendapunt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agendapunt_hulpvraag_id'), ['hulpvraag_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agendapunt_vergadering_id'), ['vergadering_id'], unique=False)


def downgrade():
    with op.batch_alter_table('agendapunt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agendapunt_vergadering_id'))
        batch_op.drop_index(batch_op.f('ix_agendapunt_hulpvraag_id'))
    op.drop_table('agendapunt')
    with op.batch_alter_table('vergadering_lid', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vergadering_lid_user_id'))
    op.drop_table('vergadering_lid')
    with op.batch_alter_table('vergadering', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vergadering_datum'))
    op.drop_table('vergadering')
