"""cleanup: a campaign ended early keeps why, for its participants

An organiser could not end a running campaign before its planned end. They now can,
giving a reason that the campaign's page shows participants, in the language it was
written in. Campaigns that ran their course hold none.

Revision ID: 20261218_cleanup_early_end
Revises: 20261217_cleanup_board_labels
Create Date: 2026-12-18 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261218_cleanup_early_end"
down_revision = "20261217_cleanup_board_labels"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cleanup_campaign") as batch_op:
        batch_op.add_column(sa.Column("early_end_reason", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("early_end_reason_lang", sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table("cleanup_campaign") as batch_op:
        batch_op.drop_column("early_end_reason_lang")
        batch_op.drop_column("early_end_reason")
