"""formulieren and ingevulde gegevens: answers of completed tasks

Revision ID: d01e23f45a67
Revises: c90d12e34f56
Create Date: 2026-12-02 00:30:00.000000

Placeholder in the chain (no schema change yet); the owner of this change fills it in.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'd01e23f45a67'
down_revision = 'c90d12e34f56'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
