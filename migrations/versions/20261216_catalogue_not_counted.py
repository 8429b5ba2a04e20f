"""catalogue: a line approved with its item out of the catalogue is marked « not counted »

Approving a request whose item had left the catalogue since it was sent charged the
budget nothing for that line by setting its frozen figure to 0: the request page then
showed « 0 kg CO₂e » instead of « not counted », the figure asked for was lost, and
renewal reminders counted a device nobody received. The line now records it
(`not_counted`) and keeps its figure; budgets and renewals leave such lines out.

No line is marked here: the approvals that wrote 0 came with the same release, never
deployed before this revision.

Revision ID: 20261216_catalogue_not_counted
Revises: 20261215_recycling_note_lang
Create Date: 2026-12-16 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261216_catalogue_not_counted"
down_revision = "20261215_recycling_note_lang"
branch_labels = None
depends_on = None

lines = sa.table(
    "catalogue_request_line",
    sa.column("annual_kgco2e", sa.Float),
    sa.column("not_counted", sa.Boolean),
)


def upgrade():
    # A plain ADD COLUMN, not a batch: SQLite's batch copies the table and drops the old
    # one (as 20261207_catalogue_erasure_flag explains).
    op.add_column(
        "catalogue_request_line",
        sa.Column("not_counted", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade():
    # The earlier code charges nothing for such a line only through a figure of 0.
    op.execute(lines.update().where(lines.c.not_counted.is_(True)).values(annual_kgco2e=0.0))
    op.drop_column("catalogue_request_line", "not_counted")
