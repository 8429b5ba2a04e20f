"""messaging: when a person deleted a message from their inbox

Revision ID: 20261203_messaging_delete
Revises: 20261203_recycling_reminder
Create Date: 2026-12-03 21:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261203_messaging_delete"
down_revision = "20261203_recycling_reminder"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("messaging_delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("messaging_delivery", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")
