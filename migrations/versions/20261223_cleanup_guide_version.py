"""cleanup: an action type's edit version

An action type (its guide) gets `edit_version`, moved by one at every save of its guide
form: the form carries it, and a save from a form opened before another change (an older
tab, another organiser) is refused instead of silently undoing it
(`app.cleanup.services.update_action_type`). Action types already stored start at 1.

Revision ID: 20261223_cleanup_guide_version
Revises: 20261222_recycling_point_version
Create Date: 2026-12-23 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261223_cleanup_guide_version"
down_revision = "20261222_recycling_point_version"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cleanup_action_type", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("edit_version", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("cleanup_action_type", schema=None) as batch_op:
        batch_op.drop_column("edit_version")
