"""The sign-in and profile forms refuse in the portal's own words, in the page's
language: not WTForms' stock sentences ("Field must be between 10 and 200 characters
long.", "This field is required.")."""

import html
import re

import pytest

from tests.conftest import csrf_token, login

STOCK = ("Field must be", "This field is required", "Field cannot be longer",
         "Ce champ est requis", "Ce champ est obligatoire", "Le champ doit", "Le champ ne peut")  # fmt: skip


def error_of(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)).strip() if found else ""


@pytest.mark.parametrize(
    ("locale", "short", "again"),
    [
        ("en", "Your new password needs at least 10 characters.", "Type your new password again."),
        ("fr", "Votre nouveau mot de passe doit compter au moins 10\u00a0caractères.",
         "Saisissez de nouveau votre nouveau mot de passe."),
    ],
)  # fmt: skip
def test_a_short_new_password_and_an_empty_repeat_are_said_in_the_portals_words(
    client, auth, make, locale, short, again
):
    login(client, make.user(locale=locale))
    response = auth.post(
        "/auth/profile/password",
        {"current_password": "correct horse battery", "new_password": "abcde",
         "confirm_password": ""},
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    # The number is written as the page's language writes numbers (10 either way here).
    assert error_of(page, "new_password").replace(" ", "\u00a0") == short.replace(" ", "\u00a0")
    assert error_of(page, "confirm_password") == again
    assert not any(stock in html.unescape(page) for stock in STOCK)


def test_an_empty_current_password_is_asked_for(client, auth, make):
    login(client, make.user(locale="en"))
    page = auth.post(
        "/auth/profile/password",
        {"current_password": "", "new_password": "a long enough one", "confirm_password": ""},
    ).get_data(as_text=True)
    assert error_of(page, "current_password") == "Enter your current password."
    assert error_of(page, "confirm_password") == "Type your new password again."


def test_an_empty_sign_in_form_asks_for_the_address_and_the_password(client):
    response = client.post(
        "/auth/sign-in?lang=en",
        data={"email": "", "password": "", "csrf_token": csrf_token(client)},
    )
    page = html.unescape(response.get_data(as_text=True))
    assert "Enter your e-mail address." in page
    assert "Enter your password." in page
    assert not any(stock in page for stock in STOCK)


def test_an_empty_link_form_asks_for_the_address_in_french(client):
    response = client.post(
        "/auth/sign-in/link?lang=fr",
        data={"link-email": "", "csrf_token": csrf_token(client)},
    )
    page = html.unescape(response.get_data(as_text=True))
    assert "Saisissez votre adresse e-mail." in page
    assert not any(stock in page for stock in STOCK)


def test_a_token_name_too_long_is_said_in_the_portals_words(client, auth, make):
    login(client, make.user(locale="en"))
    page = auth.post("/auth/profile/tokens", {"name": "x" * 300, "scope": "read"}).get_data(
        as_text=True
    )
    assert "A token&#39;s name holds at most" in page or "A token's name holds at most" in page
    assert not any(stock in html.unescape(page) for stock in STOCK)
