"""initial schema

Revision ID: 5811ad7d87e4
Revises:
Create Date: 2026-11-23 04:48:00.555104

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5811ad7d87e4'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed: every table of models/, with its keys, unique constraints and indexes.
    op.create_table('samenwerkingsverband',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('naam', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_samenwerkingsverband')),
    sa.UniqueConstraint('code', name=op.f('uq_samenwerkingsverband_code'))
    )
    op.create_table('bestuur',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('swv_id', sa.Integer(), nullable=False),
    sa.Column('naam', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['swv_id'], ['samenwerkingsverband.id'], name=op.f('fk_bestuur_swv_id_samenwerkingsverband')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bestuur'))
    )
    with op.batch_alter_table('bestuur', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bestuur_swv_id'), ['swv_id'], unique=False)

    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('swv_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('naam', sa.String(length=200), nullable=False),
    sa.Column('telefoon', sa.String(length=40), nullable=True),
    sa.Column('functie', sa.String(length=80), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('actief', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['swv_id'], ['samenwerkingsverband.id'], name=op.f('fk_user_swv_id_samenwerkingsverband')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('username', name=op.f('uq_user_username'))
    )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_swv_id'), ['swv_id'], unique=False)

    op.create_table('wijk',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('swv_id', sa.Integer(), nullable=False),
    sa.Column('naam', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['swv_id'], ['samenwerkingsverband.id'], name=op.f('fk_wijk_swv_id_samenwerkingsverband')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wijk'))
    )
    with op.batch_alter_table('wijk', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wijk_swv_id'), ['swv_id'], unique=False)

    op.create_table('process_definition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_key', sa.String(length=80), nullable=False),
    sa.Column('bpmn_process_id', sa.String(length=120), nullable=False),
    sa.Column('naam', sa.String(length=200), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('bpmn_xml', sa.Text(), nullable=False),
    sa.Column('forms', sa.JSON(), nullable=False),
    sa.Column('spec', sa.JSON(), nullable=False),
    sa.Column('bron', sa.String(length=20), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['published_by_id'], ['user.id'], name=op.f('fk_process_definition_published_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_definition')),
    sa.UniqueConstraint('process_key', 'content_hash', name='key_hash')
    )
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_definition_process_key'), ['process_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_definition_published_at'), ['published_at'], unique=False)

    op.create_table('school',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('swv_id', sa.Integer(), nullable=False),
    sa.Column('naam', sa.String(length=200), nullable=False),
    sa.Column('brin', sa.String(length=4), nullable=False),
    sa.Column('vestigingscode', sa.String(length=2), nullable=False),
    sa.Column('bestuur_id', sa.Integer(), nullable=False),
    sa.Column('wijk_id', sa.Integer(), nullable=True),
    sa.Column('scp_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['bestuur_id'], ['bestuur.id'], name=op.f('fk_school_bestuur_id_bestuur')),
    sa.ForeignKeyConstraint(['scp_id'], ['user.id'], name=op.f('fk_school_scp_id_user')),
    sa.ForeignKeyConstraint(['swv_id'], ['samenwerkingsverband.id'], name=op.f('fk_school_swv_id_samenwerkingsverband')),
    sa.ForeignKeyConstraint(['wijk_id'], ['wijk.id'], name=op.f('fk_school_wijk_id_wijk')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_school')),
    sa.UniqueConstraint('brin', 'vestigingscode', name='brin_vestiging')
    )
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_school_bestuur_id'), ['bestuur_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_school_scp_id'), ['scp_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_school_swv_id'), ['swv_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_school_wijk_id'), ['wijk_id'], unique=False)

    op.create_table('user_rol',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('rol', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_rol_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'rol', name=op.f('pk_user_rol'))
    )
    op.create_table('dossier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('swv_id', sa.Integer(), nullable=False),
    sa.Column('niveau', sa.String(length=10), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('roepnaam', sa.String(length=100), nullable=True),
    sa.Column('tussenvoegsel', sa.String(length=40), nullable=True),
    sa.Column('achternaam', sa.String(length=150), nullable=True),
    sa.Column('geboortedatum', sa.Date(), nullable=True),
    sa.Column('geslacht', sa.String(length=1), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_dossier_school_id_school')),
    sa.ForeignKeyConstraint(['swv_id'], ['samenwerkingsverband.id'], name=op.f('fk_dossier_swv_id_samenwerkingsverband')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier'))
    )
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossier_swv_id'), ['swv_id'], unique=False)

    op.create_table('user_school',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_user_school_school_id_school'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_school_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'school_id', name=op.f('pk_user_school'))
    )
    op.create_table('hulpvraag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('aanvraagnummer', sa.String(length=20), nullable=True),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('titel', sa.String(length=120), nullable=False),
    sa.Column('titel_onbekend', sa.Boolean(), nullable=False),
    sa.Column('omschrijving', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=80), nullable=False),
    sa.Column('coordinator_id', sa.Integer(), nullable=True),
    sa.Column('aanvrager_id', sa.Integer(), nullable=True),
    sa.Column('contactpersoon_naam', sa.String(length=200), nullable=False),
    sa.Column('contactpersoon_email', sa.String(length=254), nullable=False),
    sa.Column('contactpersoon_telefoon', sa.String(length=40), nullable=False),
    sa.Column('bron', sa.String(length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['aanvrager_id'], ['user.id'], name=op.f('fk_hulpvraag_aanvrager_id_user')),
    sa.ForeignKeyConstraint(['coordinator_id'], ['user.id'], name=op.f('fk_hulpvraag_coordinator_id_user')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_hulpvraag_dossier_id_dossier')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_hulpvraag_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hulpvraag')),
    sa.UniqueConstraint('aanvraagnummer', name=op.f('uq_hulpvraag_aanvraagnummer'))
    )
    with op.batch_alter_table('hulpvraag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hulpvraag_aanvrager_id'), ['aanvrager_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hulpvraag_coordinator_id'), ['coordinator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hulpvraag_dossier_id'), ['dossier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hulpvraag_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hulpvraag_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_hulpvraag_titel'), ['titel'], unique=False)

    op.create_table('process_instance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hulpvraag_id', sa.Integer(), nullable=True),
    sa.Column('definition_id', sa.Integer(), nullable=False),
    sa.Column('process_key', sa.String(length=80), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('serializer_version', sa.String(length=20), nullable=False),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('next_timer_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['definition_id'], ['process_definition.id'], name=op.f('fk_process_instance_definition_id_process_definition')),
    sa.ForeignKeyConstraint(['hulpvraag_id'], ['hulpvraag.id'], name=op.f('fk_process_instance_hulpvraag_id_hulpvraag')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_instance'))
    )
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_instance_completed'), ['completed'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_instance_definition_id'), ['definition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_instance_hulpvraag_id'), ['hulpvraag_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_instance_next_timer_at'), ['next_timer_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_instance_process_key'), ['process_key'], unique=False)

    op.create_table('statuswijziging',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hulpvraag_id', sa.Integer(), nullable=False),
    sa.Column('van', sa.String(length=80), nullable=True),
    sa.Column('naar', sa.String(length=80), nullable=False),
    sa.Column('reden', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('bron', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hulpvraag_id'], ['hulpvraag.id'], name=op.f('fk_statuswijziging_hulpvraag_id_hulpvraag')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_statuswijziging_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statuswijziging'))
    )
    with op.batch_alter_table('statuswijziging', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statuswijziging_hulpvraag_id'), ['hulpvraag_id'], unique=False)

    op.create_table('human_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('hulpvraag_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('bpmn_id', sa.String(length=120), nullable=False),
    sa.Column('titel', sa.String(length=200), nullable=False),
    sa.Column('instructie', sa.Text(), nullable=False),
    sa.Column('lane', sa.String(length=80), nullable=True),
    sa.Column('rol', sa.String(length=20), nullable=False),
    sa.Column('functie', sa.String(length=80), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('assigned_user_id', sa.Integer(), nullable=True),
    sa.Column('claimed_by_id', sa.Integer(), nullable=True),
    sa.Column('form', sa.String(length=200), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assigned_user_id'], ['user.id'], name=op.f('fk_human_task_assigned_user_id_user')),
    sa.ForeignKeyConstraint(['claimed_by_id'], ['user.id'], name=op.f('fk_human_task_claimed_by_id_user')),
    sa.ForeignKeyConstraint(['completed_by_id'], ['user.id'], name=op.f('fk_human_task_completed_by_id_user')),
    sa.ForeignKeyConstraint(['hulpvraag_id'], ['hulpvraag.id'], name=op.f('fk_human_task_hulpvraag_id_hulpvraag')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_human_task_instance_id_process_instance')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_human_task_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_human_task')),
    sa.UniqueConstraint('instance_id', 'task_id', name='instance_task')
    )
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_human_task_assigned_user_id'), ['assigned_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_human_task_claimed_by_id'), ['claimed_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_human_task_completed_at'), ['completed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_human_task_functie'), ['functie'], unique=False)
        batch_op.create_index(batch_op.f('ix_human_task_hulpvraag_id'), ['hulpvraag_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_human_task_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_human_task_rol'), ['rol'], unique=False)
        batch_op.create_index(batch_op.f('ix_human_task_school_id'), ['school_id'], unique=False)



def downgrade():
    # Reverse order of upgrade: dependants before the tables they refer to.
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_human_task_school_id'))
        batch_op.drop_index(batch_op.f('ix_human_task_rol'))
        batch_op.drop_index(batch_op.f('ix_human_task_instance_id'))
        batch_op.drop_index(batch_op.f('ix_human_task_hulpvraag_id'))
        batch_op.drop_index(batch_op.f('ix_human_task_functie'))
        batch_op.drop_index(batch_op.f('ix_human_task_completed_at'))
        batch_op.drop_index(batch_op.f('ix_human_task_claimed_by_id'))
        batch_op.drop_index(batch_op.f('ix_human_task_assigned_user_id'))

    op.drop_table('human_task')
    with op.batch_alter_table('statuswijziging', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statuswijziging_hulpvraag_id'))

    op.drop_table('statuswijziging')
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_instance_process_key'))
        batch_op.drop_index(batch_op.f('ix_process_instance_next_timer_at'))
        batch_op.drop_index(batch_op.f('ix_process_instance_hulpvraag_id'))
        batch_op.drop_index(batch_op.f('ix_process_instance_definition_id'))
        batch_op.drop_index(batch_op.f('ix_process_instance_completed'))

    op.drop_table('process_instance')
    with op.batch_alter_table('hulpvraag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hulpvraag_titel'))
        batch_op.drop_index(batch_op.f('ix_hulpvraag_status'))
        batch_op.drop_index(batch_op.f('ix_hulpvraag_school_id'))
        batch_op.drop_index(batch_op.f('ix_hulpvraag_dossier_id'))
        batch_op.drop_index(batch_op.f('ix_hulpvraag_coordinator_id'))
        batch_op.drop_index(batch_op.f('ix_hulpvraag_aanvrager_id'))

    op.drop_table('hulpvraag')
    op.drop_table('user_school')
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_swv_id'))
        batch_op.drop_index(batch_op.f('ix_dossier_school_id'))

    op.drop_table('dossier')
    op.drop_table('user_rol')
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_school_wijk_id'))
        batch_op.drop_index(batch_op.f('ix_school_swv_id'))
        batch_op.drop_index(batch_op.f('ix_school_scp_id'))
        batch_op.drop_index(batch_op.f('ix_school_bestuur_id'))

    op.drop_table('school')
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_definition_published_at'))
        batch_op.drop_index(batch_op.f('ix_process_definition_process_key'))

    op.drop_table('process_definition')
    with op.batch_alter_table('wijk', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wijk_swv_id'))

    op.drop_table('wijk')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_swv_id'))
        batch_op.drop_index(batch_op.f('ix_user_email'))

    op.drop_table('user')
    with op.batch_alter_table('bestuur', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bestuur_swv_id'))

    op.drop_table('bestuur')
    op.drop_table('samenwerkingsverband')
