"""auth: who deactivated an account (an admin, or the staff directory)

Revision ID: 20261204_auth_deactivated_by
Revises: 20261204_auth_erased_address
Create Date: 2026-12-04 03:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261204_auth_deactivated_by"
down_revision = "20261204_auth_erased_address"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deactivated_by", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("deactivated_at")
        batch_op.drop_column("deactivated_by")
