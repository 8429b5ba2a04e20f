"""catalogue: item names kept as an index sorts them (accents, capitals, numbers)

Revision ID: 20261203_catalogue_sort
Revises: 20261202_cleanup_refresh
Create Date: 2026-12-03 20:30:00

"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "20261203_catalogue_sort"
down_revision = "20261202_cleanup_refresh"
branch_labels = None
depends_on = None


def _collation_key(name: str) -> str:
    """The key as this revision writes it (app.core.i18n.collation_key then)."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"\d+", lambda digits: digits[0].zfill(8), letters)[:255]


def upgrade():
    with op.batch_alter_table("catalogue_item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sort_name_fr", sa.String(255), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("sort_name_en", sa.String(255), nullable=False, server_default="")
        )
    items = sa.table(
        "catalogue_item",
        sa.column("id", sa.Integer),
        sa.column("name_fr", sa.String),
        sa.column("name_en", sa.String),
        sa.column("sort_name_fr", sa.String),
        sa.column("sort_name_en", sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(items.c.id, items.c.name_fr, items.c.name_en)).all()
    if rows:
        connection.execute(
            items.update()
            .where(items.c.id == sa.bindparam("item_id"))
            .values(sort_name_fr=sa.bindparam("fr"), sort_name_en=sa.bindparam("en")),
            [
                {"item_id": id_, "fr": _collation_key(fr), "en": _collation_key(en)}
                for id_, fr, en in rows
            ],
        )
    with op.batch_alter_table("catalogue_item", schema=None) as batch_op:
        batch_op.create_index("ix_catalogue_item_sort_name_fr", ["sort_name_fr"], unique=False)
        batch_op.create_index("ix_catalogue_item_sort_name_en", ["sort_name_en"], unique=False)


def downgrade():
    with op.batch_alter_table("catalogue_item", schema=None) as batch_op:
        batch_op.drop_index("ix_catalogue_item_sort_name_en")
        batch_op.drop_index("ix_catalogue_item_sort_name_fr")
        batch_op.drop_column("sort_name_en")
        batch_op.drop_column("sort_name_fr")
