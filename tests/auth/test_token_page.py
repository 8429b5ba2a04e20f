"""Personal API tokens on the profile page: a new token shown once in the form's answer,
with the focus on it; names that tell tokens apart; refusals worded for the person."""

import re

import pytest
from playwright.sync_api import expect

from app.auth.models import ApiToken
from app.extensions import db
from tests.conftest import login

TOKEN_RE = re.compile(r'<code id="new-token">(emp_[^<]+)</code>')


def _tokens_of(user) -> list[str]:
    return list(db.session.scalars(db.select(ApiToken.name).filter_by(user_id=user.id)))


def _name_input(page: str) -> str:
    return re.search(r'<input[^>]*name="name"[^>]*>', page).group(0)


def test_a_new_token_is_shown_in_the_answer_and_only_once(client, auth, make):
    """Never through the session cookie (see test_new_token_not_in_cookie.py); a reload
    posts the form again, refused for its name (no second token)."""
    user = make.user()
    login(client, user)
    response = auth.post("/auth/profile/tokens", {"name": "my script"})
    assert response.status_code == 200
    raw = TOKEN_RE.search(response.get_data(as_text=True)).group(1)
    stored = db.session.scalars(db.select(ApiToken).filter_by(user_id=user.id)).one()
    assert stored.token_digest == ApiToken.digest(raw)
    # Reloading the page shows it no more (and creates nothing).
    assert "new-token" not in client.get("/auth/profile").get_data(as_text=True)
    assert _tokens_of(user) == ["my script"]


def test_the_new_tokens_box_takes_the_focus(client, auth, make):
    login(client, make.user())
    page = auth.post("/auth/profile/tokens", {"name": "my script"}).get_data(as_text=True)
    box = re.search(r'<div[^>]*id="new-token-box"[^>]*>', page).group(0)
    assert 'tabindex="-1"' in box and " autofocus" in box
    assert page.count(" autofocus") == 1


def test_a_name_already_used_by_an_active_token_is_refused_at_the_field(client, auth, make):
    """Two "Revoke my script" buttons could not be told apart (case and spaces aside)."""
    user = make.user(locale="en")
    login(client, user)
    auth.post("/auth/profile/tokens", {"name": "my script"})
    response = auth.post("/auth/profile/tokens", {"name": "  My Script "})
    assert response.status_code == 422
    field = _name_input(response.get_data(as_text=True))
    assert 'aria-invalid="true"' in field and " autofocus" in field
    assert "You already have a token with this name: choose another." in response.text
    assert _tokens_of(user) == ["my script"]


def test_a_revoked_tokens_name_can_be_given_again(client, auth, make):
    user = make.user()
    login(client, user)
    auth.post("/auth/profile/tokens", {"name": "my script"})
    old = db.session.scalars(db.select(ApiToken).filter_by(user_id=user.id)).one()
    auth.post(f"/auth/profile/tokens/{old.id}/revoke")
    assert auth.post("/auth/profile/tokens", {"name": "my script"}).status_code == 200
    assert _tokens_of(user) == ["my script", "my script"]


@pytest.mark.parametrize(
    ("locale", "message"), [("fr", "Donnez un nom au jeton."), ("en", "Give the token a name.")]
)
def test_an_empty_name_asks_to_name_the_token(client, auth, make, locale, message):
    """Not the generic « Ce champ est requis. »."""
    login(client, make.user(locale=locale))
    response = auth.post("/auth/profile/tokens", {"name": "  "})
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="name-error">([^<]*)</p>', response.text)
    assert error.group(1) == message


@pytest.mark.browser
def test_in_the_browser_a_new_token_gets_the_focus_and_a_reload_keeps_one(page, make):
    """With JavaScript: created from the keyboard, the token's box has the focus, the
    address holds no token, and reloading neither shows it again nor creates another."""
    user = make.user(email="ines@example.org")
    page.goto("/auth/sign-in")
    page.locator("#email").fill("ines@example.org")
    page.get_by_label("Mot de passe (obligatoire)", exact=True).fill("correct horse battery")
    page.get_by_label("Mot de passe (obligatoire)", exact=True).press("Enter")
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto("/auth/profile")
    page.get_by_text("Pour les développeurs\u00a0: jetons d'API personnels").click()  # folded
    page.get_by_label("Nom du jeton").fill("mon script")
    page.get_by_label("Nom du jeton").press("Enter")
    expect(page.locator("#new-token-box")).to_be_focused()
    raw = page.locator("#new-token").inner_text()
    assert raw.startswith("emp_") and raw not in page.url
    page.reload()
    expect(page.locator("#new-token")).to_have_count(0)
    assert _tokens_of(user) == ["mon script"]


def test_each_token_says_whether_it_is_active_or_revoked(client, auth, make):
    """The status column held only the Revoke button for a token in use."""
    login(client, make.user(locale="fr"))
    auth.post("/auth/profile/tokens", {"name": "script actif"})
    page = client.get("/auth/profile").get_data(as_text=True)
    row = re.search(r"<tr[^>]*>\s*<th[^>]*>script actif.*?</tr>", page, re.S).group(0)
    assert "Actif" in row and "Révoqué" not in row
