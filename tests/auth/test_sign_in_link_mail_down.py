"""A sign-in link asked for while the mail server is down: the page says the e-mail could
not be sent now (for every address alike: it tells nobody who works here), and no link is
kept, so the person is not locked out of their three links once mail works again. A link
whose e-mail the server refuses after the answer is deleted. A request refused by the
three-links rule leaves one log line, without the address. Through a real SMTP server
(aiosmtpd), stopped then started."""

import html
import logging
import re

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app.auth.models import SignInLink
from app.extensions import db
from tests.conftest import csrf_token
from tests.messaging.conftest import Collector, free_port

NOT_SENT_FR = "L'e-mail n'a pas pu être envoyé pour l'instant. Réessayez dans quelques minutes."
NOT_SENT_EN = "The e-mail could not be sent just now. Try again in a few minutes."


class Refusing(Collector):
    """Takes the connection, then refuses the message while `refusing` is set."""

    refusing = False

    async def handle_DATA(self, server, session, envelope):
        if self.refusing:
            return "451 4.3.0 Try again later"
        return await super().handle_DATA(server, session, envelope)


class MailServer:
    """A real SMTP server on a fixed port, to stop and start again."""

    def __init__(self, app):
        self.handler = Refusing()
        self.port = free_port()
        self.controller = None
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=self.port)

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def mail_server(app):
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT")}
    server = MailServer(app)
    yield server
    server.stop()
    app.config.update(saved)


def ask(app, email, n=1, language="fr"):
    """Ask for a link from another browser and address each time (the form's rate limit
    counts per address): (status, page as read)."""
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = f"192.0.2.{n}"
    answer = browser.post(
        "/auth/sign-in/link",
        data={"link-email": email, "csrf_token": csrf_token(browser)},
        headers={"Accept-Language": language},
        buffered=True,  # the e-mail leaves once the answer is closed
    )
    return answer.status_code, html.unescape(answer.get_data(as_text=True))


def open_links() -> int:
    return db.session.scalar(select(func.count()).select_from(SignInLink))


def test_links_asked_while_mail_is_down_do_not_count_once_it_is_back(app, make, mail_server):
    make.user(email="ines@example.org")
    for n in range(1, 5):
        status, page = ask(app, "ines@example.org", n)
        assert status == 503
        assert NOT_SENT_FR in page
        assert "vient d'y être envoyé" not in page and "Consultez votre messagerie" not in page
    assert open_links() == 0

    mail_server.start()
    status, page = ask(app, "ines@example.org", 5)

    assert status == 200 and "Consultez votre messagerie" in page
    assert mail_server.handler.recipients() == ["ines@example.org"]


def test_the_page_says_it_in_english_and_keeps_the_address_typed(app, make, mail_server):
    make.user(email="liam@example.org")
    status, page = ask(app, "liam@example.org", language="en")
    assert status == 503
    assert NOT_SENT_EN in page
    assert re.search(r'name="link-email"[^>]*value="liam@example.org"', page) or re.search(
        r'value="liam@example.org"[^>]*name="link-email"', page
    )


def test_an_unknown_address_gets_the_same_answer_when_mail_is_down(app, make, mail_server):
    make.user(email="known@example.org")
    _status, known = ask(app, "known@example.org", 1)
    _status, unknown = ask(app, "nobody@example.org", 2)
    strip = re.compile(r'value="[^"]*"|"X-CSRFToken": "[^"]*"|(nobody|known)@example\.org')
    assert strip.sub("", known) == strip.sub("", unknown)


def test_a_link_whose_e_mail_the_server_refused_is_deleted(app, make, mail_server, caplog):
    caplog.set_level(logging.WARNING)
    person = make.user(email="noor@example.org")
    mail_server.start()
    mail_server.handler.refusing = True
    for n in range(1, 4):
        assert ask(app, "noor@example.org", n)[0] == 200  # the page had left already
    assert open_links() == 0
    assert f"sign-in link not sent to user {person.id}" in caplog.text

    mail_server.handler.refusing = False
    for n in range(4, 7):
        ask(app, "noor@example.org", n)
    assert mail_server.handler.recipients() == ["noor@example.org"] * 3


def test_a_request_refused_by_the_three_links_rule_is_logged_without_the_address(
    app, make, mail_server, caplog
):
    caplog.set_level(logging.INFO)
    person = make.user(email="sacha@example.org")
    mail_server.start()
    for n in range(1, 4):
        ask(app, "sacha@example.org", n)
    assert "links working already" not in caplog.text

    ask(app, "sacha@example.org", 4)

    portal_lines = [r.getMessage() for r in caplog.records if r.name == app.logger.name]
    assert portal_lines == [f"sign-in link refused: user {person.id} has 3 links working already"]
    assert mail_server.handler.recipients() == ["sacha@example.org"] * 3
