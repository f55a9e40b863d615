"""LVS API: change sequence for polling, ordered pushes, koppeling limits and settings

Revision ID: f23a45b67c89
Revises: e12f34a56b78
Create Date: 2026-12-02 00:35:00.000000

``lvs_wijziging`` holds every status change an LVS reads or is pushed, numbered per koppeling in
commit order. Existing aanvragen get one row with their current status (numbered in order of that
change), so a poller that starts at 0 sees every aanvraag once; ``wijziging_teller`` continues there.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f23a45b67c89'
down_revision = 'e12f34a56b78'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lvs_wijziging',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('koppeling_id', sa.Integer(), nullable=False),
        sa.Column('hulpvraag_id', sa.Integer(), nullable=False),
        sa.Column('volgnummer', sa.Integer(), nullable=True),
        sa.Column('gewijzigd_op', sa.DateTime(timezone=True), nullable=True),
        sa.Column('status', sa.String(length=200), nullable=False),
        sa.Column('reden', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['hulpvraag_id'], ['hulpvraag.id'], ),
        sa.ForeignKeyConstraint(['koppeling_id'], ['lvs_koppeling.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('koppeling_id', 'volgnummer', name='lvs_wijziging_volgnummer')
    )
    with op.batch_alter_table('lvs_wijziging', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lvs_wijziging_hulpvraag_id'), ['hulpvraag_id'], unique=False)
    with op.batch_alter_table('lvs_koppeling', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wijziging_teller', sa.Integer(), server_default=sa.text('0'), nullable=False))
    with op.batch_alter_table('lvs_push', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wijziging_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_lvs_push_wijziging_id'), ['wijziging_id'], unique=False)
        batch_op.create_foreign_key('fk_lvs_push_wijziging_id', 'lvs_wijziging', ['wijziging_id'], ['id'])
    _vul_wijzigingen()


def _vul_wijzigingen():
    """One numbered change per existing aanvraag: its hulpvraag's latest status change."""
    connection = op.get_bind()
    aanvraag = sa.table('lvs_aanvraag', sa.column('koppeling_id', sa.Integer), sa.column('hulpvraag_id', sa.Integer))
    status = sa.table('statuswijziging', sa.column('id', sa.Integer), sa.column('hulpvraag_id', sa.Integer),
                      sa.column('naar', sa.String), sa.column('reden', sa.Text), sa.column('created_at', sa.DateTime))
    wijziging = sa.table('lvs_wijziging', sa.column('koppeling_id', sa.Integer), sa.column('hulpvraag_id', sa.Integer),
                         sa.column('volgnummer', sa.Integer), sa.column('gewijzigd_op', sa.DateTime),
                         sa.column('status', sa.String), sa.column('reden', sa.Text),
                         sa.column('created_at', sa.DateTime))
    koppeling = sa.table('lvs_koppeling', sa.column('id', sa.Integer), sa.column('wijziging_teller', sa.Integer))
    laatste = (sa.select(status.c.hulpvraag_id, sa.func.max(status.c.id).label('id'))
               .group_by(status.c.hulpvraag_id).subquery())
    rows = connection.execute(
        sa.select(aanvraag.c.koppeling_id, aanvraag.c.hulpvraag_id, status.c.naar, status.c.reden, status.c.created_at)
        .join(laatste, laatste.c.hulpvraag_id == aanvraag.c.hulpvraag_id)
        .join(status, status.c.id == laatste.c.id)
        .order_by(aanvraag.c.koppeling_id, status.c.created_at, status.c.id)
    ).all()
    tellers: dict[int, int] = {}
    for koppeling_id, hulpvraag_id, naar, reden, op_moment in rows:
        tellers[koppeling_id] = tellers.get(koppeling_id, 0) + 1
        connection.execute(wijziging.insert().values(
            koppeling_id=koppeling_id, hulpvraag_id=hulpvraag_id, volgnummer=tellers[koppeling_id],
            gewijzigd_op=op_moment, status=naar, reden=reden or '', created_at=op_moment))
    for koppeling_id, teller in tellers.items():
        connection.execute(koppeling.update().where(koppeling.c.id == koppeling_id).values(wijziging_teller=teller))


def downgrade():
    with op.batch_alter_table('lvs_push', schema=None) as batch_op:
        batch_op.drop_constraint('fk_lvs_push_wijziging_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_lvs_push_wijziging_id'))
        batch_op.drop_column('wijziging_id')
    with op.batch_alter_table('lvs_koppeling', schema=None) as batch_op:
        batch_op.drop_column('wijziging_teller')
    with op.batch_alter_table('lvs_wijziging', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lvs_wijziging_hulpvraag_id'))
    op.drop_table('lvs_wijziging')
