"""SQLite never gives a deleted row's id to a new one (AUTOINCREMENT)

A rowid table without AUTOINCREMENT gives the largest id again once its row is deleted:
a page left open then acted on a newer row under the old id. In tab A an entry logged;
in tab B deleted, another logged; tab A's correction said "Entry corrected." and changed
the newer entry (a stale "Remove" in the request basket removed another line likewise).
The tables whose rows people delete and whose ids pages put in forms or addresses are
rebuilt with AUTOINCREMENT on SQLite; PostgreSQL's sequences never reuse an id, and it
is left as it is.

Each sequence starts past every id the database still names (the table's own and its
audit events'), plus a margin: a row deleted at a table's end before this upgrade left
no trace, and a page opened before it may still name it.

Revision ID: 20261212_ids_never_reused
Revises: 20261211_cleanup_reason_lang
Create Date: 2026-12-12 10:00:00

"""

import warnings

import sqlalchemy as sa
from alembic import op
from sqlalchemy import text

revision = "20261212_ids_never_reused"
down_revision = "20261211_cleanup_reason_lang"
branch_labels = None
depends_on = None

TABLES = (
    "cleanup_campaign",
    "cleanup_action",
    "catalogue_request",
    "catalogue_request_line",
    "messaging_template",
    "messaging_dispatch",
    "messaging_delivery",
)

#: Ids skipped past the highest one known: those of rows deleted at a table's end since
#: its last insert, which nothing records.
MARGIN = 1000


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for table in TABLES:
        highest = _highest_id_known(bind, table)
        _rebuild(table, autoincrement=True)
        # AUTOINCREMENT gives max(largest id, sqlite_sequence) + 1. The copy into the
        # rebuilt table left its largest id there (no row when it was empty).
        bind.execute(text("DELETE FROM sqlite_sequence WHERE name = :table"), {"table": table})
        if highest:
            bind.execute(
                text("INSERT INTO sqlite_sequence (name, seq) VALUES (:table, :seq)"),
                {"table": table, "seq": highest + MARGIN},
            )


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in reversed(TABLES):
        _rebuild(table, autoincrement=False)


def _rebuild(table: str, autoincrement: bool) -> None:
    """Copy the table into a new one with or without AUTOINCREMENT; its indexes, keys and
    constraints come along (env.py turns SQLite's foreign keys off meanwhile, so that
    dropping the old table deletes no row referring to it)."""
    with warnings.catch_warnings():
        # The tables it refers to are read too, catalogue_item's index on lower(code) not:
        # that table is not rebuilt (an index on an expression of a rebuilt one would be lost).
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ) as batch_op:
            if not autoincrement:  # its name, which SQLite's inline AUTOINCREMENT key has not
                batch_op.create_primary_key(f"pk_{table}", ["id"])


def _highest_id_known(bind, table: str) -> int:
    """The largest id of the table's rows and of those its audit events name (0: none)."""
    own = bind.scalar(sa.select(sa.func.max(sa.column("id"))).select_from(sa.table(table))) or 0
    audited = bind.scalar(
        text(
            "SELECT MAX(CAST(object_id AS INTEGER)) FROM audit_event"
            " WHERE object_type = :table AND object_id NOT GLOB '*[^0-9]*'"
        ),
        {"table": table},
    )
    return max(own, audited or 0)
