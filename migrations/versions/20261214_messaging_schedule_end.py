"""messaging: a recurring message may end on a date

A weekly reminder for a three-week campaign went on after the campaign until an organiser
stopped it by hand. A recurring schedule now has an optional last day (`until`, a day of
the portal's calendar, included): no sending after it, and the schedule then reads as
ended. Schedules made before keep no end (NULL), as they were.

Revision ID: 20261214_messaging_schedule_end
Revises: 20261213_auth_ended_session
Create Date: 2026-12-14 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261214_messaging_schedule_end"
down_revision = "20261213_auth_ended_session"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("messaging_schedule", schema=None) as batch_op:
        batch_op.add_column(sa.Column("until", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("messaging_schedule", schema=None) as batch_op:
        batch_op.drop_column("until")
