"""auth: an erased address's digest kept apart from the account, and keyed

An erasure kept the unkeyed SHA-256 of the person's address on their anonymised account
row (`user_account.erased_address_digest`), beside its id, « Anonyme <id> », team,
commune, dates, messages and audit events: anyone reading the database with the staff
directory in hand could hash every address and put a name back on each row. The digests
now live in `erased_address`, one column (the digest, its primary key), no person, no
date, no serial id (no rowid on SQLite); new ones are an HMAC under a key derived from
SECRET_KEY (`app.auth.services.erased_address_digest`).

The digests already stored cannot be recomputed (the addresses are gone): they move as
they are, written in the digests' own order so that where a row sits tells nothing of
when its account was erased. The directory import still recognises them (unkeyed), and
replaces each with the keyed form when a file lists the address; a full import
(`--deactivate-missing`) forgets those it no longer lists, as before.

Downgrade puts the column back empty and drops the table: the digests cannot go back to
their rows, and the former code would no longer recognise those addresses.

Revision ID: 20261217_auth_erased_apart
Revises: 20261216_catalogue_not_counted
Create Date: 2026-12-17 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261217_auth_erased_apart"
down_revision = "20261216_catalogue_not_counted"
branch_labels = None
depends_on = None

accounts = sa.table("user_account", sa.column("erased_address_digest", sa.String))


def upgrade():
    erased = op.create_table(
        "erased_address",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_erased_address")),
        sqlite_with_rowid=False,
    )
    kept = accounts.c.erased_address_digest
    op.execute(
        erased.insert().from_select(
            ["digest"], sa.select(kept).where(kept.is_not(None)).distinct().order_by(kept)
        )
    )
    # Plain statements, not a batch: SQLite's batch copies the table and drops the old
    # one, and every table referring to people would follow it (ON DELETE CASCADE).
    op.drop_index(op.f("ix_user_account_erased_address_digest"), table_name="user_account")
    op.drop_column("user_account", "erased_address_digest")


def downgrade():
    op.add_column(
        "user_account", sa.Column("erased_address_digest", sa.String(length=64), nullable=True)
    )
    op.create_index(
        op.f("ix_user_account_erased_address_digest"), "user_account", ["erased_address_digest"]
    )
    op.drop_table("erased_address")
