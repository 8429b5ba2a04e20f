"""catalogue: a withdrawal is no decision; an erased person's requests leave the queue

A request its sender withdrew stored them as the one who decided it (`decided_by_id`):
their personal data export listed it among the requests they decided as staff, and their
erasure left their account's id there. Only the requester ever withdrew a request
(`services.withdraw_request`), so every withdrawn request loses its decider.

A request still waiting for a decision when its sender was erased stayed in the admins'
queue, where it could be approved (charging the department's budget for no one) or
refused (the note kept in the audit log). Those requests, their sender gone
(`user_id` NULL), are withdrawn, as an erasure now does (`services.erase_personal_data`);
when they were is not known, so they get no closing time.

Revision ID: 20261206_catalogue_withdrawals
Revises: 20261206_cleanup_reviewed_index
Create Date: 2026-12-06 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261206_catalogue_withdrawals"
down_revision = "20261206_cleanup_reviewed_index"
branch_labels = None
depends_on = None

requests = sa.table(
    "catalogue_request",
    sa.column("user_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("decided_by_id", sa.Integer),
    sa.column("decision_note", sa.String),
    sa.column("comment", sa.String),
)


def upgrade():
    op.execute(
        requests.update()
        .where(requests.c.status == "withdrawn", requests.c.decided_by_id.is_not(None))
        .values(decided_by_id=None)
    )
    op.execute(
        requests.update()
        .where(requests.c.status == "submitted", requests.c.user_id.is_(None))
        .values(status="withdrawn", decided_by_id=None, decision_note="", comment="")
    )


def downgrade():
    # Who withdrew was the requester, whose id an erasure cleared: nothing to restore.
    pass
