"""A person's first visits: the home page says what the portal is for and explains the
pseudonym the portal chose, until they hide it (a form with its CSRF token, kept on the
account)."""

import html
import re

from app.auth import services
from tests.conftest import login


def _text(page: str) -> str:
    words = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.sub(r"\s+", " ", re.sub(r"[\u00a0\u202f]", " ", words))


def test_a_first_visit_explains_the_portal_and_the_pseudonym(client, make):
    person = make.user(pseudonym="Loutre-Agile-12")
    login(client, person)
    page = client.get("/?lang=fr").get_data(as_text=True)
    words = _text(page)
    assert "Bienvenue sur Empreinte" in words
    assert "vos collègues vous voient sous le nom Loutre-Agile-12 : un pseudonyme choisi" in words
    assert 'href="/auth/profile#prefs-title">votre profil' in page
    assert 'href="/privacy#summary"' in page


def test_hiding_the_welcome_keeps_it_hidden_on_later_visits(client, auth, make):
    person = make.user()
    login(client, person)
    answer = auth.post("/welcome/dismiss")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/"
    assert services.welcome_dismissed(person)
    assert "Welcome to Empreinte" not in client.get("/?lang=en").get_data(as_text=True)


def test_hiding_the_welcome_without_the_forms_token_changes_nothing(client, make):
    person = make.user()
    login(client, person)
    answer = client.post("/welcome/dismiss", data={})
    assert answer.status_code < 500
    assert not services.welcome_dismissed(person)
    assert "Welcome to Empreinte" in client.get("/?lang=en").get_data(as_text=True)


def test_hiding_the_welcome_hides_it_for_that_person_only(app, client, auth, make):
    person, colleague = make.user(), make.user()
    login(client, person)
    auth.post("/welcome/dismiss")
    other = app.test_client()
    login(other, colleague)
    assert "Welcome to Empreinte" in other.get("/?lang=en").get_data(as_text=True)
