"""E-mail through smtplib: one connection per batch, HTML and plain text, unsubscribe headers."""

import base64
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from functools import lru_cache

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.core import slots
from app.core.mail import Mailer, OutgoingEmail
from app.core.time import local_zone
from app.messaging.rendering import ForeignPassage, plain_text, text_to_html, without_links


class NotSent(Exception):
    """A message left unsent because its batch's lease was ending, or because the process
    is stopping (`send_many`)."""


LEFT_FOR_LATER = NotSent(
    "left for another sender: the batch's lease was ending, or the process is stopping"
)

# Set once the process is told to stop (`flask scheduler run` given SIGTERM or SIGINT):
# each SMTP connection ends after the e-mail it is sending, and the messages not sent
# answer LEFT_FOR_LATER, so their rows are let go for the next run (jobs.stop_sending).
stopping = threading.Event()


class MailerPool:
    """A few SMTP connections used in parallel for one batch (SMTP is round-trip bound)."""

    def __init__(self, config, size: int | None = None):
        self.config = config
        self.size = max(1, size or int(config.get("MESSAGING_SMTP_CONNECTIONS", 4)))

    def send_many(
        self, messages: list["OutgoingEmail"], stop_at: float | None = None
    ) -> list[Exception | None]:
        """Send each message; the result is None (sent) or the error, in the same order.

        `stop_at` (time.monotonic()): past it, the messages left are not sent and answer
        LEFT_FOR_LATER: their batch's lease is ending, and another sender may claim them.
        The same once the process is `stopping`: the e-mails in flight still go.
        """
        if stopping.is_set():  # no connection opened for a batch that will not go
            return [LEFT_FOR_LATER] * len(messages)
        results: list[Exception | None] = [None] * len(messages)
        if not messages:
            return results
        slices = [range(i, len(messages), self.size) for i in range(self.size)]

        def work(indexes):
            with Mailer(self.config) as mailer:
                for index in indexes:
                    if stopping.is_set() or (stop_at is not None and time.monotonic() >= stop_at):
                        results[index] = LEFT_FOR_LATER
                        continue
                    try:
                        mailer.send(messages[index])
                    except Exception as error:  # reported per message, retried later
                        results[index] = error

        workers = [s for s in slices if len(s)]
        if len(workers) == 1:
            work(workers[0])
        else:
            with ThreadPoolExecutor(len(workers)) as pool:
                list(pool.map(work, workers))
        return results

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None


