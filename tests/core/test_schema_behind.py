"""A database whose schema is not this code's (never migrated, or the code upgraded
without `flask db upgrade heads`) is said by `/healthz` and in one line by the commands:
gunicorn started, `/healthz` answered "ok", sign-in answered 500, and `users create` or
`scheduler run` printed a traceback of 90 lines ending in `UndefinedTable`, whose logged
error held the e-mail address asked for."""

import logging

import pytest
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from app.auth.models import User
from app.core.warmup import warm_up
from app.extensions import db

UPGRADE = "run flask db upgrade heads"


@pytest.fixture
def new_portal(empty_database_url, make_app):
    """The portal on a brand-new database, never migrated."""
    portal = make_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with portal.app_context():
        yield portal


def _heads() -> list[str]:
    return sorted(ScriptDirectory(current_app.extensions["migrate"].directory).get_heads())


def _run(portal, *args):
    return portal.test_cli_runner().invoke(args=list(args))


def test_healthz_on_a_database_never_migrated_is_unavailable_naming_the_revisions(new_portal):
    response = new_portal.test_client().get("/healthz")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.get_json()["status"] == "unavailable"
    (problem,) = response.get_json()["problems"]
    assert problem == (
        "schema: the database has no revision (it was never migrated), this code needs "
        f"{', '.join(_heads())}: {UPGRADE}"
    )


@pytest.mark.parametrize(
    "command", [["users", "create", "admin@metropole.fr"], ["scheduler", "run", "--no-wait"]]
)
def test_a_command_on_a_database_never_migrated_says_so_in_one_line(new_portal, command):
    result = _run(new_portal, *command)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: the database has no revision (it was never migrated), this code needs "
        f"{', '.join(_heads())}: {UPGRADE}"
    ]


def test_a_commands_help_still_shows_on_a_database_never_migrated(new_portal):
    result = _run(new_portal, "users", "create", "--help")
    assert result.exit_code == 0 and "Usage:" in result.output


def test_after_the_upgrade_healthz_is_ok_and_the_commands_run(new_portal):
    assert _run(new_portal, "db", "upgrade", "heads").exit_code == 0
    assert new_portal.test_client().get("/healthz").get_json() == {"status": "ok"}
    created = _run(new_portal, "users", "create", "admin@metropole.fr")
    assert created.exit_code == 0, created.output


def test_code_upgraded_without_migrating_names_both_revisions(new_portal):
    directory = current_app.extensions["migrate"].directory
    (head,) = _heads()
    previous = ScriptDirectory(directory).get_revision(head).down_revision
    assert _run(new_portal, "db", "upgrade", previous).exit_code == 0
    result = _run(new_portal, "tokens", "list")
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: the database is at revision {previous}, this code needs {head}: {UPGRADE}"
    )


def test_a_failed_statement_keeps_its_values_out_of_the_error(new_portal):
    """The error is logged (a 500's traceback): it named the address asked for."""
    with pytest.raises(DBAPIError) as failed:
        db.session.execute(select(User).where(User.email == "admin@metropole.fr"))
    db.session.rollback()
    assert "admin@metropole.fr" not in str(failed.value)
    assert "hidden due to hide_parameters" in str(failed.value)


def test_a_worker_warming_up_on_a_database_never_migrated_logs_one_warning(new_portal, caplog):
    """Each gunicorn worker logged a traceback (`no such table: cleanup_campaign`)."""
    caplog.set_level(logging.WARNING)
    warm_up(new_portal)
    (record,) = [r for r in caplog.records if "warm" in r.getMessage()]
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert record.getMessage().startswith(
        "warming warm_boards skipped: the database has no revision (it was never migrated)"
    )
