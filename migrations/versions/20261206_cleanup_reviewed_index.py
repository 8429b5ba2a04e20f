"""cleanup: the review page lists the latest decisions, to change one taken by mistake

A partial index on the reviewed entries of a campaign (`reviewed_at IS NOT NULL`): the
page reads the latest 50 of the few entries ever reviewed, not every accepted entry of
the campaign (270,000 in the demo) to find them.

Revision ID: 20261206_cleanup_reviewed_index
Revises: 20261205_core_audit_subject
Create Date: 2026-12-06 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261206_cleanup_reviewed_index"
down_revision = "20261205_core_audit_subject"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_cleanup_action_reviewed",
        "cleanup_action",
        ["campaign_id", "reviewed_at"],
        unique=False,
        sqlite_where=sa.text("reviewed_at IS NOT NULL"),
        postgresql_where=sa.text("reviewed_at IS NOT NULL"),
    )


def downgrade():
    op.drop_index("ix_cleanup_action_reviewed", table_name="cleanup_action")
