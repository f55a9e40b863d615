"""vergaderingen: SWV meetings, their members and agenda items

Revision ID: b01c23d45e67
Revises: a90b12c34d56
Create Date: 2026-12-02 01:35:00.000000

Placeholder in the chain (no schema change yet); the owner of this change fills it in.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'b01c23d45e67'
down_revision = 'a90b12c34d56'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
