"""recycling: who received a device handed over, and the hand-over slip

An outcome that hands the device over outside the administration (donated, refurbished,
recycled) now records, signed with the step, the organisation that received it and the
number of the hand-over slip (bordereau). Two nullable columns: the steps recorded
before keep NULL there, and their signatures, which covered neither, still verify
(`app.recycling.services._step_payload` signs a hand-over only where there is one).

A downgrade drops both columns: the hand-overs recorded since are lost, and their steps
no longer verify after an upgrade again (their signatures covered them).

Revision ID: 20261218_recycling_handover
Revises: 20261218_cleanup_early_end
Create Date: 2026-12-18 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261218_recycling_handover"
down_revision = "20261218_cleanup_early_end"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("recycling_custody_step", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipient", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("handover_slip", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("recycling_custody_step", schema=None) as batch_op:
        batch_op.drop_column("handover_slip")
        batch_op.drop_column("recipient")
