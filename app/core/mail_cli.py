"""`flask mail test ADDRESS`: one e-mail through the configured relay, to check the mail
settings on a new server before anyone asks for a sign-in link. It prints the relay's
answer in one line (sent, or why not) and needs no database."""

import smtplib
from email.utils import parseaddr

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.auth.mail import plain_email
from app.core.mail import Mailer

mail_cli = AppGroup("mail", help="Check the mail settings.")


def init_app(app: Flask) -> None:
    """Add `flask mail …` to the app's commands."""
    app.cli.add_command(mail_cli)


def _relay(config) -> str:
    """The relay as the command names it: host:port, STARTTLS and the login when set."""
    tls = ", STARTTLS" if config.get("MAIL_USE_TLS") else ""
    login = f", as {config['MAIL_USERNAME']}" if config.get("MAIL_USERNAME") else ""
    return f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}{tls}{login}"


def failure_reason(error: Exception) -> str:
    """What went wrong, in one line: the server's code and words, or the error's class and
    first line (connection refused, a name that does not resolve, a timeout)."""
    if isinstance(error, smtplib.SMTPResponseException):
        words = error.smtp_error
        words = words.decode(errors="replace") if isinstance(words, bytes) else str(words)
        return f"{type(error).__name__}: {error.smtp_code} {' '.join(words.split())}"
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


@mail_cli.command("test")
@click.argument("address")
def send_test(address):
    """Send a short test e-mail to ADDRESS through MAIL_SERVER, from MAIL_DEFAULT_SENDER."""
    if "@" not in parseaddr(address)[1] or address.startswith("@") or address.endswith("@"):
        raise click.BadParameter("an e-mail address, such as you@example.org", param_hint="ADDRESS")
    config = current_app.config
    message = plain_email(
        address,
        "Empreinte: test e-mail",
        "This e-mail was sent by `flask mail test` to check the portal's mail settings "
        f"(MAIL_SERVER {_relay(config)}, from {config['MAIL_DEFAULT_SENDER']}). "
        "Nothing needs doing.",
        "en",
    )
    try:
        with Mailer(config) as mailer:
            mailer.send(message)
    except (smtplib.SMTPException, OSError) as error:
        raise click.ClickException(
            f"the test e-mail was not sent through {_relay(config)}: {failure_reason(error)}"
        ) from None
    click.echo(f"Sent a test e-mail to {address} through {_relay(config)}.")
