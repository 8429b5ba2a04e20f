"""Whether the mail server answers, asked before a sign-in link is promised, goes through
the Mailer's public `connect` (a real SMTP server, aiosmtpd): the connection it opens is
the one a send then uses, and a server that does not answer raises."""

import pytest
from aiosmtpd.controller import Controller

from app.auth.mail import mail_server_answers
from app.core.mail import Mailer, OutgoingEmail
from tests.messaging.conftest import Collector, free_port


@pytest.fixture
def server(app):
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    yield handler
    controller.stop()


def test_connect_opens_the_connection_a_send_then_uses(app, server):
    with Mailer(app.config) as mailer:
        mailer.connect()
        opened = mailer.connection
        mailer.connect()  # already open: kept
        mailer.send(OutgoingEmail("portal@example.org", "anne@example.org", b"Subject: x\r\n\r\nx"))
        assert opened is not None and mailer.connection is opened
    assert mailer.connection is None
    assert [to for to, _message in server.messages] == ["anne@example.org"]


def test_connect_raises_when_no_server_answers(app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    with pytest.raises(OSError), Mailer(app.config) as mailer:
        mailer.connect()
    assert not mail_server_answers()


def test_the_sign_in_check_says_a_running_server_answers(app, server):
    assert mail_server_answers()
