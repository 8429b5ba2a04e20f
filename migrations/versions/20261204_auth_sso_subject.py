"""auth: the identity provider's stable identifier (sub) of a person signed in by SSO

Revision ID: 20261204_auth_sso_subject
Revises: 20261204_auth_staff_number
Create Date: 2026-12-04 05:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261204_auth_sso_subject"
down_revision = "20261204_auth_staff_number"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sso_subject", sa.String(length=255), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_user_account_sso_subject"), ["sso_subject"], unique=True
        )


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_account_sso_subject"))
        batch_op.drop_column("sso_subject")
