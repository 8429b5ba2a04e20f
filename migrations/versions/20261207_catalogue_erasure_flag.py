"""catalogue: a request withdrawn by its sender's erasure says so, not one they withdrew

An erasure withdraws the person's requests still waiting for a decision, then detaches
all their requests (`services.erase_personal_data`); a request they had withdrawn
themselves was detached alike, and an admin opening it was told it went with their
erasure. A request now records whether the erasure withdrew it (`withdrawn_on_erasure`).

Those already there: an erasure wrote its withdrawals at the moment of the person's
"erase" event in the audit log (`privacy_services.erase_user`), and the requests the
migration 20261206_catalogue_withdrawals withdrew for erased senders have no closing
time; a sender's own withdrawal has its own moment.

Revision ID: 20261207_catalogue_erasure_flag
Revises: 20261206_catalogue_withdrawals
Create Date: 2026-12-07 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261207_catalogue_erasure_flag"
down_revision = "20261206_catalogue_withdrawals"
branch_labels = None
depends_on = None

requests = sa.table(
    "catalogue_request",
    sa.column("user_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("decided_at", sa.DateTime),
    sa.column("withdrawn_on_erasure", sa.Boolean),
)
events = sa.table(
    "audit_event",
    sa.column("at", sa.DateTime),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
)


def upgrade():
    # A plain ADD COLUMN, not a batch: SQLite's batch copies the table and drops the old
    # one, which would delete every request's lines (ON DELETE CASCADE).
    op.add_column(
        "catalogue_request",
        sa.Column("withdrawn_on_erasure", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    erasures = sa.select(events.c.at).where(
        events.c.action == "erase", events.c.object_type == "user"
    )
    op.execute(
        requests.update()
        .where(
            requests.c.status == "withdrawn",
            requests.c.user_id.is_(None),
            sa.or_(requests.c.decided_at.is_(None), requests.c.decided_at.in_(erasures)),
        )
        .values(withdrawn_on_erasure=True)
    )


def downgrade():
    op.drop_column("catalogue_request", "withdrawn_on_erasure")
