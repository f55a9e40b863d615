"""audit trail

Revision ID: 895742d1384d
Revises: d869142231d8
Create Date: 2026-11-23 05:14:47.941925

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '895742d1384d'
down_revision = 'd869142231d8'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed: only the audit_entry table; dossier_id/object_id deliberately without a foreign key
    # (the trail outlives dossiers removed by the retention rules).
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actie', sa.String(length=20), nullable=False),
    sa.Column('object_type', sa.String(length=20), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('dossier_id', sa.Integer(), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_audit_entry_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_dossier_id'), ['dossier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_user_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_dossier_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_created_at'))

    op.drop_table('audit_entry')