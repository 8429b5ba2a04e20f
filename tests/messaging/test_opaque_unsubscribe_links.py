"""The unsubscribe link began with the person's id in base64 (« NjE » is 61): whoever read
a forwarded e-mail could decode it. New links are opaque, the links of e-mails already
sent keep working. The HTML e-mail had no viewport (a desktop page shrunk on a phone) and
its unsubscribe link was in small print; the confirmation offered « Annuler » and the
profile's preferences at once, two answers to one question."""

import base64
import html
import re

from itsdangerous import URLSafeSerializer

from app.auth.models import User
from app.core.signatures import signing_keys
from app.extensions import db
from app.messaging.audiences import UNSUBSCRIBE_SALT, unsubscribe_token
from tests.conftest import csrf_token
from tests.messaging.conftest import deliver_to_everyone

LINK = re.compile(r"/messaging/unsubscribe/([A-Za-z0-9_.\-]+)")


def _emailed(make, template, smtp, config):
    """A person with e-mails on, and the e-mail a dispatch sent them."""
    config(MAIL_WORKING_HOURS="24/7")
    person = make.user(email="lea@example.org", locale="fr", email_opt_in=True)
    deliver_to_everyone(template())
    return person, dict(smtp.messages)["lea@example.org"]


def _opted_in(person) -> bool:
    db.session.expire_all()
    return db.session.get(User, person.id).email_opt_in


def _words(response) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    return " ".join(text.replace("\u00a0", " ").split())


def test_the_emailed_link_does_not_reveal_who_it_is_for(make, template, smtp, config):
    person, email = _emailed(make, template, smtp, config)
    token = LINK.search(email["List-Unsubscribe"])[1]
    in_clear = base64.urlsafe_b64encode(str(person.id).encode()).decode().rstrip("=")
    assert not token.startswith(in_clear) and "." not in token
    decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert person.id.to_bytes(8, "big") not in decoded and str(person.id).encode() not in decoded


def test_the_opaque_link_unsubscribes_as_one_sent_before_does(client, make, template, smtp, config):
    person, email = _emailed(make, template, smtp, config)
    token = LINK.search(email["List-Unsubscribe"])[1]
    earlier = make.user(email_opt_in=True)
    former = URLSafeSerializer(signing_keys(), salt=UNSUBSCRIBE_SALT).dumps(earlier.id)
    assert "." not in token and "." in former  # the new link has no readable part
    for link in (token, former):
        answer = client.post(
            f"/messaging/unsubscribe/{link}", data={"List-Unsubscribe": "One-Click"}
        )
        assert answer.status_code == 200
    assert (_opted_in(person), _opted_in(earlier)) == (False, False)


def test_an_altered_opaque_link_is_not_valid_and_changes_nothing(app, client, make):
    person = make.user(email_opt_in=True)
    token = unsubscribe_token(person.id)
    assert "." not in token
    altered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    answer = client.post(
        f"/messaging/unsubscribe/{altered}", data={"List-Unsubscribe": "One-Click"}
    )
    assert answer.status_code == 404
    assert _opted_in(person) is True


def test_the_html_email_fits_a_phone_and_its_unsubscribe_link_is_not_small_print(
    make, template, smtp, config
):
    _person, email = _emailed(make, template, smtp, config)
    part = email.get_body(("html",)).get_content()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in part
    link = re.search(r'<a href="[^"]*/messaging/unsubscribe/[^"]*">', part)
    assert link is not None
    small = [(m.start(), m.end()) for m in re.finditer(r"<small>.*?</small>", part, re.S)]
    assert not any(start < link.start() < end for start, end in small)


def test_the_confirmation_offers_only_undo_while_it_can_be_undone(client, make):
    person = make.user(email_opt_in=True, locale="fr")
    url = f"/messaging/unsubscribe/{unsubscribe_token(person.id)}"
    page = client.post(url, data={"csrf_token": csrf_token(client)}, follow_redirects=True)
    words = _words(page)
    assert "Annuler : continuer à recevoir les e-mails" in words
    assert "préférences de votre profil" not in words
    assert "/auth/profile#prefs-title" not in page.get_data(as_text=True)
