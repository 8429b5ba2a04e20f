"""Most staff have no password: the sign-in page offers the link by e-mail first, and a
refused password sign-in leads to it with the address already typed, for every address
alike (known or not)."""

import html
import re

import pytest

from tests.conftest import csrf_token


def _text(page: str) -> str:
    """The page's words, French non-breaking spaces read as spaces."""
    words = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.sub(r"[\u00a0\u202f]", " ", words)


def _link_form_address(page: str) -> str | None:
    """The address already in the form asking for a link, if any."""
    tag = re.search(r'<input[^>]*name="link-email"[^>]*>', page)
    value = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    return html.unescape(value.group(1)) if value else None


def test_the_link_form_comes_before_the_password_form_as_the_main_button(client):
    page = client.get("/auth/sign-in?lang=fr").get_data(as_text=True)
    link_form = page.index('action="/auth/sign-in/link"')
    password_form = page.index('action="/auth/sign-in"')
    assert link_form < password_form
    main_button = re.search(r'<button type="submit" class="primary">([^<]*)</button>', page)
    assert main_button.group(1) == "M'envoyer un lien de connexion"


@pytest.mark.parametrize("known", [True, False])
def test_a_wrong_password_points_to_the_link_with_the_address_typed(client, make, known):
    address = make.user(password=None).email if known else "nobody@example.org"
    answer = client.post(
        "/auth/sign-in?lang=fr",
        data={"email": address, "password": "a guess", "csrf_token": csrf_token(client)},
    )
    assert answer.status_code == 401
    page = answer.get_data(as_text=True)
    assert (
        "Adresse e-mail ou mot de passe incorrect. Pas de mot de passe ? Demandez un lien "
        "de connexion juste en dessous : votre adresse y est déjà saisie."
    ) in _text(page)
    assert _link_form_address(page) == address


def test_an_empty_password_points_to_the_link_with_the_address_typed(client):
    answer = client.post(
        "/auth/sign-in?lang=en",
        data={"email": "camille@example.org", "password": "", "csrf_token": csrf_token(client)},
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "Enter your password. No password? Ask for a sign-in link above." in _text(page)
    assert _link_form_address(page) == "camille@example.org"


def test_a_first_visit_leaves_the_link_form_empty(client):
    page = client.get("/auth/sign-in").get_data(as_text=True)
    assert _link_form_address(page) in (None, "")
