"""Just after a link sign-in, the profile does not call a password optional and then
label its field required: it says the fields are needed to set one."""

import html

from app.auth.routes import LINK_SIGN_IN_KEY
from app.core.time import utcnow
from tests.conftest import login


def _page(client, make, language: str) -> str:
    person = make.user(password=None, locale=language)
    login(client, person)
    with client.session_transaction() as session:
        session[LINK_SIGN_IN_KEY] = [person.id, int(utcnow().timestamp())]
    return html.unescape(client.get(f"/auth/profile?lang={language}").get_data(as_text=True))


def test_the_password_form_says_when_its_fields_are_needed_in_english(client, make):
    page = _page(client, make, "en")
    assert "A password is optional" not in page
    assert "You do not need one: a link works just as well. To set one, fill in both fields" in page


def test_the_password_form_says_when_its_fields_are_needed_in_french(client, make):
    page = _page(client, make, "fr")
    assert "facultatif" not in page
    assert "Pour en choisir un, remplissez les deux champs" in page
