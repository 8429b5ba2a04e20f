"""catalogue: one request being prepared per person, in the database too

Two adds at the same moment (a double click) each looked for the person's basket,
found none and opened one: the second came back after the first was sent, and a
basket showed only the items of one of them. A partial unique index on user_id among
drafts now refuses a second draft; `app.catalogue.services.get_or_create_basket` adds
to the one there instead (INSERT .. ON CONFLICT on this index, SQLite and PostgreSQL).

A person's drafts already doubled are merged first into their oldest one: its lines
take the others' (an item in both keeps the sum of its quantities, at most 50 as the
basket allows), and the others are deleted.

Revision ID: 20261205_catalogue_one_basket
Revises: 20261205_catalogue_search_words
Create Date: 2026-12-05 16:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261205_catalogue_one_basket"
down_revision = "20261205_catalogue_search_words"
branch_labels = None
depends_on = None

MAX_LINE_QUANTITY = 50  # app.catalogue.services.MAX_LINE_QUANTITY then

requests = sa.table(
    "catalogue_request",
    sa.column("id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("status", sa.String),
)
lines = sa.table(
    "catalogue_request_line",
    sa.column("id", sa.Integer),
    sa.column("request_id", sa.Integer),
    sa.column("item_id", sa.Integer),
    sa.column("quantity", sa.Integer),
)


def _merge_doubled_drafts(connection) -> None:
    """Move each person's later drafts' lines into their first draft; delete the later."""
    drafts = connection.execute(
        sa.select(requests.c.user_id, requests.c.id)
        .where(requests.c.status == "draft", requests.c.user_id.is_not(None))
        .order_by(requests.c.user_id, requests.c.id)
    ).all()
    kept: dict[int, int] = {}
    for user_id, request_id in drafts:
        if user_id not in kept:
            kept[user_id] = request_id
            continue
        into = kept[user_id]
        held = dict(
            connection.execute(
                sa.select(lines.c.item_id, lines.c.id).where(lines.c.request_id == into)
            ).all()
        )
        moved = connection.execute(
            sa.select(lines.c.id, lines.c.item_id, lines.c.quantity).where(
                lines.c.request_id == request_id
            )
        ).all()
        for line_id, item_id, quantity in moved:
            if item_id in held:
                total = sa.func.min(lines.c.quantity + quantity, MAX_LINE_QUANTITY)
                if connection.dialect.name == "postgresql":
                    total = sa.func.least(lines.c.quantity + quantity, MAX_LINE_QUANTITY)
                connection.execute(
                    lines.update().where(lines.c.id == held[item_id]).values(quantity=total)
                )
                connection.execute(lines.delete().where(lines.c.id == line_id))
            else:
                connection.execute(
                    lines.update().where(lines.c.id == line_id).values(request_id=into)
                )
        connection.execute(requests.delete().where(requests.c.id == request_id))


def upgrade():
    _merge_doubled_drafts(op.get_bind())
    op.create_index(
        "ix_catalogue_request_one_draft",
        "catalogue_request",
        ["user_id"],
        unique=True,
        sqlite_where=sa.text("status = 'draft'"),
        postgresql_where=sa.text("status = 'draft'"),
    )


def downgrade():
    op.drop_index("ix_catalogue_request_one_draft", table_name="catalogue_request")
