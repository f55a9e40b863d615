"""numbered versions of process definitions; publication attempts of the gate

Revision ID: a12b34c56d78
Revises: 21aee7c04c1c
Create Date: 2026-12-01 09:00:00.000000

A version is now numbered per process_key (v1, v2, …) and a revert publishes old content
again under the next number, so (process_key, content_hash) is no longer unique. Existing
rows are numbered per process_key in published_at, id order.

Downgrade: where the same content was published more than once (a revert), the old schema
can hold it only once. The highest-numbered row of each (process_key, content_hash) is kept,
because under the old rules a revert moved the old row's published_at forward, which is
exactly what that row records; running cases on the other rows of identical content are
pointed at it, and those rows are deleted. Numbers, notes and stored scenarios are lost.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a12b34c56d78'
down_revision = '21aee7c04c1c'
branch_labels = None
depends_on = None


def upgrade():
    _foreign_keys(False)
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nummer', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('scenarios', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('notitie', sa.String(length=500), nullable=True))

    _number_existing_versions()

    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.alter_column('nummer', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint('key_hash', type_='unique')
        batch_op.create_unique_constraint('key_nummer', ['process_key', 'nummer'])
        batch_op.create_index(batch_op.f('ix_process_definition_content_hash'), ['content_hash'], unique=False)

    op.create_table('publicatie_poging',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bron', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('problemen', sa.JSON(), nullable=False),
    sa.Column('gepubliceerd', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_publicatie_poging_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publicatie_poging'))
    )
    _foreign_keys(True)


def _foreign_keys(on):
    """SQLite rebuilds process_definition (copy, drop, rename); with foreign keys enforced, the
    drop fails as soon as a process_instance points at a version. PRAGMA foreign_keys only
    takes effect outside a transaction, hence the autocommit block."""
    if op.get_bind().dialect.name != 'sqlite':
        return
    with op.get_context().autocommit_block():
        op.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _number_existing_versions():
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        'SELECT id, process_key FROM process_definition ORDER BY process_key, published_at, id'
    )).all()
    last = {}
    for id_, key in rows:
        last[key] = last.get(key, 0) + 1
        connection.execute(sa.text('UPDATE process_definition SET nummer = :n WHERE id = :id'), {'n': last[key], 'id': id_})


def downgrade():
    op.drop_table('publicatie_poging')
    _merge_republished_content()
    _foreign_keys(False)

    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_definition_content_hash'))
        batch_op.drop_constraint('key_nummer', type_='unique')
        batch_op.create_unique_constraint('key_hash', ['process_key', 'content_hash'])
        batch_op.drop_column('notitie')
        batch_op.drop_column('scenarios')
        batch_op.drop_column('nummer')
    _foreign_keys(True)


def _merge_republished_content():
    """Keep the highest-numbered row per (process_key, content_hash); see the module docstring."""
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        'SELECT id, process_key, content_hash FROM process_definition ORDER BY nummer DESC'
    )).all()
    keep = {}
    for id_, key, content_hash in rows:
        kept = keep.setdefault((key, content_hash), id_)
        if kept != id_:
            params = {'kept': kept, 'id': id_}
            connection.execute(sa.text('UPDATE process_instance SET definition_id = :kept WHERE definition_id = :id'), params)
            connection.execute(sa.text('DELETE FROM process_definition WHERE id = :id'), params)
