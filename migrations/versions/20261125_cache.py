"""core: versions of the data behind cached fragments

Revision ID: 20261125_cache
Revises: 20261125_merge
Create Date: 2026-11-25 04:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261125_cache"
down_revision = "20261125_merge"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "core_cache_version",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_core_cache_version")),
    )


def downgrade():
    op.drop_table("core_cache_version")
