"""LVS koppelingen, aanvragen and status pushes (issue 7)

Revision ID: 21aee7c04c1c
Revises: d204fb184cc1
Create Date: 2026-11-23 07:41:58.879828

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '21aee7c04c1c'
down_revision = 'd204fb184cc1'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed by hand: boolean server defaults portable (sa.true/sa.false), indexes for the push sweep.
    op.create_table('lvs_koppeling',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('lvs_type', sa.String(length=20), nullable=False),
    sa.Column('omgeving', sa.String(length=100), nullable=False),
    sa.Column('code_digest', sa.String(length=64), nullable=False),
    sa.Column('callback_url', sa.String(length=500), nullable=True),
    sa.Column('callback_secret', sa.String(length=100), nullable=True),
    sa.Column('actief', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('geactiveerd_op', sa.DateTime(timezone=True), nullable=True),
    sa.Column('geactiveerd_door', sa.String(length=200), nullable=True),
    sa.Column('toestemming', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('laatst_gebruikt_op', sa.DateTime(timezone=True), nullable=True),
    sa.Column('laatste_fout', sa.String(length=300), nullable=True),
    sa.Column('laatste_fout_op', sa.DateTime(timezone=True), nullable=True),
    sa.Column('systeemgebruiker_id', sa.Integer(), nullable=True),
    sa.Column('aangemaakt_door_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['aangemaakt_door_id'], ['user.id'], name=op.f('fk_lvs_koppeling_aangemaakt_door_id_user')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_lvs_koppeling_school_id_school')),
    sa.ForeignKeyConstraint(['systeemgebruiker_id'], ['user.id'], name=op.f('fk_lvs_koppeling_systeemgebruiker_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lvs_koppeling')),
    sa.UniqueConstraint('code_digest', name=op.f('uq_lvs_koppeling_code_digest'))
    )
    with op.batch_alter_table('lvs_koppeling', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lvs_koppeling_school_id'), ['school_id'], unique=False)

    op.create_table('lvs_aanvraag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('koppeling_id', sa.Integer(), nullable=False),
    sa.Column('lvs_referentie', sa.String(length=100), nullable=False),
    sa.Column('hulpvraag_id', sa.Integer(), nullable=True),
    sa.Column('oso_gegevens', sa.JSON(), nullable=False),
    sa.Column('ontvangen', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hulpvraag_id'], ['hulpvraag.id'], name=op.f('fk_lvs_aanvraag_hulpvraag_id_hulpvraag')),
    sa.ForeignKeyConstraint(['koppeling_id'], ['lvs_koppeling.id'], name=op.f('fk_lvs_aanvraag_koppeling_id_lvs_koppeling')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lvs_aanvraag')),
    sa.UniqueConstraint('koppeling_id', 'lvs_referentie', name='koppeling_referentie')
    )
    with op.batch_alter_table('lvs_aanvraag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lvs_aanvraag_hulpvraag_id'), ['hulpvraag_id'], unique=False)

    op.create_table('lvs_push',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('koppeling_id', sa.Integer(), nullable=False),
    sa.Column('hulpvraag_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('pogingen', sa.Integer(), nullable=False),
    sa.Column('volgende_poging_op', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_tot', sa.DateTime(timezone=True), nullable=True),
    sa.Column('laatste_fout', sa.String(length=300), nullable=True),
    sa.Column('response_code', sa.Integer(), nullable=True),
    sa.Column('verzonden_op', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hulpvraag_id'], ['hulpvraag.id'], name=op.f('fk_lvs_push_hulpvraag_id_hulpvraag')),
    sa.ForeignKeyConstraint(['koppeling_id'], ['lvs_koppeling.id'], name=op.f('fk_lvs_push_koppeling_id_lvs_koppeling')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lvs_push'))
    )
    with op.batch_alter_table('lvs_push', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lvs_push_hulpvraag_id'), ['hulpvraag_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lvs_push_koppeling_id'), ['koppeling_id'], unique=False)
        batch_op.create_index('ix_lvs_push_status_volgende_poging_op', ['status', 'volgende_poging_op'], unique=False)

    # ### end Alembic commands ###


def downgrade():
    # Reviewed by hand: boolean server defaults portable (sa.true/sa.false), indexes for the push sweep.
    with op.batch_alter_table('lvs_push', schema=None) as batch_op:
        batch_op.drop_index('ix_lvs_push_status_volgende_poging_op')
        batch_op.drop_index(batch_op.f('ix_lvs_push_koppeling_id'))
        batch_op.drop_index(batch_op.f('ix_lvs_push_hulpvraag_id'))

    op.drop_table('lvs_push')
    with op.batch_alter_table('lvs_aanvraag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lvs_aanvraag_hulpvraag_id'))

    op.drop_table('lvs_aanvraag')
    with op.batch_alter_table('lvs_koppeling', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lvs_koppeling_school_id'))

    op.drop_table('lvs_koppeling')
    # ### end Alembic commands ###
