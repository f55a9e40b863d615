"""security: login attempt delays and reset-link invalidation

Revision ID: b89c01d23e45
Revises: a78b90c12d34
Create Date: 2026-12-02 00:30:00.000000

Placeholder in the chain (no schema change yet); the owner of this change fills it in.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'b89c01d23e45'
down_revision = 'a78b90c12d34'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
