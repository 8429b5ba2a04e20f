"""A sign-in link asked for with MAIL_USE_TLS=1 from a mail server that offers no STARTTLS:
the log said "the mail server does not answer", though it had answered. It now says the
link was not sent and why, by the exception's class (as the dispatches' log does), naming
nobody. Through a real SMTP server (aiosmtpd) without STARTTLS."""

import logging

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app.auth.models import SignInLink
from app.extensions import db
from tests.auth.test_sign_in_link_mail_down import ask
from tests.messaging.conftest import Collector, free_port


@pytest.fixture
def server_without_starttls(app):
    """A running SMTP server offering no STARTTLS, the portal told to use it."""
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_USE_TLS=True)
    yield handler
    controller.stop()
    app.config.update(saved)


def test_a_server_without_starttls_is_named_in_the_log_and_no_link_is_kept(
    app, make, server_without_starttls, caplog
):
    make.user(email="ines@example.org")
    caplog.set_level(logging.WARNING)
    status, _page = ask(app, "ines@example.org")
    assert status == 503
    assert db.session.scalar(select(func.count()).select_from(SignInLink)) == 0
    (line,) = [r.getMessage() for r in caplog.records if "sign-in link" in r.getMessage()]
    assert line.startswith(
        "sign-in link not sent: connecting to the mail server failed (SMTPNotSupportedError: "
    )
    assert "STARTTLS" in line and "does not answer" not in line
    assert "ines@example.org" not in caplog.text
    assert server_without_starttls.messages == []


def test_a_server_that_does_not_answer_is_named_by_its_error_too(app, make, caplog):
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    try:
        caplog.set_level(logging.WARNING)
        assert ask(app, "nobody@example.org")[0] == 503
    finally:
        app.config.update(saved)
    assert "connecting to the mail server failed (ConnectionRefusedError: " in caplog.text
