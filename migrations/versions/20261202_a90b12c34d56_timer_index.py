"""timers: an index on (completed, next_timer_at) for the sweep of due timers

Revision ID: a90b12c34d56
Revises: f23a45b67c89
Create Date: 2026-12-02 00:55:00.000000

The sweep (`runtime.due_instance_ids`, every CELERY_TIMER_INTERVAL seconds) asks for the
unfinished instances whose next timer is due, oldest first. With only the single-column
indexes, SQLite picked the one on `completed` and sorted every open instance; the composite
index answers it as one range in order. Downgrade drops it (the query still works, slower).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a90b12c34d56'
down_revision = 'f23a45b67c89'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_process_instance_timer_due', 'process_instance', ['completed', 'next_timer_at'], unique=False)


def downgrade():
    op.drop_index('ix_process_instance_timer_due', table_name='process_instance')
