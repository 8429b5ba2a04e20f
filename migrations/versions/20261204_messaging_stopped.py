"""messaging: who stopped a recurring message, and when (it stays listed as stopped)

Revision ID: 20261204_messaging_stopped
Revises: 20261204_auth_sso_subject
Create Date: 2026-12-04 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261204_messaging_stopped"
down_revision = "20261204_auth_sso_subject"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("messaging_schedule", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("stopped_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_messaging_schedule_stopped_by_id_user_account"),
            "user_account",
            ["stopped_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("messaging_schedule", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_messaging_schedule_stopped_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("stopped_by_id")
        batch_op.drop_column("stopped_at")
