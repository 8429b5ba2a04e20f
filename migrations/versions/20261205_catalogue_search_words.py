"""catalogue: the search text holds an item's words one space apart

The catalogue search matched any part of a word: "eau" found « bureautique », so
`agenda eau` listed every department's shared calendar. It now matches the start of a
word (`app.catalogue.queries.search_items`), the stored text holding the words with
their punctuation taken out: « Direction de l'eau » is stored "direction de l eau".
Items already there get their text in that form.

Revision ID: 20261205_catalogue_search_words
Revises: 20261205_catalogue_code_case
Create Date: 2026-12-05 15:00:00

"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "20261205_catalogue_search_words"
down_revision = "20261205_catalogue_code_case"
branch_labels = None
depends_on = None

items = sa.table(
    "catalogue_item",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("category", sa.String),
    sa.column("name_fr", sa.String),
    sa.column("name_en", sa.String),
    sa.column("search_text", sa.String),
)


def _search_text(*parts: str | None) -> str:
    """The text as this revision writes it (app.catalogue.services.search_text then)."""
    decomposed = unicodedata.normalize("NFKD", " ".join(p for p in parts if p))
    letters = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[\W_]+", " ", letters).strip()[:600]


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(items.c.id, items.c.name_fr, items.c.name_en, items.c.code, items.c.category)
    ).all()
    if rows:
        connection.execute(
            items.update()
            .where(items.c.id == sa.bindparam("item_id"))
            .values(search_text=sa.bindparam("text")),
            [{"item_id": id_, "text": _search_text(*parts)} for id_, *parts in rows],
        )


def downgrade():
    # The older search finds words in this text too (it matched any part of the text).
    pass
