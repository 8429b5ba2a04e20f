"""auth: the staff number (matricule) of the staff directory, a person's stable key

Revision ID: 20261204_auth_staff_number
Revises: 20261204_auth_deactivated_by
Create Date: 2026-12-04 04:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261204_auth_staff_number"
down_revision = "20261204_auth_deactivated_by"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("staff_number", sa.String(length=32), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_user_account_staff_number"), ["staff_number"], unique=True
        )


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_account_staff_number"))
        batch_op.drop_column("staff_number")
