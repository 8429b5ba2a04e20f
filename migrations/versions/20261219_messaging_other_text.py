"""messaging: an inbox copy in both languages for whoever had not chosen one

A message written for someone who had never signed in (no language chosen) was kept in the
default language only; once they signed in reading the portal in English, their inbox
showed it in French though the template had an English text. Such a copy now keeps the
other language's text too, written with the same values. Rows written before hold none.

Revision ID: 20261219_messaging_other_text
Revises: 20261218_recycling_handover
Create Date: 2026-12-19 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261219_messaging_other_text"
down_revision = "20261218_recycling_handover"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("messaging_delivery") as batch_op:
        batch_op.add_column(sa.Column("other_text", sa.JSON(none_as_null=True), nullable=True))


def downgrade():
    with op.batch_alter_table("messaging_delivery") as batch_op:
        batch_op.drop_column("other_text")
