"""recycling: a signed correction of a value recorded in a custody step

A typo in a wipe's certificate number, or in an outcome's hand-over slip number or
organisation, is corrected by a custody step of its own (`correction`, never a status):
it names the step it corrects, the field, the values before and after and the agent's
reason, all signed. Five nullable columns: every step recorded before keeps NULL there
and verifies as before (`app.recycling.services._step_payload` signs them only on a
correction step).

A downgrade drops the five columns: the corrections recorded since lose what they
corrected, and their steps no longer verify after an upgrade again (their signatures
covered it); the values they corrected read as first signed.

Revision ID: 20261221_recycling_corrections
Revises: 20261220_recycling_embodied
Create Date: 2026-12-21 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261221_recycling_corrections"
down_revision = "20261220_recycling_embodied"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("recycling_custody_step", schema=None) as batch_op:
        batch_op.add_column(sa.Column("corrects_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("corrected_field", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("old_value", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("new_value", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.String(length=250), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_recycling_custody_step_corrects_id_recycling_custody_step"),
            "recycling_custody_step",
            ["corrects_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            batch_op.f("ix_recycling_custody_step_corrects_id"), ["corrects_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("recycling_custody_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recycling_custody_step_corrects_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_recycling_custody_step_corrects_id_recycling_custody_step"),
            type_="foreignkey",
        )
        batch_op.drop_column("reason")
        batch_op.drop_column("new_value")
        batch_op.drop_column("old_value")
        batch_op.drop_column("corrected_field")
        batch_op.drop_column("corrects_id")
