"""LVS link: the LVS's own pupil key on an aanvraag, and possible duplicate leerling dossiers

Revision ID: c90d12e34f56
Revises: b89c01d23e45
Create Date: 2026-12-02 00:30:00.000000

``lvs_aanvraag.leerlingid`` is filled from the stored OSO dossier of existing aanvragen, so a re-send
or a new aanvraag for the same pupil finds its dossier by the LVS's key.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c90d12e34f56'
down_revision = 'b89c01d23e45'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lvs_aanvraag', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leerlingid', sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f('ix_lvs_aanvraag_leerlingid'), ['leerlingid'], unique=False)
    op.create_table('dossier_mogelijk_dubbel',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('ander_dossier_id', sa.Integer(), nullable=False),
        sa.Column('reden', sa.String(length=300), nullable=False),
        sa.Column('afgehandeld_op', sa.DateTime(timezone=True), nullable=True),
        sa.Column('afgehandeld_door_id', sa.Integer(), nullable=True),
        sa.Column('uitkomst', sa.String(length=20), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['afgehandeld_door_id'], ['user.id'], ),
        sa.ForeignKeyConstraint(['ander_dossier_id'], ['dossier.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('dossier_id', 'ander_dossier_id', name='mogelijk_dubbel_paar')
    )
    with op.batch_alter_table('dossier_mogelijk_dubbel', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_mogelijk_dubbel_ander_dossier_id'), ['ander_dossier_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_dossier_mogelijk_dubbel_dossier_id'), ['dossier_id'], unique=False)
    # Data: the LVS's pupil key of every stored aanvraag.
    aanvraag = sa.table('lvs_aanvraag', sa.column('id', sa.Integer), sa.column('oso_gegevens', sa.JSON),
                        sa.column('leerlingid', sa.String))
    connection = op.get_bind()
    for row_id, gegevens in connection.execute(sa.select(aanvraag.c.id, aanvraag.c.oso_gegevens)).all():
        leerlingid = ((gegevens or {}).get('leerling') or {}).get('leerlingid')
        if leerlingid:
            connection.execute(aanvraag.update().where(aanvraag.c.id == row_id)
                               .values(leerlingid=str(leerlingid)[:100]))


def downgrade():
    with op.batch_alter_table('dossier_mogelijk_dubbel', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_mogelijk_dubbel_dossier_id'))
        batch_op.drop_index(batch_op.f('ix_dossier_mogelijk_dubbel_ander_dossier_id'))
    op.drop_table('dossier_mogelijk_dubbel')
    with op.batch_alter_table('lvs_aanvraag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lvs_aanvraag_leerlingid'))
        batch_op.drop_column('leerlingid')
