"""Databases of the kind the suite runs on, each test run in its own.

On PostgreSQL every run creates a database of its own next to TEST_DATABASE_URL's
and drops it at the end, so that two runs at once (or a run and a leftover
connection) never empty each other's tables.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text


def runs_on_postgresql() -> bool:
    return os.environ.get("EMPREINTE_TEST_DB") == "postgresql"


@contextmanager
def fresh_postgresql_database(prefix: str) -> Iterator[str]:
    """Create an empty database named `prefix_<random>`, yield its URL, drop it after."""
    base = os.environ["TEST_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
