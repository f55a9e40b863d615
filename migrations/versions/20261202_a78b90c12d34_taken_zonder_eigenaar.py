"""tasks nobody can do: warning state and reassignment

Revision ID: a78b90c12d34
Revises: f67a89b01c23
Create Date: 2026-12-02 00:30:00.000000

Placeholder in the chain (no schema change yet); the owner of this change fills it in.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'a78b90c12d34'
down_revision = 'f67a89b01c23'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
