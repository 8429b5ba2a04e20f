"""The e-mail that tells a person their erasure was carried out.

Written while the account still holds their address and language (`erase_user` builds it
before anonymising), kept in memory only, and sent by the boundary once the erasure is
committed: never through the messaging outbox, whose rows would keep the address and the
text after the erasure. A mail server that does not answer never stops an erasure."""

import smtplib
from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.auth.mail import plain_email
from app.auth.models import User
from app.core.i18n import format_day, regional_locale
from app.core.mail import Mailer, OutgoingEmail
from app.core.urls import public_url


def privacy_notice_url() -> str:
    """The privacy notice on the portal's public address, outside any request (the
    scheduled job sends these e-mails too)."""
    return public_url(current_app.url_map.bind("portal").build("core.privacy"))


def _whom_to_ask() -> str:
    """Whom the person writes to now that they cannot sign in: the data protection
    officer when the settings name one, as the privacy notice says."""
    organisation = current_app.config["ORGANISATION_NAME"]
    contact = current_app.config.get("PRIVACY_CONTACT")
    if contact:
        return _(
            "For any question, write to the data protection officer of %(organisation)s: "
            "%(contact)s.",
            organisation=organisation,
            contact=contact,
        )
    return _(
        "For any question, ask your organisation's digital department, which passes it on "
        "to the data protection officer of %(organisation)s.",
        organisation=organisation,
    )


def erasure_confirmation(user: User, language: str, now: datetime) -> OutgoingEmail:
    """The short notice, in `language`, that the account and data of `user` were erased
    on `now`'s day, what the portal keeps (as its privacy notice says) and whom to ask."""
    with force_locale(regional_locale(language)):
        subject = _("Your Empreinte account is erased")
        body = "\n\n".join(
            (
                _("Hello %(name)s,", name=user.first_name or user.display_name),
                _(
                    "Your Empreinte account and your personal data were erased on %(date)s. "
                    "You can no longer sign in, and the portal keeps only a digest of your "
                    "e-mail address, not the address itself: this is the last e-mail it "
                    "sends you.",
                    date=format_day(now, "long"),
                ),
                _(
                    "What the portal keeps, without your name: the devices you returned "
                    "with their asset tag and chain of custody (they prove what became of "
                    "each device), your catalogue requests and the totals of your "
                    "department, commune and campaigns (the budgets and results count them), the log "
                    "of changes (the administration's record), and the dates of your "
                    "erasure request, as proof that it was carried out. It also keeps a "
                    "digest of your e-mail address, apart and linked to nothing, so that "
                    "the staff directory does not open a new account for you."
                ),
                _("The privacy notice says more: %(url)s", url=privacy_notice_url()),
                _whom_to_ask(),
            )
        )
    return plain_email(user.email, subject, body, language)


def send_erasure_confirmations(messages: Iterable[OutgoingEmail | None]) -> int:
    """Send the confirmations of erasures just committed; returns how many left. A mail
    server that refuses them is logged (without the address, which the portal no longer
    holds): the erasure stands."""
    pending = [message for message in messages if message is not None]
    if not pending:
        return 0
    sent = 0
    with Mailer(current_app.config) as mailer:
        for message in pending:
            try:
                mailer.send(message)
            except smtplib.SMTPException:  # this address refused: the others may leave
                current_app.logger.exception("erasure confirmation refused by the mail server")
                continue
            except OSError:  # no mail server: none of them can leave now
                current_app.logger.exception(
                    "erasure confirmations not sent: the mail server does not answer "
                    "(%s of %s left)",
                    sent,
                    len(pending),
                )
                break
            sent += 1
    return sent
