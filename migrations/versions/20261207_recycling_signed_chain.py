"""recycling: custody steps sign their name and place in the chain; reused tags freed

1. A custody step's signature covered its facts but not the agent's name shown with it,
   nor its place: a name changed in the database, or a step deleted (an undone receipt),
   still showed « Signature vérifiée ». Steps signed from now on (payload 2,
   `app.recycling.services._step_payload`) cover both; `signed_as` says which payload a
   signature covers, 1 for every step already there, which keeps verifying as signed
   (the chain is checked from its first step of payload 2 on).

2. A device given the outcome "reused" (inside the administration) is back in service
   with its asset tag: the tag is free again (`asset_tag_key` NULL), as after a
   withdrawal, so that its next return can be declared.

Revision ID: 20261207_recycling_signed_chain
Revises: 20261207_auth_token_scope
Create Date: 2026-12-07 14:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261207_recycling_signed_chain"
down_revision = "20261207_auth_token_scope"
branch_labels = None
depends_on = None

# app.recycling.models.BACK_IN_SERVICE at this revision.
BACK_IN_SERVICE = ("reused",)

returns = sa.table(
    "recycling_device_return",
    sa.column("status", sa.String),
    sa.column("asset_tag_key", sa.String),
)


def upgrade():
    # Every step already there was signed with payload 1: the server default says so.
    op.add_column(
        "recycling_custody_step",
        sa.Column("signed_as", sa.SmallInteger(), server_default="1", nullable=False),
    )
    op.execute(
        returns.update()
        .where(returns.c.status.in_(BACK_IN_SERVICE), returns.c.asset_tag_key.is_not(None))
        .values(asset_tag_key=None)
    )


def downgrade():
    # The freed tags stay free: a tag is not taken back from the device in service.
    # A plain DROP COLUMN (SQLite 3.35+), not a batch: a batch copies the table and drops
    # the old one, which a foreign key with ON DELETE CASCADE would follow.
    op.drop_column("recycling_custody_step", "signed_as")
