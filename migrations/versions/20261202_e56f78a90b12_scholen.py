"""schools: closing, name history and the beheer changes (merge, new BRIN, new bestuur, rename)

Revision ID: e56f78a90b12
Revises: d45e67f89a01
Create Date: 2026-12-02 00:30:00.000000

Placeholder in the chain (no schema change yet); the owner of this change fills it in.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'e56f78a90b12'
down_revision = 'd45e67f89a01'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
