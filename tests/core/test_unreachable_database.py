"""A database address the portal cannot use is refused at the start, and one it cannot
reach is said in one line: `DATABASE_URL=postgresql://…` copied from the README passed the
settings check, then `flask db upgrade heads` printed a traceback of 157 lines; a wrong
port, another; `mysql://`, `No module named 'MySQLdb'`."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from app.config import Config, TestConfig
from app.core.settings_check import SettingsError
from app.core.warmup import register_warmer, warm_up
from app.extensions import db
from tests.core.test_deployment_settings import PRODUCTION
from tests.messaging.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).parent / "flask")


def _refused(**settings) -> str:
    with pytest.raises(SettingsError) as refused:
        create_app(TestConfig, **settings)
    return str(refused.value)


@pytest.mark.parametrize("address", ["postgresql://…", "postgresql://...", "…"])
def test_the_readmes_placeholder_database_address_is_refused(address):
    message = _refused(SQLALCHEMY_DATABASE_URI=address)
    assert "- DATABASE_URL holds a placeholder (…): give this portal's database" in message


@pytest.mark.parametrize(
    "address", ["mysql://empreinte:s3cret@db/empreinte", "postgresql+psycopg2://db/e"]
)
def test_a_database_the_portal_does_not_run_on_is_refused_without_its_password(address):
    message = _refused(SQLALCHEMY_DATABASE_URI=address)
    scheme = address.partition("://")[0]
    assert f"- DATABASE_URL starting {scheme}://: the portal runs on PostgreSQL" in message
    assert "s3cret" not in message


def test_production_accepts_the_addresses_the_readme_gives(make_app, tmp_path):
    for address in (
        "postgresql://empreinte@127.0.0.1/empreinte",
        "postgres://empreinte@127.0.0.1/empreinte",
        "postgresql+psycopg://empreinte@127.0.0.1/empreinte",
        f"sqlite:///{tmp_path / 'empreinte.db'}",
    ):
        assert make_app(Config, **PRODUCTION, SQLALCHEMY_DATABASE_URI=address)


def _unreachable() -> str:
    return f"postgresql://postgres:s3cret@127.0.0.1:{free_port()}/empreinte"


def test_flask_db_upgrade_on_an_unreachable_database_says_so_in_one_line():
    environment = dict(os.environ, DATABASE_URL=_unreachable())
    upgrade = subprocess.run(
        [FLASK, "--app", "app:create_app", "db", "upgrade", "heads"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert upgrade.returncode == 1
    (line,) = upgrade.stderr.strip().splitlines()
    assert line.startswith("Error: cannot reach the database at postgresql+psycopg://postgres:***@")
    assert line.endswith("Connection refused") and "s3cret" not in line


def test_a_portal_command_on_an_unreachable_database_says_so_in_one_line(make_app):
    away = make_app(SQLALCHEMY_DATABASE_URI=_unreachable())
    with away.app_context():  # the command's app, not the tests' own
        result = away.test_cli_runner().invoke(args=["privacy", "retention"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot reach the database at ")
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit


def test_a_command_failing_otherwise_keeps_its_traceback(make_app):
    """Only a database out of reach is an operator's problem told in one line."""
    other = make_app()

    @other.cli.command("fails")
    def fails():
        raise RuntimeError("a bug")

    with other.app_context():
        result = other.test_cli_runner().invoke(args=["fails"])
    assert isinstance(result.exception, RuntimeError)


def test_a_worker_warming_up_without_its_database_logs_one_warning(make_app, caplog):
    """gunicorn keeps starting (/healthz says "unavailable"): each worker said so with an
    ERROR and a traceback, as for a bug."""
    away = make_app(SQLALCHEMY_DATABASE_URI=_unreachable())
    caplog.set_level(logging.WARNING)
    warm_up(away)
    (record,) = [r for r in caplog.records if "warm" in r.getMessage()]
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert record.getMessage().startswith(
        "warming warm_boards skipped: the database cannot be reached (connection failed"
    )


def test_a_warmer_failing_otherwise_is_still_logged_with_its_traceback(make_app, caplog):
    other = make_app()

    def broken_warmer():
        db.session.execute(db.text("SELECT * FROM no_such_table"))

    register_warmer(other, broken_warmer)
    warm_up(other)
    (record,) = [r for r in caplog.records if "broken_warmer" in r.getMessage()]
    assert record.levelno == logging.ERROR and record.exc_info is not None
