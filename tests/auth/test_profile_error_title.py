"""A profile form sent back refused says so first, in the page's title (RGAA 8.5, 11.10):
« Erreur : Mon profil », as every other refused form of the portal does."""

import re

import pytest

from app.auth.models import ApiToken, User
from app.auth.routes import LINK_SIGN_IN_KEY
from app.core.privacy_models import ErasureRequest
from app.core.time import utcnow
from app.extensions import db
from tests.conftest import login

# Each profile form, sent with what it refuses.
REFUSED = {
    "preferences": ("/auth/profile/preferences", {"locale": "fr", "visibility": "everyone"}),
    "password": (
        "/auth/profile/password",
        {"current_password": "not it", "new_password": "long enough", "confirm_password": "x"},
    ),
    "token": ("/auth/profile/tokens", {"name": "   "}),
    "erasure": ("/auth/profile/erasure", {}),
}


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.get_data(as_text=True), re.S).group(1)


@pytest.mark.parametrize("form", REFUSED)
def test_a_refused_profile_form_puts_error_first_in_the_title(client, auth, make, form):
    user = make.user()
    login(client, user)
    path, data = REFUSED[form]
    response = auth.post(path, data)
    assert (response.status_code, _title(response)) == (
        422,
        "Erreur\u00a0: Mon profil · Empreinte",
    )
    assert db.session.get(User, user.id).password_hash == user.password_hash
    assert db.session.scalar(db.select(ApiToken)) is None
    assert db.session.scalar(db.select(ErasureRequest)) is None


def test_the_title_says_error_in_english_too(client, auth, make):
    login(client, make.user(locale="en"))
    response = auth.post(*REFUSED["token"])
    assert _title(response) == "Error: My profile · Empreinte"


def test_a_refused_new_password_after_a_link_sign_in_puts_error_first(client, auth, make):
    """The password form without the current password (just after a link sign-in)."""
    person = make.user(password=None)
    login(client, person)
    with client.session_transaction() as session:
        session[LINK_SIGN_IN_KEY] = [person.id, int(utcnow().timestamp())]
    response = auth.post(
        "/auth/profile/password", {"new_password": "short", "confirm_password": "other"}
    )
    assert _title(response).startswith("Erreur\u00a0: ")
    assert db.session.get(User, person.id).password_hash is None


def test_an_accepted_profile_page_has_no_error_in_its_title(client, make):
    login(client, make.user())
    assert _title(client.get("/auth/profile")) == "Mon profil · Empreinte"
