"""What the settings message suggests is a value production accepts: it suggested
MAIL_SERVER=smtp.example.org and 'Empreinte <no-reply@example.org>', which the same check
then refused (example.org is kept for examples). Each suggestion, set as given, starts."""

import re

import pytest

from app.config import Config
from app.core.settings_check import SettingsError
from tests.core.test_deployment_settings import PRODUCTION

# "such as X" or "such as NAME=VALUE NAME=VALUE…", X quoted or not.
SUGGESTION = re.compile(r"such as ('[^']*'|\S+)((?: [A-Z_]+=\S+)*)")
CONFIG_NAMES = {"DATABASE_URL": "SQLALCHEMY_DATABASE_URI", "EMPREINTE_ENV": "ENV_NAME"}


def _suggested(message: str) -> dict[str, str]:
    """Each refused setting's suggestion, as a setting to give."""
    settings = {}
    for line in message.splitlines():
        named = re.match(r"- ([A-Z_]+)", line)
        found = SUGGESTION.search(line)
        if not named or not found:
            continue
        given, more = found.group(1).rstrip(",;)"), found.group(2)
        if "=" in given:
            pairs = [pair.split("=", 1) for pair in (given + more).split()]
        else:
            pairs = [(named.group(1), given)]
        settings.update({CONFIG_NAMES.get(k, k): v.strip("'") for k, v in pairs})
    return settings


def _message(make_app, **settings) -> str:
    with pytest.raises(SettingsError) as refused:
        make_app(Config, **{**PRODUCTION, **settings})
    return str(refused.value)


@pytest.mark.parametrize(
    "settings",
    [
        {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 1025},
        {"MAIL_DEFAULT_SENDER": "Empreinte <no-reply@empreinte.local>"},
        {"MAIL_DEFAULT_SENDER": "Empreinte"},
        {"PUBLIC_BASE_URL": "http://127.0.0.1:5000"},
        {"PUBLIC_BASE_URL": "empreinte"},
        {"SQLALCHEMY_DATABASE_URI": "postgresql://…"},
    ],
    ids=["mail sink", "reserved sender", "no address", "loopback", "no url", "placeholder"],
)
def test_each_suggestion_of_the_message_is_accepted_in_production(make_app, settings):
    suggested = _suggested(_message(make_app, **settings))
    assert suggested, "the message suggests nothing"
    assert not any("example.org" in value for value in suggested.values())
    assert make_app(Config, **{**PRODUCTION, **settings, **suggested})
