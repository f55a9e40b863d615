"""schools: closing, name history and the beheer changes (merge, new BRIN, new bestuur, rename)

Revision ID: e56f78a90b12
Revises: d45e67f89a01
Create Date: 2026-12-02 00:30:00.000000

``school`` gets ``gesloten_op`` (a closed school takes no new hulpvragen) and ``opgegaan_in_id``
(the school it merged into); ``bestuur`` and ``wijk`` get ``actief``; the new table
``school_historie`` keeps what a school was called before each change. Existing rows need no
data migration: every school is open, every bestuur and wijk active, no history yet.
Downgrade drops the history (the schools keep their current name and BRIN).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e56f78a90b12'
down_revision = 'd45e67f89a01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gesloten_op', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('opgegaan_in_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_school_opgegaan_in_id_school'), 'school', ['opgegaan_in_id'], ['id'])
    for table in ('bestuur', 'wijk'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('actief', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table('school_historie',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('soort', sa.String(length=20), nullable=False),
    sa.Column('naam', sa.String(length=200), nullable=False),
    sa.Column('brin', sa.String(length=4), nullable=False),
    sa.Column('vestigingscode', sa.String(length=2), nullable=False),
    sa.Column('bestuur_id', sa.Integer(), nullable=True),
    sa.Column('van_school_id', sa.Integer(), nullable=True),
    sa.Column('hulpvraag_ids', sa.JSON(), nullable=False),
    sa.Column('door_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bestuur_id'], ['bestuur.id'], name=op.f('fk_school_historie_bestuur_id_bestuur')),
    sa.ForeignKeyConstraint(['door_id'], ['user.id'], name=op.f('fk_school_historie_door_id_user')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_school_historie_school_id_school')),
    sa.ForeignKeyConstraint(['van_school_id'], ['school.id'], name=op.f('fk_school_historie_van_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_school_historie'))
    )
    with op.batch_alter_table('school_historie', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_school_historie_school_id'), ['school_id'], unique=False)


def downgrade():
    with op.batch_alter_table('school_historie', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_school_historie_school_id'))
    op.drop_table('school_historie')
    for table in ('wijk', 'bestuur'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('actief')
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_school_opgegaan_in_id_school'), type_='foreignkey')
        batch_op.drop_column('opgegaan_in_id')
        batch_op.drop_column('gesloten_op')
