"""The database's schema against the code's migrations: behind, it is said in one line.

A database never migrated (a new one, before `flask db upgrade heads`) or left behind by
code upgraded without migrating let gunicorn start and `/healthz` answer "ok", then failed
at the first sign-in (a 500) and in every command (a traceback of 90 lines, ending in
`UndefinedTable`). `/healthz` now answers as for a database out of reach, and the commands
that need the schema stop with one line saying which revision to upgrade to
(app/core/commands.py).
"""

from functools import cache
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from app.extensions import db

UPGRADE = "run flask db upgrade heads"


@cache
def code_heads(directory: str) -> frozenset[str]:
    """The head revision(s) of the migrations in `directory`: read once per process, as
    the code cannot change under a running process."""
    return frozenset(ScriptDirectory(directory).get_heads())


@cache
def _known_revisions(directory: str) -> frozenset[str]:
    """Every revision of the migrations in `directory`, read once per process."""
    return frozenset(script.revision for script in ScriptDirectory(directory).walk_revisions())


def migrations_directory() -> str:
    """The app's migrations folder, as Flask-Migrate was given it (create_app)."""
    return str(Path(current_app.extensions["migrate"].directory))


def database_revisions(connection) -> frozenset[str]:
    """The revision(s) in the database's `alembic_version` table; none before the first
    `flask db upgrade` (the table itself missing)."""
    return frozenset(MigrationContext.configure(connection).get_current_heads())


def _named(revisions) -> str:
    """Revisions as a message names them: sorted, comma-separated, "none" for none."""
    return ", ".join(sorted(revisions)) or "none"


def schema_problem(connection=None) -> str | None:
    """One line when the database's schema is not the one this code needs, else None.

    `connection`: the one to read with (the request's session's by default). A database
    out of reach raises as any query does."""
    directory = migrations_directory()
    needed = code_heads(directory)
    current = database_revisions(connection or db.session.connection())
    if current == needed:
        return None
    if not current:
        return (
            f"the database has no revision (it was never migrated), this code needs "
            f"{_named(needed)}: {UPGRADE}"
        )
    unknown = current - _known_revisions(directory)
    if unknown:
        # Newer code migrated it, and older code was put back without a downgrade.
        return (
            f"the database is at revision {_named(current)}, which this code does not know "
            f"(a newer version's), this code needs {_named(needed)}: run the code that "
            'migrated it, or its flask db downgrade (README, "Upgrading, and going back")'
        )
    return f"the database is at revision {_named(current)}, this code needs {_named(needed)}: {UPGRADE}"
