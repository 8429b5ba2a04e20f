"""PUBLIC_BASE_URL is an address alone (links are made by adding a path to it), and a
production SECRET_KEY is no placeholder repeated to look long."""

import pytest

from app.config import Config
from app.core.settings_check import SettingsError
from tests.core.test_deployment_settings import PRODUCTION


def _refused(make_app, **settings) -> str:
    with pytest.raises(SettingsError) as refused:
        make_app(Config, **{**PRODUCTION, **settings})
    return str(refused.value)


HOST = "https://empreinte.bordeaux-metropole.fr"


@pytest.mark.parametrize(
    ("address", "names"),
    [
        (f"{HOST}/?x=1", "a query (?)"),
        (f"{HOST}/?", "a query (?)"),
        (f"{HOST}/#top", "a fragment (#)"),
        (f"{HOST}/portail", "a path (/portail)"),
        (f"{HOST}/portail/", "a path (/portail/)"),
    ],
)
def test_production_refuses_a_public_address_with_more_than_its_host(make_app, address, names):
    message = _refused(make_app, PUBLIC_BASE_URL=address)
    assert f"- PUBLIC_BASE_URL={address!r}: the portal's address alone" in message
    assert f"without {names}" in message
    assert "a sub-path is not supported" in message
    assert message.count("PUBLIC_BASE_URL") == 1  # one line for one variable


def test_a_user_name_in_the_public_address_is_refused_without_repeating_it(make_app):
    message = _refused(make_app, PUBLIC_BASE_URL="https://admin:hunter2@empreinte.fr/")
    assert "- PUBLIC_BASE_URL: the portal's address alone" in message
    assert "without a user name" in message
    assert "hunter2" not in message


def test_an_http_sub_path_in_production_is_one_line(make_app):
    message = _refused(make_app, PUBLIC_BASE_URL="http://empreinte.bordeaux-metropole.fr/x")
    assert message.count("PUBLIC_BASE_URL") == 1


def test_a_development_portal_refuses_a_sub_path_too(make_app):
    """Links would be as wrong on a workstation: http://127.0.0.1:5000/x/messaging/…"""
    with pytest.raises(SettingsError, match="without a path"):
        make_app(Config, ENV_NAME="development", PUBLIC_BASE_URL="http://127.0.0.1:5000/x")


@pytest.mark.parametrize("address", [HOST, f"{HOST}/", "https://empreinte.fr:8443"])
def test_an_address_alone_with_or_without_its_slash_or_port_is_accepted(make_app, address):
    assert make_app(Config, **{**PRODUCTION, "PUBLIC_BASE_URL": address})


@pytest.mark.parametrize(
    "key",
    [
        "changeme" * 5,
        "CHANGEME-changeme-ChangeMe-changeme-changeme",
        "secret-key_secret-key_secret-key_secret-key",
        "your-secret-keyyour-secret-keyyour-secret-key",
        "x" * 40,
    ],
)
def test_production_refuses_a_placeholder_repeated(make_app, key):
    message = _refused(make_app, SECRET_KEY=key)
    assert "- SECRET_KEY repeats a placeholder (such as changeme), not a key" in message
    assert key not in message


@pytest.mark.parametrize("key", ["k" * 40, "abcabcabcabcabcabcabcabcabcabcabcabc", "0101" * 10])
def test_production_refuses_a_key_of_too_few_different_characters(make_app, key):
    message = _refused(make_app, SECRET_KEY=key)
    assert "- SECRET_KEY has too few different characters" in message
    assert "a random key has 8 or more" in message
    assert key not in message


def test_random_keys_are_accepted(make_app):
    import secrets

    for key in (
        secrets.token_urlsafe(48),
        secrets.token_hex(32),
        "3f9c2e81b7d40651a0c5e9d2b8f47a36",
    ):
        assert make_app(Config, **{**PRODUCTION, "SECRET_KEY": key})
