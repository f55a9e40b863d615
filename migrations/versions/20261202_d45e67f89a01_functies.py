"""functies as data: the list a beheerder edits, and which functies each account has

Revision ID: d45e67f89a01
Revises: c34d56e78f90
Create Date: 2026-12-02 00:30:00.000000

The single ``user.functie`` string becomes the table ``functie`` (the list) and the association
``user_functie`` (an account may have several). Upgrade creates a functie for every distinct
value accounts had and for the standard list, links each account to its former functie, then
drops the column. Downgrade puts the column back with one of the account's functies (the first
by name; a second functie is lost) and drops both tables.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd45e67f89a01'
down_revision = 'c34d56e78f90'
branch_labels = None
depends_on = None

# As models/functie.py STANDAARD_FUNCTIES at the time of this migration (not imported: the
# migration must keep doing what it did when the model changes).
STANDAARD_FUNCTIES = (
    "orthopedagoog", "psycholoog", "leescoördinator", "financiën", "regiomanager", "TLV-administratie",
    "kinder- en jeugdpsychiater", "jeugdarts", "maatschappelijk werker", "ambulant begeleider",
)


def upgrade():
    op.create_table('functie',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('swv_id', sa.Integer(), nullable=True),
    sa.Column('naam', sa.String(length=80), nullable=False),
    sa.Column('omschrijving', sa.Text(), nullable=False),
    sa.Column('actief', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.ForeignKeyConstraint(['swv_id'], ['samenwerkingsverband.id'], name=op.f('fk_functie_swv_id_samenwerkingsverband')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_functie')),
    sa.UniqueConstraint('naam', name=op.f('uq_functie_naam'))
    )
    with op.batch_alter_table('functie', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_functie_swv_id'), ['swv_id'], unique=False)
    op.create_table('user_functie',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('functie_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['functie_id'], ['functie.id'], name=op.f('fk_user_functie_functie_id_functie'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_functie_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'functie_id', name=op.f('pk_user_functie'))
    )
    with op.batch_alter_table('user_functie', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_functie_functie_id'), ['functie_id'], unique=False)

    connection = op.get_bind()
    user = sa.table('user', sa.column('id', sa.Integer), sa.column('swv_id', sa.Integer), sa.column('functie', sa.String))
    functie = sa.table('functie', sa.column('id', sa.Integer), sa.column('swv_id', sa.Integer),
                       sa.column('naam', sa.String), sa.column('omschrijving', sa.Text), sa.column('actief', sa.Boolean))
    user_functie = sa.table('user_functie', sa.column('user_id', sa.Integer), sa.column('functie_id', sa.Integer))
    swv = sa.table('samenwerkingsverband', sa.column('id', sa.Integer))
    standaard_swv = connection.scalar(sa.select(sa.func.min(swv.c.id)))
    accounts = connection.execute(sa.select(user.c.id, user.c.swv_id, user.c.functie).where(user.c.functie.is_not(None))).all()
    namen: dict[str, int | None] = {}
    for _id, swv_id, naam in accounts:
        naam = naam.strip()
        if naam and naam not in namen:
            namen[naam] = swv_id if swv_id is not None else standaard_swv
    for naam in STANDAARD_FUNCTIES:
        namen.setdefault(naam, standaard_swv)
    for naam, swv_id in namen.items():
        connection.execute(functie.insert().values(naam=naam, swv_id=swv_id, omschrijving="", actief=True))
    ids = dict(connection.execute(sa.select(functie.c.naam, functie.c.id)).all())
    links = [{"user_id": user_id, "functie_id": ids[naam.strip()]} for user_id, _swv, naam in accounts if naam.strip()]
    if links:
        connection.execute(user_functie.insert(), links)

    _foreign_keys(False)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('functie')
    _foreign_keys(True)


def downgrade():
    _foreign_keys(False)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('functie', sa.String(length=80), nullable=True))
    _foreign_keys(True)

    connection = op.get_bind()
    user = sa.table('user', sa.column('id', sa.Integer), sa.column('functie', sa.String))
    functie = sa.table('functie', sa.column('id', sa.Integer), sa.column('naam', sa.String))
    user_functie = sa.table('user_functie', sa.column('user_id', sa.Integer), sa.column('functie_id', sa.Integer))
    rows = connection.execute(
        sa.select(user_functie.c.user_id, sa.func.min(functie.c.naam))
        .join(functie, functie.c.id == user_functie.c.functie_id)
        .group_by(user_functie.c.user_id)
    ).all()
    for user_id, naam in rows:
        connection.execute(user.update().where(user.c.id == user_id).values(functie=naam))

    with op.batch_alter_table('user_functie', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_functie_functie_id'))
    op.drop_table('user_functie')
    with op.batch_alter_table('functie', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_functie_swv_id'))
    op.drop_table('functie')


def _foreign_keys(on):
    """SQLite drops a column by rebuilding ``user`` (copy, drop, rename); with foreign keys
    enforced, that drop would cascade into user_rol, user_school and user_functie. PRAGMA
    foreign_keys only takes effect outside a transaction, hence the autocommit block."""
    if op.get_bind().dialect.name != 'sqlite':
        return
    with op.get_context().autocommit_block():
        op.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
