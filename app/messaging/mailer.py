"""E-mail through smtplib: one connection per batch, HTML and plain text, unsubscribe headers."""

import contextlib
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.messaging.rendering import text_to_html


class Mailer:
    """An SMTP connection opened on first use and reused until closed."""

    def __init__(self, config):
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config
        connection = smtplib.SMTP(cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"]), timeout=10)
        if cfg.get("MAIL_USE_TLS"):
            connection.starttls()
        if cfg.get("MAIL_USERNAME"):
            connection.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
        return connection

    def send(self, message: EmailMessage) -> None:
        if self.connection is None:
            self.connection = self._connect()
        try:
            self.connection.send_message(message)
        except smtplib.SMTPRecipientsRefused:
            raise
        except (smtplib.SMTPServerDisconnected, OSError):
            # A dropped connection: reconnect once, then let the caller retry later.
            self.close()
            self.connection = self._connect()
            self.connection.send_message(message)

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.quit()
            self.connection = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def build_email(
    *, to: str, subject: str, body: str, locale: str, unsubscribe_url: str, sender: str
) -> EmailMessage:
    """A multipart message: text then HTML, with RFC 2369/8058 unsubscribe headers."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="empreinte.local")
    message["Content-Language"] = locale
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(body)
    # The app's Jinja environment without request context processors: this runs in jobs.
    html = current_app.jinja_env.get_template("messaging/email.html").render(
        subject=subject,
        body_html=text_to_html(body),
        locale=locale,
        unsubscribe_url=unsubscribe_url,
        labels=email_labels(locale),
    )
    message.add_alternative(html, subtype="html")
    return message


def default_sender() -> str:
    return current_app.config["MAIL_DEFAULT_SENDER"]


_LABELS: dict[str, dict[str, str]] = {}


def email_labels(locale: str) -> dict[str, str]:
    """The fixed words of the e-mail layout in the recipient's language (cached)."""
    if locale not in _LABELS:
        with force_locale(locale):
            _LABELS[locale] = {
                "unsubscribe": _("Unsubscribe from these e-mails"),
                "why": _("You receive this e-mail because you accepted e-mails from Empreinte."),
            }
    return _LABELS[locale]
