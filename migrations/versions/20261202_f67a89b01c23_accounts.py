"""accounts: activation links and the beheer account pages

Revision ID: f67a89b01c23
Revises: e56f78a90b12
Create Date: 2026-12-02 00:30:00.000000

Placeholder in the chain (no schema change yet); the owner of this change fills it in.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'f67a89b01c23'
down_revision = 'e56f78a90b12'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
