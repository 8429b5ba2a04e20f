"""cleanup: a corrected entry keeps what it was corrected from; a campaign its last
change and the sequence of its dates (the calendar file's LAST-MODIFIED and SEQUENCE)

Revision ID: 20261204_cleanup_corrections
Revises: 20261204_messaging_confirm_once
Create Date: 2026-12-04 23:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261204_cleanup_corrections"
down_revision = "20261204_messaging_confirm_once"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cleanup_campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("dates_sequence", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("cleanup_action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("corrected_from", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("corrected_from_status", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("cleanup_action", schema=None) as batch_op:
        batch_op.drop_column("corrected_at")
        batch_op.drop_column("corrected_from_status")
        batch_op.drop_column("corrected_from")
    with op.batch_alter_table("cleanup_campaign", schema=None) as batch_op:
        batch_op.drop_column("dates_sequence")
        batch_op.drop_column("updated_at")
