"""recycling: a collection point's edit version

A collection point gets `edit_version`, moved by one at every save of its edit form:
the form carries it, and a save from a form opened before another change (an older
tab) is refused instead of silently undoing it, agents included
(`app.recycling.services.save_point`). Points already stored start at 1.

Revision ID: 20261222_recycling_point_version
Revises: 20261221_recycling_corrections
Create Date: 2026-12-22 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261222_recycling_point_version"
down_revision = "20261221_recycling_corrections"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("recycling_collection_point", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("edit_version", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("recycling_collection_point", schema=None) as batch_op:
        batch_op.drop_column("edit_version")
