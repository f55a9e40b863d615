"""budgetten en toekenningen

Revision ID: ee2b68fb8444
Revises: c1d606d40aef
Create Date: 2026-11-23 06:05:03.351237

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ee2b68fb8444'
down_revision = 'c1d606d40aef'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed: budgets per bestuur/school/wijk and school year (models/budget.py) and the awards
    # drawn from them; an award outlives its hulpvraag (SET NULL) for the accounts.
    op.create_table('budget',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('swv_id', sa.Integer(), nullable=False),
    sa.Column('regeling', sa.String(length=20), nullable=False),
    sa.Column('soort', sa.String(length=10), nullable=False),
    sa.Column('bestuur_id', sa.Integer(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('wijk_id', sa.Integer(), nullable=True),
    sa.Column('schooljaar', sa.String(length=9), nullable=False),
    sa.Column('bedrag', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(soort = 'bestuur' AND bestuur_id IS NOT NULL AND school_id IS NULL AND wijk_id IS NULL) OR (soort = 'school' AND school_id IS NOT NULL AND bestuur_id IS NULL AND wijk_id IS NULL) OR (soort = 'wijk' AND wijk_id IS NOT NULL AND bestuur_id IS NULL AND school_id IS NULL)", name=op.f('ck_budget_een_eigenaar')),
    sa.CheckConstraint('bedrag >= 0', name=op.f('ck_budget_bedrag_niet_negatief')),
    sa.ForeignKeyConstraint(['bestuur_id'], ['bestuur.id'], name=op.f('fk_budget_bestuur_id_bestuur')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_budget_school_id_school')),
    sa.ForeignKeyConstraint(['swv_id'], ['samenwerkingsverband.id'], name=op.f('fk_budget_swv_id_samenwerkingsverband')),
    sa.ForeignKeyConstraint(['wijk_id'], ['wijk.id'], name=op.f('fk_budget_wijk_id_wijk')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget')),
    sa.UniqueConstraint('regeling', 'bestuur_id', 'schooljaar', name='budget_bestuur_jaar'),
    sa.UniqueConstraint('regeling', 'school_id', 'schooljaar', name='budget_school_jaar'),
    sa.UniqueConstraint('regeling', 'wijk_id', 'schooljaar', name='budget_wijk_jaar')
    )
    with op.batch_alter_table('budget', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_bestuur_id'), ['bestuur_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_budget_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_budget_swv_id'), ['swv_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_budget_wijk_id'), ['wijk_id'], unique=False)

    op.create_table('toekenning',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('hulpvraag_id', sa.Integer(), nullable=True),
    sa.Column('aanvraagnummer', sa.String(length=40), nullable=False),
    sa.Column('bedrag', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('besluitdatum', sa.Date(), nullable=False),
    sa.Column('ingetrokken_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['budget_id'], ['budget.id'], name=op.f('fk_toekenning_budget_id_budget')),
    sa.ForeignKeyConstraint(['hulpvraag_id'], ['hulpvraag.id'], name=op.f('fk_toekenning_hulpvraag_id_hulpvraag'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_toekenning'))
    )
    with op.batch_alter_table('toekenning', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_toekenning_budget_id'), ['budget_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_toekenning_hulpvraag_id'), ['hulpvraag_id'], unique=False)



def downgrade():
    with op.batch_alter_table('toekenning', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_toekenning_hulpvraag_id'))
        batch_op.drop_index(batch_op.f('ix_toekenning_budget_id'))

    op.drop_table('toekenning')
    with op.batch_alter_table('budget', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_wijk_id'))
        batch_op.drop_index(batch_op.f('ix_budget_swv_id'))
        batch_op.drop_index(batch_op.f('ix_budget_school_id'))
        batch_op.drop_index(batch_op.f('ix_budget_bestuur_id'))

    op.drop_table('budget')
