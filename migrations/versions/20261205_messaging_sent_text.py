"""messaging: a template deleted once sent is archived; a dispatch keeps the text it sent

A template's dispatches and their deliveries (the messages in people's inboxes) go with
it on delete: one sent is archived instead (`archived_at`). A dispatch keeps its
template's name and texts when its outbox is written (`sent_text`): its page shows what
it sent, and its held e-mails go with those words, whatever edits came since.

Revision ID: 20261205_messaging_sent_text
Revises: 20261205_catalogue_one_basket
Create Date: 2026-12-05 18:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261205_messaging_sent_text"
down_revision = "20261205_catalogue_one_basket"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("messaging_template", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("messaging_dispatch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sent_text", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("messaging_dispatch", schema=None) as batch_op:
        batch_op.drop_column("sent_text")
    with op.batch_alter_table("messaging_template", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
