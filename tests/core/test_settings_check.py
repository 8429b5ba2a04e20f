"""A setting with a closed set of values or a format is checked when the app is built: a
typo stops the start with one message naming the variable and what it accepts."""

import os
import shutil
import subprocess
import sys
from email import message_from_bytes
from pathlib import Path

import pytest

from app import create_app
from app.config import TestConfig
from app.core.settings_check import SettingsError

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("name", "value", "variable", "accepted"),
    [
        ("MAIL_WORKING_HOURS", "lundi 8-19", "MAIL_WORKING_HOURS", "Mo-Fr 08:00-19:00"),
        ("TIMEZONE", "Paris", "TIMEZONE", "Europe/Paris"),
        ("ENV_NAME", "prod", "EMPREINTE_ENV", "'production'"),
        ("MAIL_PORT", "abc", "MAIL_PORT", "from 1 to 65535"),
        ("MAIL_PORT", 70000, "MAIL_PORT", "from 1 to 65535"),
        ("ACCESSIBILITY_STATUS", "conforme", "ACCESSIBILITY_STATUS", "partially-compliant"),
        ("ACCESSIBILITY_AUDIT_DATE", "30/11/2026", "ACCESSIBILITY_AUDIT_DATE", "YYYY-MM-DD"),
        (
            "ACCESSIBILITY_STATEMENT_DATE",
            "05/12/2026",
            "ACCESSIBILITY_STATEMENT_DATE",
            "YYYY-MM-DD",
        ),
        ("ACCESSIBILITY_COMPLIANCE_RATE", "140", "ACCESSIBILITY_COMPLIANCE_RATE", "0 to 100"),
        ("MAIL_USE_TLS", "ouais", "MAIL_USE_TLS", "true"),
        ("SESSION_COOKIE_SECURE", "vrai", "SESSION_COOKIE_SECURE", "true"),
        ("MAIL_USE_SSL", "1", "MAIL_USE_SSL", "MAIL_USE_TLS=1 (STARTTLS)"),
        ("MAIL_PORT", 465, "MAIL_PORT", "MAIL_USE_TLS=1 (STARTTLS)"),
        (
            "MAIL_DEFAULT_SENDER",
            "Empreinte",
            "MAIL_DEFAULT_SENDER",
            "no-reply@toulouse-metropole.fr",
        ),
        ("SIGN_IN_RATE_LIMIT", "10 par minute", "SIGN_IN_RATE_LIMIT", "10 per minute"),
        ("PROXY_FIX_X_FOR", "-1", "PROXY_FIX_X_FOR", "0 or more"),
        ("MESSAGING_BATCH_SIZE", "beaucoup", "MESSAGING_BATCH_SIZE", "1 or more"),
        ("RECYCLING_REMINDER_DAYS", "sept", "RECYCLING_REMINDER_DAYS", "0 or more"),
        ("GRID_FACTOR_KGCO2E_PER_KWH", "0,052", "GRID_FACTOR_KGCO2E_PER_KWH", "0.052"),
        ("PUBLIC_BASE_URL", "empreinte.example.org", "PUBLIC_BASE_URL", "https://"),
        ("RATELIMIT_STORAGE_URI", "redis:/127.0.0.1", "RATELIMIT_STORAGE_URI", "redis://"),
        ("RATELIMIT_STORAGE_URI", "redis://", "RATELIMIT_STORAGE_URI", "redis://HOST"),
        ("CACHE_REDIS_URL", "redis://", "CACHE_REDIS_URL", "redis://127.0.0.1"),
        ("GRID_FACTOR_KGCO2E_PER_KWH", "nan", "GRID_FACTOR_KGCO2E_PER_KWH", "0 or more"),
        ("GRID_FACTOR_KGCO2E_PER_KWH", "inf", "GRID_FACTOR_KGCO2E_PER_KWH", "0 or more"),
        ("MAIL_WORKING_HOURS", "off", "MAIL_WORKING_HOURS", "would never go out"),
        ("SQLALCHEMY_DATABASE_URI", "postgres:secret@db", "DATABASE_URL", "postgresql://"),
    ],
)
def test_a_bad_setting_stops_the_start_naming_the_variable(name, value, variable, accepted):
    with pytest.raises(SettingsError) as refused:
        create_app(TestConfig, **{name: value})
    message = str(refused.value)
    assert f"{variable}=" in message or f"{variable} " in message
    assert accepted in message


