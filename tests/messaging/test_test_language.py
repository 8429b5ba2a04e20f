""" "Send me a test" of a bilingual template in the language the organiser chooses: the
other language of a template could not be tried before it went to everyone."""

import re

from sqlalchemy import select

from app.extensions import db
from app.messaging.models import Delivery
from tests.conftest import login


def _test_form(page: str) -> str:
    return page.split('class="send-test"', 1)[1].split("</button>", 1)[0]


def test_the_test_is_offered_in_my_own_language_first(client, make, template):
    organiser = make.user(roles=("organiser",), locale="fr")
    tpl = template()
    login(client, organiser)
    form = _test_form(client.get(f"/messaging/templates/{tpl.id}").get_data(as_text=True))
    assert "Langue du test" in form
    assert re.search(r'<option [^>]*selected[^>]*value="fr"', form)
    assert re.search(r'<option [^>]*lang="en"[^>]*>English</option>', form)


def test_a_french_organiser_gets_the_english_test_by_email_and_in_the_inbox(
    auth, client, make, template, smtp
):
    organiser = make.user(
        roles=("organiser",), locale="fr", email="me@example.org", display_name="Nora Benali"
    )
    tpl = template()
    login(client, organiser)
    response = auth.post(f"/messaging/templates/{tpl.id}/test", data={"language": "en"})
    assert response.status_code == 302
    [(to, email)] = smtp.messages
    assert to == "me@example.org" and email["Subject"] == "[Test] Hello Nora"
    text = email.get_body(("plain",)).get_content()
    assert "Hello Nora." in text and "Unsubscribe from these e-mails:" in text
    inbox = db.session.scalar(
        select(Delivery).where(Delivery.user_id == organiser.id, Delivery.channel == "inbox")
    )
    assert (inbox.subject, inbox.locale) == ("[Test] Hello Nora", "en")


def test_a_language_the_portal_does_not_write_is_refused(auth, client, make, template, smtp):
    login(client, make.user(roles=("organiser",)))
    response = auth.post(f"/messaging/templates/{template().id}/test", data={"language": "de"})
    assert response.status_code == 400
    assert smtp.messages == []
