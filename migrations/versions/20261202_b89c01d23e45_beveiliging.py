"""security: login attempt delays and reset-link invalidation

Revision ID: b89c01d23e45
Revises: a78b90c12d34
Create Date: 2026-12-02 00:30:00.000000

Failed login attempts per account live in the database (inlog_vertraging), so every web
process applies the same delay (issue 14 item 5). Reset links need no schema change: a reset
or a password change marks the user's other open links used (issue 17 item 3).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b89c01d23e45'
down_revision = 'a78b90c12d34'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'inlog_vertraging',
        sa.Column('sleutel', sa.String(length=64), nullable=False),
        sa.Column('mislukt', sa.Integer(), nullable=False),
        sa.Column('laatste_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('wacht_tot', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('sleutel', name=op.f('pk_inlog_vertraging')),
    )
    with op.batch_alter_table('inlog_vertraging', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inlog_vertraging_laatste_at'), ['laatste_at'], unique=False)


def downgrade():
    with op.batch_alter_table('inlog_vertraging', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inlog_vertraging_laatste_at'))
    op.drop_table('inlog_vertraging')
