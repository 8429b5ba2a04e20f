"""recycling: when the owner of a device left waiting was reminded

Revision ID: 20261203_recycling_reminder
Revises: 20261203_catalogue_sort
Create Date: 2026-12-03 21:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261203_recycling_reminder"
down_revision = "20261203_catalogue_sort"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("recycling_device_return", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("recycling_device_return", schema=None) as batch_op:
        batch_op.drop_column("reminded_at")
