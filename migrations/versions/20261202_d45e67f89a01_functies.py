"""functies as data: the list a beheerder edits, and which functies each account has

Revision ID: d45e67f89a01
Revises: c34d56e78f90
Create Date: 2026-12-02 00:30:00.000000

Placeholder in the chain (no schema change yet); the owner of this change fills it in.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'd45e67f89a01'
down_revision = 'c34d56e78f90'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
