"""recycling: asset tags stored in capitals

A tag was stored as typed (`bm-t0-0001`) while its uniqueness already ignored case
(`asset_tag_key`, upper case without separators): receipts, the desk and notices showed
the same label in several forms. New declarations store it in capitals
(`app.recycling.services.register_device_return`); this upper-cases the tags already
there. It cannot collide: `asset_tag` has no unique constraint, and `asset_tag_key`, the
one that has, is already in upper case and does not change. No signature covers the tag.

Revision ID: 20261209_recycling_tag_capitals
Revises: 20261208_cleanup_guide_words
Create Date: 2026-12-09 01:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261209_recycling_tag_capitals"
down_revision = "20261208_cleanup_guide_words"
branch_labels = None
depends_on = None

returns = sa.table("recycling_device_return", sa.column("asset_tag", sa.String))


def upgrade():
    # Tags hold ASCII letters only (the form's and the API's pattern): SQL's upper()
    # gives what Python's does, on SQLite as on PostgreSQL.
    op.execute(
        returns.update()
        .where(returns.c.asset_tag != sa.func.upper(returns.c.asset_tag))
        .values(asset_tag=sa.func.upper(returns.c.asset_tag))
    )


def downgrade():
    # Nothing to undo: the case typed was never kept apart, and capitals are what it meant.
    pass
