"""catalogue: item codes unique whatever their capitals, in the database too

The item form and the catalogue import have refused `lap-1` beside `LAP-1` since
3 December (`app.catalogue.services.item_with_code`), but only by looking first: two
saves at the same moment could both pass. A unique index on lower(code) now refuses
the second, on SQLite and PostgreSQL alike (codes are ASCII, which both fold alike).

A catalogue holding two such codes already cannot take the index: the upgrade stops
and names them, for an admin to rename one of each pair in the item form first.

Revision ID: 20261205_catalogue_code_case
Revises: 20261205_recycling_owner_names
Create Date: 2026-12-05 14:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261205_catalogue_code_case"
down_revision = "20261205_recycling_owner_names"
branch_labels = None
depends_on = None

items = sa.table("catalogue_item", sa.column("code", sa.String))


def upgrade():
    lowered = sa.func.lower(items.c.code)
    clashes = (
        op.get_bind()
        .execute(
            sa.select(sa.func.min(items.c.code), sa.func.max(items.c.code))
            .group_by(lowered)
            .having(sa.func.count() > 1)
        )
        .all()
    )
    if clashes:
        pairs = "; ".join(f"{low} / {high}" for low, high in clashes)
        raise RuntimeError(
            "These catalogue item codes differ only by their capitals: "
            f"{pairs}. Rename one of each before upgrading."
        )
    op.create_index(
        "ix_catalogue_item_code_lower", "catalogue_item", [sa.text("lower(code)")], unique=True
    )


def downgrade():
    op.drop_index("ix_catalogue_item_code_lower", table_name="catalogue_item")
