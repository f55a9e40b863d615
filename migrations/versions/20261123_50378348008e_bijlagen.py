"""bijlagen

Revision ID: 50378348008e
Revises: 5b57981ef028
Create Date: 2026-11-23 05:32:52.208343

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '50378348008e'
down_revision = '5b57981ef028'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed: only the bijlage table (other tables autogenerate found belong to other migrations).
    op.create_table('bijlage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hulpvraag_id', sa.Integer(), nullable=True),
    sa.Column('eigenaar_type', sa.String(length=20), nullable=True),
    sa.Column('eigenaar_id', sa.Integer(), nullable=True),
    sa.Column('naam', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('grootte', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('opslag_sleutel', sa.String(length=100), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('verwijderd_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verwijderd_door_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(eigenaar_type IS NULL) = (eigenaar_id IS NULL)', name=op.f('ck_bijlage_eigenaar_compleet')),
    sa.ForeignKeyConstraint(['hulpvraag_id'], ['hulpvraag.id'], name=op.f('fk_bijlage_hulpvraag_id_hulpvraag')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_bijlage_uploaded_by_id_user')),
    sa.ForeignKeyConstraint(['verwijderd_door_id'], ['user.id'], name=op.f('fk_bijlage_verwijderd_door_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bijlage')),
    sa.UniqueConstraint('opslag_sleutel', name=op.f('uq_bijlage_opslag_sleutel'))
    )
    with op.batch_alter_table('bijlage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bijlage_hulpvraag_id'), ['hulpvraag_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bijlage_uploaded_by_id'), ['uploaded_by_id'], unique=False)


def downgrade():
    # The stored files stay in BIJLAGEN_DIR; they are unreachable without these rows.
    with op.batch_alter_table('bijlage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bijlage_uploaded_by_id'))
        batch_op.drop_index(batch_op.f('ix_bijlage_hulpvraag_id'))

    op.drop_table('bijlage')
