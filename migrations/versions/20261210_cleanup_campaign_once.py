"""cleanup: the new-campaign form sent twice creates one campaign

Back then « Create » again (the browser fills the form in again), or a double click,
created a second identical draft. Each new-campaign form now carries a token of its own;
the campaign keeps it, unique per organiser, and the same form sent again lands on the
campaign it created (`app.cleanup.services.create_campaign_from_form`). Campaigns
already there have none.

Revision ID: 20261210_cleanup_campaign_once
Revises: 20261209_recycling_tag_capitals
Create Date: 2026-12-10 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261210_cleanup_campaign_once"
down_revision = "20261209_recycling_tag_capitals"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cleanup_campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form_token", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_cleanup_campaign_created_by_id_form_token"),
            ["created_by_id", "form_token"],
        )


def downgrade():
    with op.batch_alter_table("cleanup_campaign", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_cleanup_campaign_created_by_id_form_token"), type_="unique"
        )
        batch_op.drop_column("form_token")