def test_the_message_lists_every_bad_setting_at_once():
    with pytest.raises(SettingsError) as refused:
        create_app(TestConfig, TIMEZONE="Paris", MAIL_WORKING_HOURS="lundi 8-19")
    assert "TIMEZONE='Paris'" in str(refused.value)
    assert "MAIL_WORKING_HOURS='lundi 8-19'" in str(refused.value)


def test_a_database_address_is_never_repeated_in_the_message():
    with pytest.raises(SettingsError) as refused:
        create_app(TestConfig, SQLALCHEMY_DATABASE_URI="postgres:secret@db")
    assert "secret" not in str(refused.value)


def test_a_bad_number_in_the_environment_gives_the_message_not_a_traceback():
    """MAIL_PORT=abc used to stop the import of app.config with a bare ValueError."""
    environment = {**os.environ, "MAIL_PORT": "abc", "MESSAGING_POLL_SECONDS": "often"}
    environment.pop("EMPREINTE_ENV", None)
    started = subprocess.run(
        [sys.executable, "-c", "from app import create_app; create_app()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 1
    # The message alone, not at the end of a traceback an operator must read through.
    assert started.stderr.startswith("Empreinte cannot start")
    assert "Traceback" not in started.stderr
    assert "- MAIL_PORT='abc': a whole number, from 1 to 65535" in started.stderr
    assert "- MESSAGING_POLL_SECONDS='often'" in started.stderr
    assert "ValueError" not in started.stderr


@pytest.mark.parametrize(
    "settings",
    [
        {"MAIL_WORKING_HOURS": "Mo-Fr 08:00-19:00; Sa 09:00-12:00", "TIMEZONE": "America/Cayenne"},
        {"ENV_NAME": "development", "MAIL_PORT": "587", "MAIL_USE_TLS": True},
        {"ACCESSIBILITY_STATUS": "fully-compliant", "ACCESSIBILITY_AUDIT_DATE": "2026-11-30"},
        {"ACCESSIBILITY_COMPLIANCE_RATE": "87,5", "MAIL_WORKING_HOURS": ""},
        {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379", "SIGN_IN_RATE_LIMIT": "5/minute"},
        {"MAIL_DEFAULT_SENDER": "no-reply@ville.example.fr", "PROXY_FIX_X_FOR": "1"},
    ],
)
def test_good_settings_start(make_app, settings):
    assert make_app(**settings).config["TIMEZONE"]


def test_the_sign_in_e_mail_message_id_is_on_the_sender_domain(app, make, monkeypatch):
    from app.auth.mail import sign_in_link_email

    monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", "Mairie <portail@ville.example.fr>")
    outgoing = sign_in_link_email(make.user(), "https://empreinte.example.fr/x", "fr")
    message_id = message_from_bytes(outgoing.data)["Message-ID"]
    assert message_id.endswith("@ville.example.fr>")


def test_a_messaging_e_mail_message_id_is_on_the_sender_domain():
    from app.messaging.mailer import build_email

    outgoing = build_email(
        to="agent@ville.example.fr",
        subject="Bonjour",
        body="Texte",
        locale="fr",
        unsubscribe_url="https://empreinte.example.fr/u",
        sender="Mairie <portail@ville.example.fr>",
    )
    message_id = message_from_bytes(outgoing.data)["Message-ID"]
    assert message_id.endswith("@ville.example.fr>")


def test_make_run_links_and_mail_sink_follow_the_port_served():
    """`make run PORT=5145` once sent links to :5000 and kept the mail sink on 1025."""
    if not shutil.which("make"):
        pytest.skip("no make")
    planned = subprocess.run(
        ["make", "-n", "run", "PORT=5145", "MAIL_PORT=2526"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "PUBLIC_BASE_URL"},
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert "-l 127.0.0.1:2526 " in planned
    assert "PUBLIC_BASE_URL='http://127.0.0.1:5145' MAIL_PORT='2526'" in planned
    assert "flask run --host 127.0.0.1 --port 5145" in planned


def _production_start(**environment):
    """Start the portal as gunicorn would, in production with `environment`: its stderr."""
    given = {k: v for k, v in os.environ.items() if k not in ("PUBLIC_BASE_URL", "SECRET_KEY")}
    given.update(EMPREINTE_ENV="production", DATABASE_URL="sqlite://", **environment)
    started = subprocess.run(
        [sys.executable, "-c", "from app import create_app; create_app()"],
        cwd=ROOT,
        env=given,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 1
    return started.stderr


def test_a_loopback_public_base_url_in_production_is_named_not_called_unset():
    """PUBLIC_BASE_URL=http://127.0.0.1:8000 stopped the start with a traceback ending
    "RuntimeError: PUBLIC_BASE_URL is not set." although it was set."""
    stderr = _production_start(
        PUBLIC_BASE_URL="http://127.0.0.1:8000", SECRET_KEY="rT9vQ2mX7pLw4sKz8bNc1dHf6gJy3aE5uV0k"
    )
    assert stderr.startswith("Empreinte cannot start")
    assert "Traceback" not in stderr
    assert "- PUBLIC_BASE_URL='http://127.0.0.1:8000' names this machine (127.0.0.1)" in stderr
    assert "not set" not in stderr


def test_a_production_start_lists_a_missing_secret_key_with_the_address():
    """One message naming each variable: the secret key no longer stops the start alone,
    with a traceback, before the address is looked at."""
    stderr = _production_start(PUBLIC_BASE_URL="http://localhost:8000")
    assert stderr.startswith("Empreinte cannot start")
    assert "Traceback" not in stderr
    assert "- SECRET_KEY is not set" in stderr
    assert "- PUBLIC_BASE_URL='http://localhost:8000' names this machine (localhost)" in stderr


def test_an_unset_public_base_url_in_production_is_called_unset():
    stderr = _production_start(SECRET_KEY="rT9vQ2mX7pLw4sKz8bNc1dHf6gJy3aE5uV0k")
    assert "- PUBLIC_BASE_URL is not set (or is set to its development default" in stderr


@pytest.mark.parametrize(
    ("address", "host"),
    [
        ("http://127.0.0.1:8000", "127.0.0.1"),
        ("http://localhost", "localhost"),
        ("http://[::1]:8000/", "::1"),
        ("http://0.0.0.0:8000", "0.0.0.0"),  # noqa: S104 - an address refused
        ("http://127.0.1.1:8000", "127.0.1.1"),
    ],
)
def test_create_app_refuses_a_loopback_public_base_url_naming_it(address, host):
    from app.config import Config

    with pytest.raises(SettingsError) as refused:
        create_app(
            Config,
            ENV_NAME="production",
            ORGANISATION_NAME="Toulouse Métropole",
            SECRET_KEY="rT9vQ2mX7pLw4sKz8bNc1dHf6gJy3aE5uV0k",
            PUBLIC_BASE_URL=address,
            SQLALCHEMY_DATABASE_URI="sqlite://",
        )
    message = str(refused.value)
    assert f"PUBLIC_BASE_URL={address!r} names this machine ({host})" in message
    assert "not set" not in message


def test_the_privacy_contact_warnings_read_as_sentences():
    from app.core.settings_check import settings_warnings

    warnings = settings_warnings({"ENV_NAME": "production"}.get)
    assert (
        "PRIVACY_CONTROLLER_CONTACT is empty: the privacy notice does not give the "
        "controller's contact (a postal or e-mail address);" in warnings[0]
    )
    assert (
        "PRIVACY_CONTACT is empty: the privacy notice does not give the data protection "
        "officer's e-mail address;" in warnings[1]
    )
    assert not any("gives no the" in warning for warning in warnings)
