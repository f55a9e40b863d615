"""kengetallen: a covering index on statuswijziging (created_at, hulpvraag_id, van, naar)

Revision ID: c12d34e56f78
Revises: b01c23d45e67
Create Date: 2026-12-02 02:25:00.000000

The monthly figures of /kengetallen read the status changes since the start of a period;
without an index on created_at that was a scan of the whole table. Downgrade drops the index.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c12d34e56f78'
down_revision = 'b01c23d45e67'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_statuswijziging_created_at', 'statuswijziging', ['created_at', 'hulpvraag_id', 'van', 'naar'],
                    unique=False)


def downgrade():
    op.drop_index('ix_statuswijziging_created_at', table_name='statuswijziging')
