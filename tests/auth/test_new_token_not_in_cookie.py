"""A new API token is shown once in the answer to the form that creates it, and never
travels in the session cookie: Flask's cookie is signed, not encrypted, so whoever holds
it (a shared computer, a proxy's log) could read a token kept there for a redirect."""

import re

from app.auth.models import ApiToken
from app.extensions import db
from tests.conftest import login

TOKEN_RE = re.compile(r'<code id="new-token">(emp_[^<]+)</code>')


def _sessions_set(app, response) -> list[dict]:
    """Every session cookie the response sets, decoded as the app reads it."""
    name = app.config["SESSION_COOKIE_NAME"]
    serializer = app.session_interface.get_signing_serializer(app)
    values = [
        header.split(";", 1)[0].split("=", 1)[1]
        for header in response.headers.getlist("Set-Cookie")
        if header.startswith(f"{name}=")
    ]
    return [serializer.loads(value) for value in values if value]


def test_the_new_token_is_shown_in_the_answer_and_no_cookie_holds_it(app, client, auth, make):
    user = make.user(locale="en")
    login(client, user)
    # Redirects followed, if any: the token must cross none of them in a cookie.
    response = auth.post("/auth/profile/tokens", {"name": "my script"}, follow_redirects=True)
    raw = TOKEN_RE.search(response.text).group(1)
    assert (
        ApiToken.digest(raw)
        == db.session.scalars(db.select(ApiToken.token_digest).filter_by(user_id=user.id)).one()
    )
    for answer in [*response.history, response]:
        for header in answer.headers.getlist("Set-Cookie"):
            assert raw not in header
        for session in _sessions_set(app, answer):
            assert raw not in repr(session)
    assert response.status_code == 200 and not response.history
    # Nothing waits anywhere to be shown again: the next page has no token box.
    after = client.get("/auth/profile")
    assert "new-token" not in after.text
    assert all(raw not in repr(session) for session in _sessions_set(app, after))


def test_the_answer_holding_the_token_is_never_stored(client, auth, make):
    login(client, make.user())
    response = auth.post("/auth/profile/tokens", {"name": "my script"})
    assert "no-store" in response.headers["Cache-Control"]


def test_the_form_sent_again_by_a_reload_creates_no_second_token(client, auth, make):
    """A reload of the answer posts the same form again: its name is an active token's
    now, so it is refused, and the token is not shown again."""
    user = make.user(locale="en")
    login(client, user)
    auth.post("/auth/profile/tokens", {"name": "my script"})
    again = auth.post("/auth/profile/tokens", {"name": "my script"})
    assert again.status_code == 422
    assert "You already have a token with this name: choose another." in again.text
    assert "new-token" not in again.text
    assert list(db.session.scalars(db.select(ApiToken.name).filter_by(user_id=user.id))) == [
        "my script"
    ]


def test_the_page_with_the_token_shows_the_other_forms_as_they_are_stored(client, auth, make):
    """Filled from the token's post, the e-mail box read as unticked, and the token form
    kept the name just used."""
    login(client, make.user(locale="en", email_opt_in=True))
    page = auth.post("/auth/profile/tokens", {"name": "my script"}).text
    box = re.search(r'<input[^>]*name="email_opt_in"[^>]*>', page).group(0)
    assert " checked" in box
    name = re.search(r'<input[^>]*name="name"[^>]*>', page).group(0)
    assert "my script" not in name
