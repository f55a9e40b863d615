"""accounts: activation links and the beheer account pages

Revision ID: f67a89b01c23
Revises: e56f78a90b12
Create Date: 2026-12-02 00:30:00.000000

A new table only (account_activatie: single-use, expiring links a new account chooses its
first password with). Downgrade drops it: open activation links stop working; the accounts
themselves are untouched and the beheerder can send a new link after an upgrade.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f67a89b01c23'
down_revision = 'e56f78a90b12'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_activatie',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('vervangen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_account_activatie_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_activatie')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_account_activatie_token_hash'))
    )
    with op.batch_alter_table('account_activatie', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_activatie_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('account_activatie', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_activatie_user_id'))
    op.drop_table('account_activatie')
