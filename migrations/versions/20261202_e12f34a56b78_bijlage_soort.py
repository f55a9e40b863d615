"""bijlage soort as data, pending uploads

Revision ID: e12f34a56b78
Revises: d01e23f45a67
Create Date: 2026-12-02 00:30:00.000000

Placeholder in the chain (no schema change yet); the owner of this change fills it in.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'e12f34a56b78'
down_revision = 'd01e23f45a67'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
