"""The sign-in link by e-mail: created and sent as soon as the answer has left, whatever
the person's e-mail consent (it is the service they asked for, not news), in their language, in plain
text. A link whose e-mail the mail server did not take is deleted: it never counts among
the person's three."""

import smtplib
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from limits import parse
from sqlalchemy import delete
from sqlalchemy.exc import SQLAlchemyError

from app.auth import services
from app.auth.models import ApiToken, SignInLink, User
from app.core.mail import Mailer, OutgoingEmail
from app.core.time import local_zone, utcnow
from app.core.urls import public_url
from app.extensions import db, limiter


def sign_in_url(raw_token: str, next_path: str | None = None, language: str | None = None) -> str:
    """The link's address on the portal's public address, never on the Host header a
    request came with (someone could otherwise have links to their own site sent). With
    `next_path` (already checked to be a path of the portal), the link leads there. With
    `language` (?lang=, see app/core/i18n.py), the page it opens speaks the e-mail's
    language, in whichever browser opens it."""
    return public_url(
        url_for("auth.sign_in_with_link", token=raw_token, next=next_path, lang=language)
    )


def in_language(url: str, language: str) -> str:
    """`url` with its ?lang= saying `language` (the e-mail's, a person's own language)."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "lang"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("lang", language)])))


def deactivated_account_message() -> str:
    """What a person whose account is deactivated is told, on the sign-in page (with their
    right password) and in the notice a link request sends them instead of a link."""
    return _(
        "Your Empreinte account is deactivated: you cannot sign in. If you still work for "
        "%(organisation)s, ask your IT helpdesk or the portal's administrators to "
        "reactivate it.",
        organisation=current_app.config["ORGANISATION_NAME"],
    )


def deactivated_account_email(user: User, language: str) -> OutgoingEmail:
    """The short notice sent instead of a sign-in link to a deactivated account's address:
    the page said a link is on its way, as for every address, and nothing came."""
    with force_locale(language):
        subject = _("Your Empreinte account is deactivated")
        body = "\n\n".join(
            (
                _("Hello %(name)s,", name=user.first_name or user.display_name),
                _(
                    "Someone, probably you, asked for a link to sign in to Empreinte with "
                    "this address. No link is sent: this account is deactivated."
                ),
                deactivated_account_message(),
                _(
                    "If you did not ask for it, ignore this e-mail: nobody can sign in to "
                    "a deactivated account."
                ),
            )
        )
    return plain_email(user.email, subject, body, language)


def sign_in_link_email(user: User, url: str, language: str) -> OutgoingEmail:
    """The e-mail that carries the link, in `language`."""
    minutes = int(current_app.config["SIGN_IN_LINK_MINUTES"])
    with force_locale(language):
        subject = _("Your sign-in link to Empreinte")
        body = "\n\n".join(
            (
                _("Hello %(name)s,", name=user.first_name or user.display_name),
                _(
                    "Here is your link to sign in to Empreinte. It works once, within %(minutes)s minutes:",
                    minutes=minutes,
                ),
                url,
                _(
                    "If you did not ask for it, ignore this e-mail: nobody can sign in without the link, and it expires by itself."
                ),
            )
        )
    return plain_email(user.email, subject, body, language)


def plain_email(to: str, subject: str, body: str, language: str) -> OutgoingEmail:
    """A plain-text e-mail of the sign-in service to `to`, in `language`."""
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    # With the portal's offset, as the portal's other e-mails: « -0000 » means "zone unknown".
    message["Date"] = format_datetime(utcnow().astimezone(local_zone()))
    # The sender's domain, as mail servers and spam filters expect of a Message-ID.
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body + "\n")
    message["Content-Language"] = language  # after set_content, which drops Content-*
    # Lines end with CRLF, as SMTP wants: smtplib sends bytes as they are, and servers
    # refuse bare line feeds (or a "line" longer than 998 bytes, which a whole message
    # ending its lines with LF alone becomes).
    outgoing = OutgoingEmail(parseaddr(sender)[1], to, b"")
    wire = policy.SMTPUTF8 if outgoing.needs_smtputf8 else policy.SMTP
    outgoing.data = message.as_bytes(policy=wire)
    return outgoing


def mail_server_answers() -> bool:
    """Whether the mail server takes a connection now (greeting, STARTTLS and login as
    configured), asked before the answer: the same question for every address, nothing
    about the address looked up, so the page may say that the e-mail cannot leave now
    without telling who works here. The link itself still leaves after the answer."""
    mailer = Mailer(current_app.config)
    try:
        mailer.connect()
    except (smtplib.SMTPException, OSError) as error:
        # Named by its class, as the dispatches' log does: a server that answered but
        # refused (no STARTTLS, a login refused) is told apart from one that is down. No
        # address was given to the server yet: its words name nobody.
        current_app.logger.warning(
            "sign-in link not sent: connecting to the mail server failed (%s: %s)",
            type(error).__name__,
            error,
        )
        return False
    finally:
        mailer.close()
    return True


def send_after_answering(response, email: str, next_path: str | None, language: str):
    """Find the person with this address, create their link and send it, all once the
    answer has left (`call_on_close`). The request itself only draws a token and writes
    the link's address, whoever the address belongs to: an answer for a staff member's
    address then takes as long as one for an unknown address, or for a person who has
    their three links already (which sends nothing), and its time tells nobody which
    addresses are staff's. `language`: the page's, for a person who chose none."""
    raw_token = services.new_sign_in_token()
    url = sign_in_url(raw_token, next_path, language)
    app = current_app._get_current_object()

    def create_and_send() -> None:
        with app.app_context():
            _create_and_send(email, raw_token, url, language)

    response.call_on_close(create_and_send)
    return response


def _create_and_send(email: str, raw_token: str, url: str, language: str) -> None:
    """The work `send_after_answering` leaves until after the answer: its own boundary,
    which commits once and logs what fails (nobody is there to be told)."""
    try:
        created = services.create_sign_in_link(email, utcnow(), raw_token=raw_token)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("sign-in link not created")
        return
    if created is None:  # an unknown, inactive or erased address, or three links open
        _log_if_refused_by_the_limit(email)
        _tell_if_deactivated(email, language)
        return
    user, _raw = created
    written_in = user.locale or language
    message = sign_in_link_email(user, in_language(url, written_in), written_in)
    try:
        with Mailer(current_app.config) as mailer:
            mailer.send(message)
    except (smtplib.SMTPException, OSError):
        current_app.logger.exception("sign-in link not sent to user %s", user.id)
        _forget_unsent(raw_token)


def _log_if_refused_by_the_limit(email: str) -> None:
    """One line, naming the person by id (never the address), when the person has their
    OPEN_LINKS_PER_PERSON links working already: "nothing arrived" can then be told apart
    from a mail failure."""
    user = services.find_user_by_email(email)
    if user is not None and user.is_active:
        current_app.logger.warning(
            "sign-in link refused: user %s has %s links working already",
            user.id,
            services.OPEN_LINKS_PER_PERSON,
        )
    db.session.rollback()  # read only: nothing held until the app context ends


def _tell_if_deactivated(email: str, language: str) -> None:
    """E-mail a deactivated account's address that it is deactivated and whom to ask,
    instead of a link (the page answered as for any address). At most
    OPEN_LINKS_PER_PERSON notices per SIGN_IN_LINK_MINUTES, as links: a stranger
    typing the address over and over fills nobody's mailbox."""
    user = services.find_user_by_email(email)
    if user is None or user.active or user.anonymised_at is not None:
        db.session.rollback()
        return
    message = deactivated_account_email(user, user.locale or language)
    user_id = user.id
    db.session.rollback()  # read only: nothing held while the e-mail leaves
    if not _may_send_deactivated_notice(user_id):
        current_app.logger.warning(
            "deactivated-account notice not sent: user %s was sent %s within %s minutes",
            user_id,
            services.OPEN_LINKS_PER_PERSON,
            current_app.config["SIGN_IN_LINK_MINUTES"],
        )
        return
    try:
        with Mailer(current_app.config) as mailer:
            mailer.send(message)
    except (smtplib.SMTPException, OSError):
        current_app.logger.exception("deactivated-account notice not sent to user %s", user_id)


def _may_send_deactivated_notice(user_id: int) -> bool:
    """Count one notice to this account; False past its limit (see _tell_if_deactivated)."""
    if not limiter.enabled:  # RATELIMIT_ENABLED=False turns every limit off
        return True
    minutes = int(current_app.config["SIGN_IN_LINK_MINUTES"])
    limit = parse(f"{services.OPEN_LINKS_PER_PERSON} per {minutes} minutes")
    return limiter.limiter.hit(limit, "deactivated-notice", str(user_id))


def _forget_unsent(raw_token: str) -> None:
    """Delete the link whose e-mail the mail server did not take: nobody holds it, and
    it must not count among the person's three (they would be locked out for
    SIGN_IN_LINK_MINUTES once mail works again)."""
    try:
        db.session.execute(
            delete(SignInLink).where(SignInLink.token_digest == ApiToken.digest(raw_token))
        )
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("unsent sign-in link not deleted")
