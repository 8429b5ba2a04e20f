"""Single sign-on's settings are checked at start, and a provider that does not answer is
logged in one line: OIDC_ISSUER without the portal's registration (client id, secret)
passed the check, an http:// issuer was accepted in production, and each click on "Sign
in with my account" while the provider was away logged a traceback of 60 lines."""

import logging

import pytest

from app import create_app
from app.config import Config, TestConfig
from app.core.settings_check import SettingsError
from tests.core.test_deployment_settings import PRODUCTION
from tests.messaging.conftest import free_port

REGISTERED = {"OIDC_CLIENT_ID": "empreinte", "OIDC_CLIENT_SECRET": "a-secret-of-the-test"}


def _refused(config=TestConfig, **settings) -> str:
    with pytest.raises(SettingsError) as refused:
        create_app(config, **settings)
    return str(refused.value)


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({}, "OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are"),
        ({"OIDC_CLIENT_ID": "empreinte"}, "OIDC_CLIENT_SECRET is"),
        ({"OIDC_CLIENT_SECRET": "s3cret"}, "OIDC_CLIENT_ID is"),
    ],
)
def test_an_issuer_without_the_portals_registration_stops_the_start(given, missing):
    message = _refused(OIDC_ISSUER="https://sso.toulouse-metropole.fr", **given)
    assert f"- OIDC_ISSUER is set but {missing} not: single sign-on needs the portal's " in message
    assert "s3cret" not in message


def test_an_http_issuer_stops_a_production_start(tmp_path):
    message = _refused(
        Config,
        **PRODUCTION,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'e.db'}",
        OIDC_ISSUER="http://sso.toulouse-metropole.fr",
        **REGISTERED,
    )
    assert (
        "- OIDC_ISSUER='http://sso.toulouse-metropole.fr': production talks to its identity "
        "provider over HTTPS only"
    ) in message


def test_an_https_issuer_with_its_registration_starts_in_production(make_app):
    assert make_app(
        Config, **PRODUCTION, OIDC_ISSUER="https://sso.toulouse-metropole.fr", **REGISTERED
    )


def test_an_http_issuer_is_still_accepted_in_development(make_app):
    assert make_app(OIDC_ISSUER="http://127.0.0.1:8080", **REGISTERED)


def test_a_provider_that_does_not_answer_is_logged_in_one_warning_line(make_app, caplog):
    away = make_app(OIDC_ISSUER=f"http://127.0.0.1:{free_port()}", **REGISTERED)
    caplog.set_level(logging.WARNING)
    assert away.test_client().get("/auth/sso").status_code == 503
    (line,) = [r for r in caplog.records if "single sign-on" in r.getMessage()]
    assert line.levelno == logging.WARNING and line.exc_info is None
    assert line.getMessage().startswith(
        "single sign-on: the identity provider does not answer (ConnectionError: "
    )
    assert "\n" not in line.getMessage()
