"""Migration 20261212_ids_never_reused: on SQLite the tables whose rows people delete, and
whose ids pages put in forms and addresses, are rebuilt with AUTOINCREMENT (a deleted
row's id was given to the next one, and a page left open acted on that newer row). The
rebuild keeps every row, index, key and constraint; PostgreSQL is left as it is."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from app import create_app
from app.cleanup import services as cleanup_services
from app.config import TestConfig
from app.core.time import utcnow
from app.extensions import db
from tests.databases import runs_on_postgresql
from tests.factories import Factories
from tests.trust.world import add_activity, build_world

BEFORE = "20261211_cleanup_reason_lang"
REBUILT = "20261212_ids_never_reused"  # later revisions may add columns to the tables
TABLES = (
    "cleanup_campaign",
    "cleanup_action",
    "catalogue_request",
    "catalogue_request_line",
    "messaging_template",
    "messaging_dispatch",
    "messaging_delivery",
)


@contextmanager
def portal_before_the_upgrade(url: str) -> Iterator:
    """An app on a database migrated to the revision before, with activity in every
    domain: written by today's models at the head, then taken down to the revision before
    (later revisions add columns today's models write)."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade(revision="heads")
        make = Factories()
        world = build_world(make, utcnow())
        for n in range(2):
            add_activity(world, make.user(), f"P{n}")
        db.session.commit()
        downgrade(revision=BEFORE)
        try:
            yield world
        finally:
            db.session.remove()
            db.engine.dispose()


def _schema() -> dict:
    """What the tables hold besides their rows: columns, primary key, foreign keys, unique
    constraints and indexes (on SQLite, each index's own statement too: its WHERE)."""
    db.session.remove()
    inspector = inspect(db.engine)
    schema = {}
    for table in TABLES:
        schema[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c["default"])
                for c in inspector.get_columns(table)
            ],
            "primary key": inspector.get_pk_constraint(table)["constrained_columns"],
            "foreign keys": sorted(
                (fk["name"], fk["constrained_columns"], fk["referred_table"], fk["options"])
                for fk in inspector.get_foreign_keys(table)
            ),
            "unique": sorted(
                (u["name"], u["column_names"]) for u in inspector.get_unique_constraints(table)
            ),
            "indexes": sorted(
                (i["name"], i["column_names"], i["unique"]) for i in inspector.get_indexes(table)
            ),
        }
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:
            schema["index statements"] = connection.execute(
                text(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN"
                    f" ({', '.join(repr(t) for t in TABLES)}) ORDER BY name"
                )
            ).all()
    return schema


def _rows() -> dict:
    with db.engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT id FROM {table} ORDER BY id")).scalars().all()
            for table in TABLES
        }


def _autoincrement_tables() -> set[str]:
    with db.engine.connect() as connection:
        return set(
            connection.execute(
                text(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%'"
                )
            ).scalars()
        )


def test_the_rebuilt_tables_keep_their_rows_indexes_keys_and_constraints(empty_database_url):
    with portal_before_the_upgrade(empty_database_url):
        before, rows = _schema(), _rows()
        upgrade(revision=REBUILT)
        after = _schema()
        assert (after, _rows()) == (before, rows)


def test_the_downgrade_gives_the_tables_back_as_they_were(empty_database_url):
    with portal_before_the_upgrade(empty_database_url):
        before, rows = _schema(), _rows()
        upgrade(revision=REBUILT)
        downgrade(revision=BEFORE)
        assert (_schema(), _rows()) == (before, rows)


def test_an_entry_deleted_before_the_upgrade_does_not_give_its_id_again(empty_database_url):
    """The newest entry deleted before the upgrade left no trace of its id: the next one
    logged after it must not get that id, which a page opened before still names."""
    with portal_before_the_upgrade(empty_database_url) as world:
        # A pseudonym given: at this revision closed boards keep no label, which a draw reads.
        person = Factories().user(pseudonym="Ancien 1")
        newest = cleanup_services.log_action(person, world.campaign, "delete-mail", 1, world.now)
        db.session.commit()
        deleted = newest.id
        cleanup_services.delete_action(person, newest, world.now)
        db.session.commit()
        upgrade(revision="heads")
        later = cleanup_services.log_action(person, world.campaign, "delete-mail", 2, world.now)
        db.session.commit()
        assert later.id > deleted


@pytest.mark.skipif(runs_on_postgresql(), reason="a sequence is always past the ids it gave")
def test_an_id_the_audit_log_still_names_is_not_given_again(empty_database_url):
    """A draft deleted beyond the margin's reach (SQLite forgot its id) is still named by
    its audit events."""
    with portal_before_the_upgrade(empty_database_url) as world:
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO audit_event (at, action, object_type, object_id, summary)"
                    " VALUES (:at, 'delete', 'cleanup_campaign', '50000', '')"
                ),
                {"at": world.now.replace(tzinfo=None)},
            )
        upgrade(revision="heads")
        draft = cleanup_services.create_campaign(world.organiser, _draft_data(), world.now)
        db.session.commit()
        assert draft.id > 50000


def _draft_data() -> dict:
    from datetime import timedelta

    now = utcnow()
    mail = cleanup_services.ensure_default_action_types()[0]
    return {
        "name_fr": "Brouillon",
        "name_en": "Draft",
        "description_fr": "",
        "description_en": "",
        "starts_at": now + timedelta(days=3),
        "ends_at": now + timedelta(days=9),
        "all_departments": True,
        "department_ids": [],
        "goals": {"GB": 10},
        "rules": [{"action_type_id": mail.id, "points_per_unit": 10, "daily_cap": 20}],
    }


@pytest.mark.skipif(runs_on_postgresql(), reason="AUTOINCREMENT is SQLite's")
def test_migrated_and_model_built_tables_are_autoincrement_alike(empty_database_url):
    """The tables migrated to the head, and those the suite builds from the models, are
    AUTOINCREMENT exactly where the models say so (a model given it without a migration,
    or the reverse, fails here)."""
    declared = {
        table.name
        for table in db.metadata.sorted_tables
        if table.dialect_options["sqlite"]["autoincrement"]
    }
    model_built = _autoincrement_tables()
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision="heads")
        migrated = _autoincrement_tables()
        db.engine.dispose()
    assert (declared, model_built, migrated) == (set(TABLES),) * 3