def _header(value: str) -> str:
    """An RFC 2047 encoded header value when it is not plain ASCII.

    Base64 encoded words of at most 39 UTF-8 bytes (64 characters each, folded), cut
    between characters: email.header.Header weighs quoted-printable against base64
    character by character, which cost a millisecond per subject.
    """
    if value.isascii():
        return value
    data = value.encode("utf-8")
    words, start = [], 0
    while start < len(data):
        end = min(start + 39, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # inside a UTF-8 sequence
            end -= 1
        words.append("=?utf-8?b?" + base64.b64encode(data[start:end]).decode("ascii") + "?=")
        start = end
    return "\r\n ".join(words)


@lru_cache(maxsize=8)
def _sender(sender: str) -> tuple[str, str]:
    """The envelope address and the From header of a configured sender (parsed once)."""
    address = parseaddr(sender)[1]
    name = sender[: sender.index("<")].strip() if "<" in sender else ""
    return address, _header(formataddr((name, address)) if name else address)


def _base64_part(content_type: str, text: str) -> str:
    encoded = base64.encodebytes(text.encode("utf-8")).decode("ascii")
    return (
        f"Content-Type: {content_type}; charset=utf-8\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n" + encoded.replace("\n", "\r\n")
    )


def build_email(
    *,
    to: str,
    subject: str,
    body: str,
    locale: str,
    unsubscribe_url: str,
    sender: str,
    list_unsubscribe: bool = True,
    asked_for: bool = False,
    foreign: ForeignPassage | None = None,
) -> OutgoingEmail:
    """A multipart/alternative message (text, then HTML) with RFC 2369/8058 unsubscribe headers
    (`list_unsubscribe=False`: without them, for a test, which is no mailing to leave).
    `asked_for`: sent because the person asked for it (a test), not for their consent,
    which the footer's "why" then says. `foreign`: a passage in another language (an
    organiser's French reason), marked with its `lang` in the HTML part.

    Written directly rather than with email.message.EmailMessage, whose header
    parsing costs milliseconds per message: too slow for 10,000 e-mails.
    """
    # The footers give the unsubscribe link: a line that gave only it ("Stop receiving
    # these e-mails: …", as the built-in texts end) goes; one with more text stays whole.
    body = without_links(body, [unsubscribe_url], inline=False)
    html = slots.fill(
        _html_layout(locale),
        {
            "subject": subject,
            "body_html": text_to_html(body, foreign=foreign),
            "unsubscribe_url": unsubscribe_url,
            "why": _why(locale, asked_for),
        },
    )
    boundary = "=_" + secrets.token_hex(12)
    unsubscribe = (
        [
            f"List-Unsubscribe: <{unsubscribe_url}>",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        ]
        if list_unsubscribe
        else []
    )
    sender_address, from_header = _sender(sender)
    headers = [
        f"From: {from_header}",
        f"To: {to}",  # a UTF-8 address is sent with SMTPUTF8
        f"Subject: {_header(subject)}",
        # When it is sent, with the portal's offset (« +0100 »): RFC 5322 reads « -0000 »
        # as a time whose zone is unknown.
        f"Date: {format_datetime(datetime.now(local_zone()))}",
        f"Message-ID: {make_msgid(domain=sender_address.rpartition('@')[2])}",
        f"Content-Language: {locale}",
        # Sent by the portal, not by a person: an out-of-office reply to each of 10,000
        # e-mails (RFC 3834; Exchange reads its own header) would answer no one.
        "Auto-Submitted: auto-generated",
        "X-Auto-Response-Suppress: OOF, AutoReply",
        *unsubscribe,
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
    ]
    text = (
        "\r\n".join(headers)
        + "\r\n\r\n"
        + f"--{boundary}\r\n"
        + _base64_part(
            "text/plain", plain_text(body) + _plain_footer(locale, unsubscribe_url, asked_for)
        )
        + f"--{boundary}\r\n"
        + _base64_part("text/html", html)
        + f"--{boundary}--\r\n"
    )
    return OutgoingEmail(sender_address, to, text.encode("utf-8"))


def _html_layout(locale: str) -> list[str]:
    """The HTML layout in one language, rendered once and cut at its slots (subject,
    body_html, unsubscribe_url): rendering the whole template for each of 10,000
    e-mails repeated the same work."""
    layouts = current_app.extensions.setdefault("messaging.email_layouts", {})
    if locale not in layouts:
        # The app's Jinja environment without request context processors: this runs in jobs.
        html = current_app.jinja_env.get_template("messaging/email.html").render(
            locale=locale,
            labels=email_labels(locale) | {"why": slots.slot("why")},
            **{name: slots.slot(name) for name in ("subject", "body_html", "unsubscribe_url")},
        )
        layouts[locale] = slots.cut(html)
    return layouts[locale]


def _why(locale: str, asked_for: bool) -> str:
    """Why the person receives the e-mail: their consent, or their own request."""
    return email_labels(locale)["why_asked" if asked_for else "why"]


def _plain_footer(locale: str, unsubscribe_url: str, asked_for: bool = False) -> str:
    """The HTML layout's footer for the plain-text part (why this e-mail, how to stop
    it), after a signature separator: a reader of plain text had neither."""
    labels = email_labels(locale)
    unsubscribe = labels["unsubscribe_at"] % {"url": unsubscribe_url}
    return "\n\n-- \n" + _why(locale, asked_for) + "\n" + unsubscribe


def default_sender() -> str:
    return current_app.config["MAIL_DEFAULT_SENDER"]


_LABELS: dict[str, dict[str, str]] = {}


def email_labels(locale: str) -> dict[str, str]:
    """The fixed words of the e-mail layout in the recipient's language (cached)."""
    if locale not in _LABELS:
        with force_locale(locale):
            _LABELS[locale] = {
                "unsubscribe": _("Unsubscribe from these e-mails"),
                "why": _(
                    "You are receiving this e-mail because you agreed to receive e-mails "
                    "from Empreinte."
                ),
                "why_asked": _("You are receiving this e-mail because you asked for it."),
                # Filled per message (`%(url)s`): gettext without values leaves it as is.
                "unsubscribe_at": _("Unsubscribe from these e-mails: %(url)s"),
            }
    return _LABELS[locale]
