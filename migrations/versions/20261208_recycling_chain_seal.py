"""recycling: a return seals its status and the number of its custody steps

Each custody step signs its facts and its place, so a step changed, moved or deleted
before another shows; but the last step deleted along with the return's status set back
to the one before left a chain that verified. `chain_seal` signs the status and the
number of steps at each new step (`app.recycling.services.chain_seal`). Returns already
there keep NULL, checked as before, until their next step.

Revision ID: 20261208_recycling_chain_seal
Revises: 20261207_recycling_signed_chain
Create Date: 2026-12-08 01:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261208_recycling_chain_seal"
down_revision = "20261207_recycling_signed_chain"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "recycling_device_return", sa.Column("chain_seal", sa.String(length=64), nullable=True)
    )


def downgrade():
    # A plain DROP COLUMN (SQLite 3.35+), not a batch: a batch copies the table and drops
    # the old one, which a foreign key with ON DELETE CASCADE would follow.
    op.drop_column("recycling_device_return", "chain_seal")
