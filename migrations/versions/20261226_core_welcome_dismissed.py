"""core: the home page's welcome, shown until the person hides it

`welcome_dismissal`: one row per person who hid the welcome (what the portal is, the
pseudonym it chose for them), their account's id and nothing else. Nobody has one yet: each
person sees the welcome until they hide it.

Revision ID: 20261226_core_welcome_dismissed
Revises: 20261225_core_erasure_traces
Create Date: 2026-12-26 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261226_core_welcome_dismissed"
down_revision = "20261225_core_erasure_traces"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "welcome_dismissal",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_welcome_dismissal_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_welcome_dismissal")),
    )


def downgrade():
    op.drop_table("welcome_dismissal")
