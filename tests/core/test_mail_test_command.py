"""`flask mail test ADDRESS` sends one e-mail through the configured relay and says so, or
says in one line why not: a new server's mail settings checked before anyone's sign-in."""

import pytest

from tests.messaging.conftest import smtp, smtp_down  # noqa: F401 - fixtures


def test_the_test_email_reaches_the_relay(app, runner, smtp):  # noqa: F811 - a fixture
    result = runner.invoke(args=["mail", "test", "ops@metropole.fr"])
    assert result.exit_code == 0, result.output
    assert (
        result.output == f"Sent a test e-mail to ops@metropole.fr through 127.0.0.1:{smtp.port}.\n"
    )
    ((to, message),) = smtp.messages
    assert to == message["To"] == "ops@metropole.fr"
    assert message["Subject"] == "Empreinte: test e-mail"
    assert message["From"] == app.config["MAIL_DEFAULT_SENDER"]


def test_nothing_listening_is_said_in_one_line(runner, smtp_down, app):  # noqa: F811 - a fixture
    result = runner.invoke(args=["mail", "test", "ops@metropole.fr"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: the test e-mail was not sent through 127.0.0.1:{app.config['MAIL_PORT']}: "
        "ConnectionRefusedError: [Errno 111] Connection refused"
    ]


@pytest.mark.parametrize("address", ["notanemail", "@metropole.fr"])
def test_an_address_that_is_none_is_refused(runner, address):
    result = runner.invoke(args=["mail", "test", address])
    assert result.exit_code == 2 and "an e-mail address" in result.output
