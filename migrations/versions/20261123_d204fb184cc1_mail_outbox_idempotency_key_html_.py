"""mail outbox: idempotency key, html, retries, preferences

Revision ID: d204fb184cc1
Revises: af79c1ae0680
Create Date: 2026-11-23 07:40:43.951128

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd204fb184cc1'
down_revision = 'af79c1ae0680'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('html', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('sleutel', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('soort', sa.String(length=40), server_default='algemeen', nullable=False))
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('hulpvraag_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('volgende_poging_op', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('lease_tot', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_outgoing_mail_hulpvraag_id'), ['hulpvraag_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outgoing_mail_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outgoing_mail_volgende_poging_op'), ['volgende_poging_op'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outgoing_mail_user_id_user'), 'user', ['user_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_outgoing_mail_hulpvraag_id_hulpvraag'), 'hulpvraag', ['hulpvraag_id'], ['id'], ondelete='SET NULL')

    # Mails queued before this revision get a key of their own, then the key becomes required.
    op.execute("UPDATE outgoing_mail SET sleutel = 'mail-' || id WHERE sleutel IS NULL")
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.alter_column('sleutel', existing_type=sa.String(length=120), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_outgoing_mail_sleutel'), ['sleutel'])

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mail_bij_status', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('taken_mail', sa.String(length=10), server_default='direct', nullable=False))



def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('taken_mail')
        batch_op.drop_column('mail_bij_status')

    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outgoing_mail_hulpvraag_id_hulpvraag'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_outgoing_mail_user_id_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_outgoing_mail_sleutel'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_outgoing_mail_volgende_poging_op'))
        batch_op.drop_index(batch_op.f('ix_outgoing_mail_user_id'))
        batch_op.drop_index(batch_op.f('ix_outgoing_mail_hulpvraag_id'))
        batch_op.drop_column('lease_tot')
        batch_op.drop_column('volgende_poging_op')
        batch_op.drop_column('hulpvraag_id')
        batch_op.drop_column('user_id')
        batch_op.drop_column('soort')
        batch_op.drop_column('sleutel')
        batch_op.drop_column('html')

