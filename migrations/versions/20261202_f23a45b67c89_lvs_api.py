"""LVS API: change sequence for polling, ordered pushes, koppeling limits and settings

Revision ID: f23a45b67c89
Revises: e12f34a56b78
Create Date: 2026-12-02 00:35:00.000000

Placeholder in the chain (no schema change yet); the owner of this change fills it in.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'f23a45b67c89'
down_revision = 'e12f34a56b78'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
