"""bijlage soort as data, pending uploads

Revision ID: e12f34a56b78
Revises: d01e23f45a67
Create Date: 2026-12-02 00:30:00.000000

A bijlage gets a soort (OPP, onderzoeksverslag …) from a list a beheerder can extend
(``bijlagesoort``, seeded with the standard soorten), and files chosen on a form that came back
are kept in ``gekozen_bestand`` until it is submitted.

Existing bijlagen: until now a process recognised the OPP by "OPP" anywhere in the file name,
which also counted "stoppen.pdf". Here a name counts as an OPP only with OPP as a word of its
own: "OPP 2026.pdf", "opp-evaluatie.pdf", "OPPondertekening.pdf" (capitals next to lower case)
→ OPP; "stoppen.pdf", "KOPPELING.pdf", "oppas.pdf" and everything else → overig. A wrong guess
can be corrected on the hulpvraag page. The downgrade drops the soorten (the names stay).
"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e12f34a56b78'
down_revision = 'd01e23f45a67'
branch_labels = None
depends_on = None

STANDAARD = ("OPP", "onderzoeksverslag", "groepsplan", "toetsoverzicht", "handelingsplan", "verslag", "overig")
# OPP as a word (any case, no letter on either side), or in capitals with no capital beside it.
OPP_IN_NAAM = re.compile(r"(?i:(?<![a-z])opp(?![a-z]))|(?<![A-Z])OPP(?![A-Z])")


def soort_uit_naam(naam: str) -> str:
    return "OPP" if OPP_IN_NAAM.search(naam or "") else "overig"


def upgrade():
    soort = op.create_table('bijlagesoort',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('naam', sa.String(length=60), nullable=False),
        sa.Column('volgorde', sa.Integer(), nullable=False),
        sa.Column('actief', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bijlagesoort')),
        sa.UniqueConstraint('naam', name=op.f('uq_bijlagesoort_naam'))
    )
    op.bulk_insert(soort, [{"naam": n, "volgorde": i, "actief": True} for i, n in enumerate(STANDAARD)])
    op.create_table('gekozen_bestand',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('sessie_id', sa.String(length=64), nullable=False),
        sa.Column('naam', sa.String(length=255), nullable=False),
        sa.Column('soort', sa.String(length=60), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('grootte', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('opslag_sleutel', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_gekozen_bestand_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_gekozen_bestand')),
        sa.UniqueConstraint('opslag_sleutel', name=op.f('uq_gekozen_bestand_opslag_sleutel'))
    )
    with op.batch_alter_table('gekozen_bestand', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gekozen_bestand_sessie_id'), ['sessie_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gekozen_bestand_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('bijlage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('soort', sa.String(length=60), server_default='overig', nullable=False))
    _soort_van_bestaande_bijlagen()


def _soort_van_bestaande_bijlagen():
    bijlage = sa.table('bijlage', sa.column('id', sa.Integer), sa.column('naam', sa.String),
                       sa.column('soort', sa.String))
    connection = op.get_bind()
    opp = [row.id for row in connection.execute(sa.select(bijlage.c.id, bijlage.c.naam))
           if soort_uit_naam(row.naam) == "OPP"]
    for start in range(0, len(opp), 500):
        connection.execute(sa.update(bijlage).where(bijlage.c.id.in_(opp[start:start + 500])).values(soort="OPP"))


def downgrade():
    with op.batch_alter_table('bijlage', schema=None) as batch_op:
        batch_op.drop_column('soort')
    with op.batch_alter_table('gekozen_bestand', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gekozen_bestand_user_id'))
        batch_op.drop_index(batch_op.f('ix_gekozen_bestand_sessie_id'))
    op.drop_table('gekozen_bestand')
    op.drop_table('bijlagesoort')
