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
from flask_babel import ngettext

from app.messaging.limits import TemplateTooCostly, UnwritableValue

# A message that could not be written for its reader: "render: name, other" (the
# variables it lacked), or "render" alone when none is named.
RENDER = "render"
# One that failed for another reason than a missing variable: where and why, as the
# editor says it, "render_at:body_fr:3:item" (`rendering.failure_kind`).
RENDER_AT = "render_at"

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


def render_failure_code(field: str, line: int, kind: str) -> str:
    """The stored code of a message that failed at a line of one of its texts."""
    return f"{RENDER_AT}:{field}:{line}:{kind}"


_FIELDS = {
    "subject_fr": _l("subject in French"),
    "body_fr": _l("body in French"),
    "subject_en": _l("subject in English"),
    "body_en": _l("body in English"),
}
_FAILURES = {
    "item": _l(
        "an item is asked for that this person's value does not have (a list or a text "
        "shorter than for others)."
    ),
    "zero": _l("a division by zero with this person's values."),
    "type": _l(
        "an operation this person's values do not allow (a text where a number is needed, "
        "or no value)."
    ),
    "security": _l("the template reaches inside a value, which templates may not do."),
    "other": _l("an operation on this line failed with this person's values."),
}


def _failure_reason(kind: str) -> str:
    """A `rendering.failure_kind` code in words, as the rest of a sentence."""
    name, _sep, detail = kind.partition(":")
    if name == "attribute":
        return _("a variable has no “%(name)s” for this person.", name=detail)
    if name in ("cost", "value"):
        refused = TemplateTooCostly if name == "cost" else UnwritableValue
        reason = refused(detail).reason()
        return reason[:1].lower() + reason[1:]
    return str(_FAILURES.get(name, _FAILURES["other"]))


def _describe_render_at(detail: str) -> str:
    field, _sep, rest = detail.partition(":")
    line, _sep, kind = rest.partition(":")
    where = str(_FIELDS.get(field, field))
    reason = _failure_reason(kind)
    if line.isdigit() and int(line):
        return _(
            "The message could not be written for this person (%(where)s, line %(line)s): "
            "%(reason)s Fix the template, then send it to them again from this page.",
            where=where,
            line=line,
            reason=reason,
        )
    return _(
        "The message could not be written for this person (%(where)s): %(reason)s Fix the "
        "template, then send it to them again from this page.",
        where=where,
        reason=reason,
    )


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
    if kind == RENDER_AT:
        return f"{RENDER_AT}:{detail}"
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
    if kind == RENDER_AT:
        return _describe_render_at(detail)
    code = kind if kind in EMAIL_ERRORS else _BY_CLASS_NAME.get(kind)
    if code is not None:
        return str(EMAIL_ERRORS[code])
    return _("The message could not be delivered (an unexpected error; the log has its detail).")


def why_test_not_written(error: str | None, only_with_a_campaign=frozenset()) -> str:
    """Why a test could not be written for its author, said on the editor where they
    asked for it (the dispatch's page was the only place that said it): the variables
    that had no value, or the line that failed. `only_with_a_campaign`: the variables
    only a message about one campaign has, when the test named none."""
    kind, _sep, detail = (error or "").partition(":")
    kind, detail = kind.strip(), detail.strip()
    names = _missing_names(detail) if kind == RENDER else []
    campaign_only = [name for name in names if name in only_with_a_campaign]
    if campaign_only:
        return ngettext(
            "The test could not be written: the variable %(names)s has a value only in a "
            "message about one campaign. Choose its campaign in “Campaign of the test”; "
            "nothing was sent.",
            "The test could not be written: the variables %(names)s have a value only in a "
            "message about one campaign. Choose its campaign in “Campaign of the test”; "
            "nothing was sent.",
            len(campaign_only),
            names=", ".join(campaign_only),
        )
    if names:
        return ngettext(
            "The test could not be written: the variable %(names)s has no value for you at "
            "this moment. Nothing was sent.",
            "The test could not be written: the variables %(names)s have no value for you at "
            "this moment. Nothing was sent.",
            len(names),
            names=", ".join(names),
        )
    if kind == RENDER_AT:
        field, _sep, rest = detail.partition(":")
        line, _sep, failure = rest.partition(":")
        where, reason = _FIELDS.get(field, field), _failure_reason(failure)
        if line.isdigit() and int(line):
            return _(
                "The test could not be written (%(where)s, line %(line)s): %(reason)s "
                "Nothing was sent.",
                where=where,
                line=line,
                reason=reason,
            )
        return _(
            "The test could not be written (%(where)s): %(reason)s Nothing was sent.",
            where=where,
            reason=reason,
        )
    return _("The test could not be written for you: nothing was sent.")


def refused_by_server(error: str | None) -> bool:
    """Whether the mail server answered and refused (rather than stayed silent)."""
    kind = (error or "").partition(":")[0].strip()
    code = kind if kind in EMAIL_ERRORS else _BY_CLASS_NAME.get(kind)
    return code in (RECIPIENT_REFUSED, SENDER_REFUSED, MESSAGE_REFUSED, LOGIN, SERVER_ERROR)
