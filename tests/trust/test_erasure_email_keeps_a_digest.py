"""The erasure e-mail said « le portail ne détient plus votre adresse e-mail », then a few
lines later that it keeps a digest of that address: its first sentence now says that the
portal keeps only a digest, not the address."""

from datetime import UTC, datetime

import pytest

from app.core.privacy_mail import send_erasure_confirmations
from app.core.privacy_services import erase_user
from app.extensions import db


@pytest.mark.parametrize(
    ("locale", "said", "no_longer_said"),
    [
        (
            "fr",
            "le portail ne garde qu'une empreinte de votre adresse e-mail, pas l'adresse "
            "elle-même : c'est le dernier e-mail qu'il vous envoie.",
            "ne détient plus",
        ),
        (
            "en",
            "the portal keeps only a digest of your e-mail address, not the address "
            "itself: this is the last e-mail it sends you.",
            "no longer holds",
        ),
    ],
)
def test_the_email_says_the_portal_keeps_only_a_digest_of_the_address(
    make, smtp, locale, said, no_longer_said
):
    person = make.user(locale=locale)
    confirmation = erase_user(person, datetime.now(UTC))
    db.session.commit()
    assert send_erasure_confirmations([confirmation]) == 1
    [(_to, message)] = smtp.messages
    body = " ".join(message.get_content().split())
    assert said in body.replace("\u00a0", " ")
    assert no_longer_said not in body
