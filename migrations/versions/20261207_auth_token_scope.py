"""auth: a personal API token reads only, or reads and writes

A token chosen to read only is refused any write through the API (a 403 from
`app/core/security.py`); a new token reads only unless its owner chooses more. The tokens
already there could write: they keep read and write, so that no script stops working.

Revision ID: 20261207_auth_token_scope
Revises: 20261207_catalogue_erasure_flag
Create Date: 2026-12-07 14:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261207_auth_token_scope"
down_revision = "20261207_catalogue_erasure_flag"
branch_labels = None
depends_on = None


def upgrade():
    # The rows there take "read_write" from the column's first default; the default then
    # becomes "read" for any row written later without a scope, as the model says.
    op.add_column(
        "api_token",
        sa.Column("scope", sa.String(length=10), server_default="read_write", nullable=False),
    )
    # A batch: SQLite changes a column's default only by copying the table (nothing
    # refers to api_token, so the copy loses no row elsewhere); PostgreSQL alters it.
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.alter_column(
            "scope",
            existing_type=sa.String(length=10),
            existing_nullable=False,
            server_default="read",
        )


def downgrade():
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("scope")
