"""A PostgreSQL test run killed mid-way leaves its database; the next run drops it."""

import os
import time

import pytest
from sqlalchemy import create_engine, text

from tests.databases import LEFTOVER_AFTER_SECONDS, drop_leftover_databases, runs_on_postgresql

pytestmark = pytest.mark.skipif(not runs_on_postgresql(), reason="PostgreSQL runs only")


@pytest.fixture
def server():
    """An autocommit connection to the test server, and the databases made here dropped."""
    base = os.environ["TEST_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    made = []
    with engine.connect() as connection:

        def make(name):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            made.append(name)

        yield connection, make
        for name in made:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    engine.dispose()


def _databases(connection) -> set[str]:
    return set(connection.scalars(text("SELECT datname FROM pg_database")))


def test_a_killed_runs_database_is_dropped_and_a_running_ones_kept(server):
    connection, make = server
    now = time.time()
    old = f"empreinte_leftover_{int(now - LEFTOVER_AFTER_SECONDS - 60)}_aa11bb"
    recent = f"empreinte_leftover_{int(now - 60)}_cc22dd"
    other = f"empreinte_leftoverx_{int(now - LEFTOVER_AFTER_SECONDS - 60)}_ee33ff"
    for name in (old, recent, other):
        make(name)

    dropped = drop_leftover_databases(connection, "empreinte_leftover", now)

    assert dropped == [old]
    assert old not in _databases(connection)
    assert {recent, other} <= _databases(connection)
