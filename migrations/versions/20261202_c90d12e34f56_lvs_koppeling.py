"""LVS link: change sequence, pupil matching, push ordering, koppeling settings

Revision ID: c90d12e34f56
Revises: b89c01d23e45
Create Date: 2026-12-02 00:30:00.000000

Placeholder in the chain (no schema change yet); the owner of this change fills it in.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'c90d12e34f56'
down_revision = 'b89c01d23e45'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
