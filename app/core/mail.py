"""Sending e-mail through smtplib: one connection reused until closed (the messaging
dispatch and the sign-in link both send through it)."""

import contextlib
import smtplib
from dataclasses import dataclass


class Mailer:
    """An SMTP connection opened on first use and reused until closed."""

    def __init__(self, config):
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config
        connection = smtplib.SMTP(cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"]), timeout=10)
        try:
            if cfg.get("MAIL_USE_TLS"):
                connection.starttls()
            if cfg.get("MAIL_USERNAME"):
                connection.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
        except BaseException:
            # Refused after the greeting (no STARTTLS, a login refused): the socket was
            # left open, nobody holding it.
            connection.close()
            raise
        return connection

    def connect(self) -> None:
        """Open the connection now, unless it is open: greeting, STARTTLS and login as
        configured. Raises smtplib.SMTPException or OSError when the server does not
        answer (a check before promising a sign-in link); `send` reuses it."""
        if self.connection is None:
            self.connection = self._connect()

    def send(self, message: "OutgoingEmail") -> None:
        if self.connection is None:
            self.connection = self._connect()
        options = ("SMTPUTF8",) if message.needs_smtputf8 else ()
        try:
            self.connection.sendmail(message.sender, [message.to], message.data, options)
        except smtplib.SMTPServerDisconnected:
            # A dropped connection: reconnect once, then let the caller retry later.
            self.close()
            self.connection = self._connect()
            self.connection.sendmail(message.sender, [message.to], message.data, options)

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.quit()
            self.connection = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@dataclass
class OutgoingEmail:
    """A ready-to-send message: envelope and the RFC 5322 bytes."""

    sender: str
    to: str
    data: bytes

    @property
    def needs_smtputf8(self) -> bool:
        return not self.to.isascii()
