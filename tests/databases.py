"""Databases of the kind the suite runs on, each test run in its own.

On PostgreSQL every run creates a database of its own next to TEST_DATABASE_URL's
and drops it at the end, so that two runs at once (or a run and a leftover
connection) never empty each other's tables. A run killed before its end cannot drop
its database; the next run drops those left over (older than `LEFTOVER_AFTER_SECONDS`
and with nobody connected), so they do not pile up on the server.
"""

import os
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text

#: A run of the whole suite takes about ten minutes; a database of the same prefix this
#: old, with no connection, belongs to a run that was killed.
LEFTOVER_AFTER_SECONDS = 3 * 60 * 60


def runs_on_postgresql() -> bool:
    return os.environ.get("EMPREINTE_TEST_DB") == "postgresql"


@contextmanager
def fresh_postgresql_database(prefix: str) -> Iterator[str]:
    """Create an empty database named `prefix_<created>_<random>`, yield its URL, drop it after."""
    base = os.environ["TEST_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"{prefix}_{int(time.time())}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        drop_leftover_databases(connection, prefix, time.time())
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        # A throwaway database: a commit need not wait for its WAL on disk (a crash loses
        # the last commits, never consistency). Tests commit at every factory call.
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def drop_leftover_databases(connection, prefix: str, now: float) -> list[str]:
    """Drop the databases of killed runs: named `prefix_<created>_<random>`, created more
    than LEFTOVER_AFTER_SECONDS before `now`, nobody connected. Returns their names."""
    pattern = re.compile(rf"^{re.escape(prefix)}_(\d+)_[0-9a-f]+$")
    in_use = set(connection.scalars(text("SELECT DISTINCT datname FROM pg_stat_activity")))
    dropped = []
    for name in connection.scalars(text("SELECT datname FROM pg_database")):
        created = pattern.match(name)
        if created and name not in in_use and now - int(created[1]) > LEFTOVER_AFTER_SECONDS:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            dropped.append(name)
    return dropped


def add_columns_of_later_revisions(engine) -> list[str]:
    """On a database migrated to an older revision, add by hand every column today's
    models have that its tables lack (nullable, keeping a server default), and nothing
    else of the later revisions: a data migration's test records its rows with today's
    code, then upgrades to the revision under test. Only for a revision that adds no
    column itself. Returns the columns added, as "table.column"."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations
    from sqlalchemy import Column, inspect

    from app.extensions import db

    added = []
    with engine.begin() as connection:
        inspector = inspect(connection)
        operations = Operations(MigrationContext.configure(connection))
        for table in db.metadata.sorted_tables:
            if not inspector.has_table(table.name):
                continue
            present = {column["name"] for column in inspector.get_columns(table.name)}
            missing = [column for column in table.columns if column.name not in present]
            if not missing:
                continue
            # A plain ALTER TABLE … ADD COLUMN on both databases: a batch would reflect the
            # table and those its keys name (an expression index warns on SQLite).
            for column in missing:
                default = column.server_default.arg if column.server_default else None
                operations.add_column(
                    table.name,
                    Column(column.name, column.type, nullable=True, server_default=default),
                )
                added.append(f"{table.name}.{column.name}")
    return added


def stamp_heads(engine) -> None:
    """Mark a schema made with `db.create_all()` (today's models) as migrated to the code's
    heads, as `flask db upgrade heads` leaves it: `/healthz` and the commands check it
    (app/core/schema.py)."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from flask import current_app

    script = ScriptDirectory(current_app.extensions["migrate"].directory)
    with engine.begin() as connection:
        MigrationContext.configure(connection).stamp(script, "heads")
