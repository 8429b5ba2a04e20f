"""messaging: a message template's edit version

A message template gets `edit_version`, moved by one at every save of its texts: the
editor carries it, and a save from an editor opened before another save (an older tab,
another organiser) is refused instead of silently undoing it
(`app.messaging.services.save_template`). Templates already stored start at 1.

Revision ID: 20261224_messaging_tpl_version
Revises: 20261223_cleanup_guide_version
Create Date: 2026-12-24 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261224_messaging_tpl_version"
down_revision = "20261223_cleanup_guide_version"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("messaging_template", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("edit_version", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("messaging_template", schema=None) as batch_op:
        batch_op.drop_column("edit_version")
