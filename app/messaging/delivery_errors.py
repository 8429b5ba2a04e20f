"""Why a delivery did not go, kept as a short code and said in the reader's words.

A delivery's `error` column holds a code, never an exception's text: that text is in
English (Jinja's « 'results_url' is undefined », « [Errno 111] Connection refused »), may
hold an address refused, and read raw on a French page. The raw detail goes to the log."""

import re
import smtplib
import socket
import ssl

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# A message that could not be written for its reader: "render: name, other" (the
# variables it lacked), or "render" alone when none is named.
RENDER = "render"

# E-mail failures by kind; each stored as its kind's code.
UNREACHABLE, TIMEOUT, TLS, LOGIN = "unreachable", "timeout", "tls", "login"
RECIPIENT_REFUSED, SENDER_REFUSED, MESSAGE_REFUSED = (
    "recipient_refused",
    "sender_refused",
    "message_refused",
)
DISCONNECTED, SERVER_ERROR = "disconnected", "server_error"

EMAIL_ERRORS = {
    UNREACHABLE: _l("The mail server could not be reached (stopped, or refusing connections)."),
    TIMEOUT: _l("The mail server did not answer in time."),
    TLS: _l("The secure connection to the mail server failed (its certificate or encryption)."),
    LOGIN: _l("The mail server refused the portal's sign-in."),
    RECIPIENT_REFUSED: _l("The mail server refused this address."),
    SENDER_REFUSED: _l("The mail server refused the portal's sender address."),
    MESSAGE_REFUSED: _l("The mail server refused the message."),
    DISCONNECTED: _l("The mail server closed the connection before the message went."),
    SERVER_ERROR: _l("The mail server could not take the message."),
}

# Rows written before the codes held the exception as "ClassName: text": its class says
# the kind. Checked in order (subclasses first).
_BY_CLASS_NAME = {
    "SMTPRecipientsRefused": RECIPIENT_REFUSED,
    "SMTPSenderRefused": SENDER_REFUSED,
    "SMTPDataError": MESSAGE_REFUSED,
    "SMTPAuthenticationError": LOGIN,
    "SMTPConnectError": UNREACHABLE,
    "SMTPServerDisconnected": DISCONNECTED,
    "SMTPNotSupportedError": SERVER_ERROR,
    "SMTPHeloError": SERVER_ERROR,
    "SMTPResponseException": SERVER_ERROR,
    "SMTPException": SERVER_ERROR,
    "ConnectionRefusedError": UNREACHABLE,
    "ConnectionResetError": DISCONNECTED,
    "ConnectionAbortedError": DISCONNECTED,
    "BrokenPipeError": DISCONNECTED,
    "TimeoutError": TIMEOUT,
    "timeout": TIMEOUT,
    "gaierror": UNREACHABLE,
    "SSLError": TLS,
    "SSLCertVerificationError": TLS,
    "OSError": UNREACHABLE,
}


def email_error_code(error: BaseException) -> str:
    """The kind of an SMTP or network failure, as stored (see EMAIL_ERRORS)."""
    checks = (
        (smtplib.SMTPRecipientsRefused, RECIPIENT_REFUSED),
        (smtplib.SMTPSenderRefused, SENDER_REFUSED),
        (smtplib.SMTPDataError, MESSAGE_REFUSED),
        (smtplib.SMTPAuthenticationError, LOGIN),
        (smtplib.SMTPConnectError, UNREACHABLE),
        (smtplib.SMTPServerDisconnected, DISCONNECTED),
        (smtplib.SMTPException, SERVER_ERROR),
        (ssl.SSLError, TLS),
        (TimeoutError, TIMEOUT),  # socket.timeout too
        (socket.gaierror, UNREACHABLE),
        (ConnectionRefusedError, UNREACHABLE),
        (ConnectionError, DISCONNECTED),
        (OSError, UNREACHABLE),
    )
    for kind, code in checks:
        if isinstance(error, kind):
            return code
    return SERVER_ERROR


def render_error_code(missing: list[str]) -> str:
    """The stored code of a message that could not be written: the variables it lacked."""
    return f"{RENDER}: {', '.join(missing)}" if missing else RENDER


_UNDEFINED = re.compile(r"'(\w+)' is undefined")
_NAMES = re.compile(r"^[\w, ]+$")


def _missing_names(detail: str) -> list[str]:
    """The variables a render error names: "results_url, x" (a code), or Jinja's
    « 'results_url' is undefined » (a row written before the codes)."""
    named = _UNDEFINED.findall(detail)
    if named:
        return named
    if _NAMES.match(detail):
        return [name.strip() for name in detail.split(",") if name.strip()]
    return []


# A stored error of no known kind (raw text of an old row): said as unexpected.
UNEXPECTED = "unexpected"


def error_kind(error: str | None) -> str:
    """A stored error reduced to its kind's code (what `describe_error` words), so that
    errors can be counted by kind: an old row's raw text may hold an address."""
    kind, _sep, detail = (error or "").partition(":")
    kind, detail = kind.strip(), detail.strip()
    if kind == RENDER:
        return render_error_code(_missing_names(detail))
    code = kind if kind in EMAIL_ERRORS else _BY_CLASS_NAME.get(kind)
    return code or UNEXPECTED


def describe_error(error: str | None) -> str:
    """A delivery's error in the reader's words, whatever was stored: a code, or the raw
    text of a row written before the codes (never shown as it is)."""
    if not error:
        return ""
    kind, _sep, detail = error.partition(":")
    kind, detail = kind.strip(), detail.strip()
    if kind == RENDER:
        names = _missing_names(detail)
        if names:
            return _(
                "The message could not be written for this person: the variable "
                "%(names)s had no value for them.",
                names=", ".join(names),
            )
        return _("The message could not be written for this person.")
    code = kind if kind in EMAIL_ERRORS else _BY_CLASS_NAME.get(kind)
    if code is not None:
        return str(EMAIL_ERRORS[code])
    return _("The message could not be delivered (an unexpected error; the log has its detail).")


def refused_by_server(error: str | None) -> bool:
    """Whether the mail server answered and refused (rather than stayed silent)."""
    kind = (error or "").partition(":")[0].strip()
    code = kind if kind in EMAIL_ERRORS else _BY_CLASS_NAME.get(kind)
    return code in (RECIPIENT_REFUSED, SENDER_REFUSED, MESSAGE_REFUSED, LOGIN, SERVER_ERROR)
