"""lijstvoorkeur en lijstindexen

Revision ID: c1d606d40aef
Revises: fe750788b483
Create Date: 2026-11-23 05:49:22.879376

"""
from alembic import op
import sqlalchemy as sa


# Search while typing (models/zoeken.py): trigram GIN indexes on PostgreSQL; SQLite ignores the
# postgresql_* options and makes a plain index, exactly as create_all does.
TRIGRAM = [("dossier", "roepnaam"), ("dossier", "tussenvoegsel"), ("dossier", "achternaam"), ("school", "naam"),
           ("hulpvraag", "titel"), ("hulpvraag", "aanvraagnummer")]

# revision identifiers, used by Alembic.
revision = 'c1d606d40aef'
down_revision = 'fe750788b483'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed: only the column chooser's table (one row per user and list) and the indexes of the
    # hulpvragen list; ix_hulpvraag_status is replaced by the (status, updated_at, id) index.
    op.create_table('voorkeur',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('lijst', sa.String(length=40), nullable=False),
    sa.Column('instellingen', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_voorkeur_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voorkeur')),
    sa.UniqueConstraint('user_id', 'lijst', name='user_lijst')
    )
    with op.batch_alter_table('hulpvraag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hulpvraag_status'))
        batch_op.create_index('ix_hulpvraag_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_hulpvraag_status_updated_at_id', ['status', 'updated_at', 'id'], unique=False)
        batch_op.create_index('ix_hulpvraag_updated_at_id', ['updated_at', 'id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")  # a trusted extension: the database owner may
    for table, column in TRIGRAM:
        op.create_index(f"ix_{table}_{column}_trgm", table, [column], postgresql_using="gin",
                        postgresql_ops={column: "gin_trgm_ops"})


def downgrade():
    for table, column in TRIGRAM:  # the pg_trgm extension stays: other database objects may use it
        op.drop_index(f"ix_{table}_{column}_trgm", table_name=table)
    with op.batch_alter_table('hulpvraag', schema=None) as batch_op:
        batch_op.drop_index('ix_hulpvraag_updated_at_id')
        batch_op.drop_index('ix_hulpvraag_status_updated_at_id')
        batch_op.drop_index('ix_hulpvraag_created_at')
        batch_op.create_index(batch_op.f('ix_hulpvraag_status'), ['status'], unique=False)

    op.drop_table('voorkeur')
