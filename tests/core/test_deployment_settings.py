"""A deployment's operator meets its settings' problems at the start, where they can act."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.config import Config
from app.extensions import db

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_stops_by_itself_on_settings_it_cannot_use(tmp_path):
    """Each worker printed "cannot start" and exited 1; the master booted another, 19 in
    10 s, for ever: systemd's Restart=on-failure never saw a failure."""
    environment = {
        k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "PUBLIC_BASE_URL")
    }
    environment.update(EMPREINTE_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path}/p.db")
    started = time.monotonic()
    gunicorn = subprocess.Popen(
        [str(GUNICORN), "--workers", "2", "--bind", f"127.0.0.1:{_free_port()}", "wsgi:app"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _out, stderr = gunicorn.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        gunicorn.kill()
        _out, stderr = gunicorn.communicate()
        raise AssertionError("gunicorn kept restarting its workers:\n" + stderr[-2000:]) from None
    assert time.monotonic() - started < 30
    assert "Empreinte cannot start with these settings" in stderr
    assert "- SECRET_KEY is not set" in stderr
    # Checked in the master (gunicorn.conf.py): no worker starts, and the status is the
    # README's 3 each time, never 1 with a traceback when two workers failed at once.
    assert gunicorn.returncode == 3 and "Traceback" not in stderr
    assert "Booting worker" not in stderr


def test_a_flask_command_still_exits_with_status_1_and_the_message_alone(tmp_path):
    environment = {
        k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "PUBLIC_BASE_URL")
    }
    environment.update(EMPREINTE_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path}/p.db")
    ran = subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "app:create_app", "users", "--help"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 1
    assert ran.stderr.startswith("Empreinte cannot start with these settings")
    assert "Traceback" not in ran.stderr


# A production portal's settings, as the README's production service gives them.
PRODUCTION = {
    "ENV_NAME": "production",
    "ORGANISATION_NAME": "Toulouse Métropole",
    "SECRET_KEY": "rT9vQ2mX7pLw4sKz8bNc1dHf6gJy3aE5uV0k",
    "PUBLIC_BASE_URL": "https://empreinte.bordeaux-metropole.fr",
    "MAIL_SERVER": "smtp.bordeaux-metropole.fr",
    "MAIL_PORT": 587,
    "MAIL_DEFAULT_SENDER": "Empreinte <no-reply@bordeaux-metropole.fr>",
}


def _refused(make_app, **settings) -> str:
    """The message of a production start with `settings` instead of PRODUCTION's."""
    from app.core.settings_check import SettingsError

    with pytest.raises(SettingsError) as refused:
        make_app(Config, **{**PRODUCTION, **settings})
    return str(refused.value)


def test_the_readme_production_settings_start(make_app):
    assert make_app(Config, **PRODUCTION).config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("key", ["…", "x", "changeme", "a" * 31])
def test_production_refuses_a_placeholder_or_short_secret_key(make_app, key):
    message = _refused(make_app, SECRET_KEY=key)
    assert "- SECRET_KEY" in message
    assert "secrets.token_urlsafe(48)" in message
    if len(key) > 8:
        assert key not in message  # a secret is never printed
        assert "too short (31 characters): production needs at least 32" in message


def test_the_readme_placeholder_key_is_called_a_placeholder(make_app):
    assert "- SECRET_KEY='…' is a placeholder, not a key" in _refused(make_app, SECRET_KEY="…")


@pytest.mark.parametrize(
    ("address", "says"),
    [
        ("https://…", "'…' is no host name"),
        ("https://x", "'x' is no host name"),
        ("http://empreinte.bordeaux-metropole.fr", "production is served over HTTPS only"),
    ],
)
def test_production_refuses_a_placeholder_or_plain_http_public_address(make_app, address, says):
    message = _refused(make_app, PUBLIC_BASE_URL=address)
    assert f"- PUBLIC_BASE_URL={address!r}: {says}" in message
    assert message.count("PUBLIC_BASE_URL=") == 1  # one line for one variable


def test_production_refuses_the_development_mail_sink_and_sender_in_one_message(make_app):
    """With MAIL_SERVER and MAIL_DEFAULT_SENDER left out, production started silently and
    sent every sign-in link to 127.0.0.1:1025, where nothing listens."""
    message = _refused(
        make_app,
        SECRET_KEY="x",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=1025,
        MAIL_DEFAULT_SENDER="Empreinte <no-reply@empreinte.local>",
    )
    assert message.startswith("Empreinte cannot start with these settings")
    assert "- SECRET_KEY='x' is a placeholder" in message
    assert "- MAIL_SERVER='127.0.0.1' with MAIL_PORT=1025: the development mail sink" in message
    assert (
        "- MAIL_DEFAULT_SENDER='Empreinte <no-reply@empreinte.local>': empreinte.local" in message
    )


def test_a_mail_relay_on_this_host_and_a_development_portal_are_accepted(make_app):
    make_app(Config, **{**PRODUCTION, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 25})
    make_app(Config, ENV_NAME="development", SECRET_KEY="x")  # the development defaults


def test_flask_demo_seed_refuses_a_production_database(make_app):
    """It created admin@demo.empreinte.fr with the password "demo" on a real portal."""
    production = make_app(Config, **PRODUCTION)
    with production.app_context():  # the command's app, not the tests' own
        result = production.test_cli_runner().invoke(args=["demo", "seed", "--employees", "5"])
    assert result.exit_code == 1
    assert "EMPREINTE_ENV=production" in result.output
    assert "--i-know-this-is-production" in result.output
    with production.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_flask_demo_seed_runs_in_production_when_told_it_is_meant(make_app):
    production = make_app(Config, **PRODUCTION)
    with production.app_context():
        result = production.test_cli_runner().invoke(
            args=["demo", "seed", "--employees", "5", "--i-know-this-is-production"]
        )
    assert result.exit_code == 0, result.output
    with production.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 9


@pytest.mark.parametrize(
    ("setting", "value", "says"),
    [
        ("PUBLIC_BASE_URL", "https://empreinte.example.org", "PUBLIC_BASE_URL='https://empreinte.example.org': empreinte.example.org is a domain kept for examples"),
        ("MAIL_SERVER", "smtp.example.org", "MAIL_SERVER='smtp.example.org': a domain kept for examples"),
        ("MAIL_DEFAULT_SENDER", "Empreinte <no-reply@example.org>", "example.org is a domain kept for examples"),
    ],
)  # fmt: skip
def test_production_refuses_the_example_values_of_the_readme_and_its_messages(
    make_app, setting, value, says
):
    """Copied as they are, e-mails would reach nobody and links would lead nowhere."""
    assert says in _refused(make_app, **{setting: value})


@pytest.mark.parametrize(
    "setting", ["ORGANISATION_NAME", "MAIL_USERNAME", "MAIL_PASSWORD", "PRIVACY_CONTROLLER_CONTACT"]
)
def test_production_refuses_the_readmes_placeholder_left_in_a_setting(make_app, setting):
    """`ORGANISATION_NAME='…'` copied from the README started, and the privacy notice said
    « Le responsable de ce traitement est …. »."""
    message = _refused(make_app, **{setting: "…"})
    assert f"- {setting}='…' is a placeholder: give this portal's own value" in message


def test_production_refuses_to_start_without_its_organisation_name(make_app):
    """Unset, a production portal named Bordeaux Métropole, the development default, as
    the controller of its staff's data."""
    settings = {k: v for k, v in PRODUCTION.items() if k != "ORGANISATION_NAME"}
    from app.core.settings_check import SettingsError

    with pytest.raises(SettingsError) as refused:
        make_app(Config, **settings)
    assert "- ORGANISATION_NAME is missing: production names the authority" in str(refused.value)


def test_a_development_portal_keeps_its_default_organisation_name(make_app):
    assert make_app(Config, ENV_NAME="development").config["ORGANISATION_NAME"]


def test_production_refuses_to_start_without_its_database(make_app, monkeypatch):
    """A misspelt DATABASE_URL in the environment file started production on a new, empty
    SQLite file in instance/, which no backup covers."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    message = _refused(make_app, SQLALCHEMY_DATABASE_URI=None)
    assert "- DATABASE_URL is missing: production names its database" in message


def test_production_on_sqlite_given_on_purpose_starts(make_app, tmp_path):
    address = f"sqlite:///{tmp_path / 'empreinte.db'}"
    assert make_app(Config, **PRODUCTION, SQLALCHEMY_DATABASE_URI=address)


@pytest.mark.parametrize(
    "setting, value",
    [
        ("PRIVACY_CONTACT", "dpo@example.org"),
        ("ACCESSIBILITY_CONTACT", "accessibilite@example.org"),
        ("PRIVACY_CONTROLLER_CONTACT", "Métropole, https://www.example.com/contact"),
    ],
)
def test_production_refuses_the_readmes_example_contacts(make_app, setting, value):
    """The privacy notice would name a data protection officer reaching nobody."""
    message = _refused(make_app, **{setting: value})
    assert f"- {setting}={value!r}: " in message
    assert "is a domain kept for examples (RFC 2606), so it reaches nobody" in message


def test_production_refuses_a_mail_password_sent_in_clear(make_app):
    message = _refused(
        make_app, MAIL_USERNAME="empreinte", MAIL_PASSWORD="s3cret-pass", MAIL_USE_TLS=False
    )
    assert (
        "MAIL_PASSWORD is set for MAIL_SERVER='smtp.bordeaux-metropole.fr' without MAIL_USE_TLS=1"
        in message
    )
    assert make_app(Config, **PRODUCTION, MAIL_USERNAME="empreinte", MAIL_PASSWORD="s3cret-pass",
                    MAIL_USE_TLS=True)  # fmt: skip


def test_a_flask_command_on_a_new_database_neither_warms_caches_nor_prints_a_traceback(tmp_path):
    """`flask db upgrade` on a new database printed "warming warm_boards failed" and a
    traceback (no such table) before migrating: the warm-up is for the serving workers,
    and every command (a dispatch, an export) paid for it too."""
    environment = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path}/new.db")
    environment.pop("FLASK_RUN_FROM_CLI", None)
    upgrade = subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "db", "current"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert upgrade.returncode == 0, upgrade.stderr
    assert "Traceback" not in upgrade.stderr
    assert "warming" not in upgrade.stderr
