"""cleanup: an index for the scoreboard refresh (participants stamped since)

Revision ID: 20261202_cleanup_refresh
Revises: 20261125_cache
Create Date: 2026-12-02 12:50:00

"""

from alembic import op

revision = "20261202_cleanup_refresh"
down_revision = "20261125_cache"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cleanup_participant", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cleanup_participant_refresh", ["campaign_id", "last_logged_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("cleanup_participant", schema=None) as batch_op:
        batch_op.drop_index("ix_cleanup_participant_refresh")
