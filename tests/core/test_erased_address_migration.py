"""Migration 20261217_auth_erased_apart: the digests of erased addresses leave the
anonymised accounts for a table of their own, kept as they were (the addresses are gone:
they cannot be recomputed), and the staff directory still recognises them."""

import hashlib

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from app import create_app
from app.auth.directory import sync_directory
from app.auth.models import ErasedAddress
from app.auth.services import erased_address_digest
from app.config import TestConfig
from app.core.time import utcnow
from app.extensions import db
from tests.databases import runs_on_postgresql

BEFORE = "20261216_catalogue_not_counted"
APART = "20261217_auth_erased_apart"
ADDRESS = "gone@example.org"
UNKEYED = hashlib.sha256(f"erased:{ADDRESS}".encode()).hexdigest()
ACCOUNT = text(
    "INSERT INTO user_account (id, email, display_name, pseudonym, leaderboard_visibility,"
    " email_opt_in, session_token, active, created_at, anonymised_at, erased_address_digest)"
    " VALUES (:id, :email, :name, :name, 'hidden', false, 'x', :active, :now, :erased, :digest)"
)


def _accounts(connection) -> None:
    """An erased account with its digest, and a colleague still here."""
    now = "2026-12-03 10:00:00"
    connection.execute(
        ACCOUNT,
        {"id": 1, "email": "erased-1@invalid", "name": "Anonyme 1", "active": False}
        | {"now": now, "erased": now, "digest": UNKEYED},
    )
    connection.execute(
        ACCOUNT,
        {"id": 2, "email": "stays@example.org", "name": "Stays Here", "active": True}
        | {"now": now, "erased": None, "digest": None},
    )


def test_the_migration_moves_each_digest_off_the_account(empty_database_url):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            _accounts(connection)
        upgrade(revision=APART)
        with db.engine.connect() as connection:
            moved = connection.execute(text("SELECT * FROM erased_address")).all()
        columns = [column["name"] for column in inspect(db.engine).get_columns("user_account")]
        db.engine.dispose()

    assert [tuple(row) for row in moved] == [(UNKEYED,)]
    assert "erased_address_digest" not in columns


def test_a_moved_digest_still_keeps_the_directory_from_recreating_the_person(
    empty_database_url,
):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            _accounts(connection)
        upgrade(revision="heads")
        listed = f"email,display_name\n{ADDRESS},Gone Person\nstays@example.org,Stays Here\n"
        report = sync_directory(listed, utcnow())
        db.session.commit()
        kept = set(db.session.scalars(select(ErasedAddress.digest)))
        expected = erased_address_digest(ADDRESS)
        db.session.remove()
        db.engine.dispose()

    assert (report.created, report.not_recreated) == (0, 1)
    assert kept == {expected}  # replaced by its keyed form


def test_the_table_has_no_rowid_and_the_downgrade_gives_the_column_back(empty_database_url):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision=APART)
        with db.engine.connect() as connection:
            sqlite_rowid = (
                not runs_on_postgresql()
                and connection.exec_driver_sql(
                    "SELECT sql FROM sqlite_master WHERE name = 'erased_address'"
                ).scalar_one()
            )
        downgrade(revision=BEFORE)
        inspector = inspect(db.engine)
        columns = [column["name"] for column in inspector.get_columns("user_account")]
        tables = inspector.get_table_names()
        db.engine.dispose()

    assert sqlite_rowid is False or "WITHOUT ROWID" in sqlite_rowid
    assert "erased_address_digest" in columns and "erased_address" not in tables
