"""The migrations build, from an empty database, exactly the schema the models declare."""

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.config import TestConfig
from app.extensions import db


def test_upgrade_from_empty_database_matches_the_models(empty_database_url):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision="heads")
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            with warnings.catch_warnings():
                # SQLite cannot report an index on an expression (the catalogue's
                # lower(code)): both libraries say they skip it, which is no difference.
                warnings.filterwarnings(
                    "ignore", "autogenerate skipping metadata-specified expression-based index"
                )
                warnings.filterwarnings(
                    "ignore", "Skipped unsupported reflection of expression-based index"
                )
                differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == []


def test_every_revision_fits_the_version_table():
    """Alembic records the revision in a VARCHAR(32): PostgreSQL refuses a longer name at
    upgrade (SQLite stores it anyway, so the suite on SQLite alone would not tell)."""
    from pathlib import Path

    from alembic.script import ScriptDirectory

    folder = Path(__file__).resolve().parents[2] / "migrations"
    revisions = [script.revision for script in ScriptDirectory(str(folder)).walk_revisions()]
    assert revisions
    assert [revision for revision in revisions if len(revision) > 32] == []


def test_items_already_there_get_their_sort_names(empty_database_url):
    """A portal upgraded with items in its catalogue sorts them like new ones."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision="20261202_cleanup_refresh")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO catalogue_item (code, kind, category, name_fr, name_en,"
                    " description_fr, description_en, search_text, status, annual_kgco2e, grade,"
                    " source, source_url, estimate, created_at, updated_at) VALUES ('EQ-1',"
                    " 'equipment', 'monitor', 'Écran 24 pouces', 'Monitor 24-inch', '', '', '',"
                    " 'available', 20.0, 'C', 'x', '', false, :now, :now)"
                ),
                {"now": "2026-12-03 10:00:00"},
            )
        upgrade(revision="heads")
        with db.engine.connect() as connection:
            keys = connection.execute(
                text("SELECT sort_name_fr, sort_name_en FROM catalogue_item")
            ).one()
        db.engine.dispose()
    assert tuple(keys) == ("ecran 00000024 pouces", "monitor 00000024-inch")


def test_tokens_already_there_keep_reading_and_writing(empty_database_url):
    """A portal upgraded with personal API tokens: each keeps writing (no script stops), and
    a token written later without a scope reads only."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    token = text(
        "INSERT INTO api_token (user_id, name, token_digest, prefix, created_at)"
        " VALUES (1, :name, :name, 'emp_x', :now)"
    )
    with app.app_context():
        upgrade(revision="20261207_catalogue_erasure_flag")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO user_account (id, email, display_name, pseudonym,"
                    " leaderboard_visibility, email_opt_in, session_token, active, created_at)"
                    " VALUES (1, 'a@example.org', 'A', 'Héron 1', 'pseudonym', false, 'x', true,"
                    " :now)"
                ),
                {"now": "2026-12-03 10:00:00"},
            )
            for name in ("script", "dashboard"):
                connection.execute(token, {"name": name, "now": "2026-12-03 10:00:00"})
        upgrade(revision="heads")
        with db.engine.begin() as connection:
            connection.execute(token, {"name": "later", "now": "2026-12-08 10:00:00"})
            scopes = connection.execute(text("SELECT name, scope FROM api_token ORDER BY id")).all()
        db.engine.dispose()
    assert [tuple(row) for row in scopes] == [
        ("script", "read_write"),
        ("dashboard", "read_write"),
        ("later", "read"),
    ]


def test_a_migration_rebuilding_a_table_keeps_the_rows_that_refer_to_it(empty_database_url):
    """SQLite rebuilds a table to add a constraint (copy, drop, rename): with foreign keys
    on, dropping `cleanup_campaign` deleted its participants and entries by cascade. The
    campaign-once revision rebuilds it both ways; every entry is still there after."""
    from datetime import timedelta

    from flask_migrate import downgrade

    from app.cleanup import services as cleanup_services
    from app.cleanup.models import CleanupAction, CleanupParticipant
    from app.core.time import utcnow
    from tests.factories import Factories
    from tests.trust.world import build_world

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision="heads")
        now = utcnow()
        make = Factories()
        world = build_world(make, now)
        for minutes in (1, 2):
            cleanup_services.log_action(
                make.user(), world.campaign, "delete-mail", 5, now + timedelta(minutes=minutes)
            )
        db.session.commit()
        counts = [_count(model) for model in (CleanupAction, CleanupParticipant)]
        db.session.remove()
        downgrade(revision="20261209_recycling_tag_capitals")
        upgrade(revision="heads")
        after = [_count(model) for model in (CleanupAction, CleanupParticipant)]
        db.session.remove()
        db.engine.dispose()
    assert counts[0] >= 2 and after == counts


def _count(model) -> int:
    from sqlalchemy import func, select

    return db.session.scalar(select(func.count()).select_from(model))
