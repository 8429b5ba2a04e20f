"""messaging: a recurring message confirmed twice (Back, a slow network) is created once

Revision ID: 20261204_messaging_confirm_once
Revises: 20261204_messaging_stopped
Create Date: 2026-12-04 22:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261204_messaging_confirm_once"
down_revision = "20261204_messaging_stopped"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("messaging_schedule", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dedupe_key", sa.String(length=80), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_messaging_schedule_dedupe_key"), ["dedupe_key"]
        )


def downgrade():
    with op.batch_alter_table("messaging_schedule", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_messaging_schedule_dedupe_key"), type_="unique")
        batch_op.drop_column("dedupe_key")
