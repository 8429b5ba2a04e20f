"""auth: a digest of an erased person's address, so the staff directory does not recreate them

Revision ID: 20261204_auth_erased_address
Revises: 20261204_auth_sign_in_link
Create Date: 2026-12-04 02:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261204_auth_erased_address"
down_revision = "20261204_auth_sign_in_link"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_address_digest", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_user_account_erased_address_digest"), ["erased_address_digest"]
        )


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_account_erased_address_digest"))
        batch_op.drop_column("erased_address_digest")
