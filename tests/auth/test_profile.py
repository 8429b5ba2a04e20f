"""The profile page: preferences, consent, API tokens, ownership of tokens."""

import re

from app.auth.models import ApiToken, User
from app.extensions import db
from tests.conftest import login


def test_profile_shows_privacy_friendly_defaults(client, make):
    user = make.user()
    login(client, user)
    page = client.get("/auth/profile").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="pseudonym"', page)
    assert not re.search(r'<input[^>]*checked[^>]*name="email_opt_in"', page)
    assert 'aria-invalid="None"' not in page


def test_saving_preferences_records_consent_time(client, auth, make):
    user = make.user()
    login(client, user)
    response = auth.post(
        "/auth/profile/preferences", {"locale": "en", "visibility": "name", "email_opt_in": "y"}
    )
    assert response.status_code == 302
    saved = db.session.get(User, user.id)
    assert (saved.locale, saved.leaderboard_visibility, saved.email_opt_in) == ("en", "name", True)
    assert saved.email_opt_in_changed_at is not None


def test_invalid_visibility_is_refused_and_changes_nothing(client, auth, make):
    user = make.user()
    login(client, user)
    response = auth.post("/auth/profile/preferences", {"locale": "fr", "visibility": "everyone"})
    assert response.status_code == 422
    assert db.session.get(User, user.id).leaderboard_visibility == "pseudonym"


def test_wrong_current_password_is_refused(client, auth, make):
    user = make.user()
    login(client, user)
    response = auth.post(
        "/auth/profile/password",
        {
            "current_password": "not it",
            "new_password": "another long passphrase",
            "confirm_password": "another long passphrase",
        },
    )
    assert response.status_code == 422
    assert "mot de passe actuel" in response.get_data(as_text=True)


def test_new_token_is_shown_once_and_stored_hashed(client, auth, make):
    user = make.user()
    login(client, user)
    page = auth.post("/auth/profile/tokens", {"name": "my script"}, follow_redirects=True).get_data(
        as_text=True
    )
    raw = page.split('<code id="new-token">', 1)[1].split("<", 1)[0]
    stored = db.session.scalars(db.select(ApiToken)).one()
    assert raw.startswith("emp_") and stored.token_digest == ApiToken.digest(raw)
    assert raw not in client.get("/auth/profile").get_data(as_text=True)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def test_nobody_can_revoke_someone_elses_token(app, client, auth, make):
    owner, intruder = make.user(), make.user()
    owner_client = app.test_client()
    login(owner_client, owner)
    from tests.conftest import Auth

    Auth(owner_client).post("/auth/profile/tokens", {"name": "owner's"})
    token = db.session.scalars(db.select(ApiToken)).one()
    login(client, intruder)
    response = auth.post(f"/auth/profile/tokens/{token.id}/revoke")
    assert response.status_code == 404
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_profile_requires_sign_in(client):
    response = client.get("/auth/profile")
    assert response.status_code == 302
    assert "/auth/sign-in" in response.headers["Location"]


def test_the_language_shown_is_the_one_preselected(client, auth, make):
    """Saving another preference never switches the language someone reads the portal in."""
    user = make.user(locale=None)
    login(client, user)
    page = client.get("/auth/profile", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert re.search(r'<input checked[^>]*name="locale"[^>]*value="en"', page) or re.search(
        r'<input checked[^>]*value="en"[^>]*name="locale"', page
    )
    assert not re.search(r'<input checked[^>]*value="fr"', page)


def _input_tag(page: str, field_id: str) -> str:
    return re.search(rf'<input[^>]*id="{field_id}"[^>]*>', page).group(0)


def test_a_refused_password_change_takes_the_person_to_the_refused_field(client, auth, make):
    """The form is far down the page: without the focus on it, the error was unseen."""
    user = make.user()
    login(client, user)
    response = auth.post(
        "/auth/profile/password",
        {
            "current_password": "not it",
            "new_password": "another long passphrase",
            "confirm_password": "another long passphrase",
        },
    )
    page = response.get_data(as_text=True)
    current = _input_tag(page, "current_password")
    assert response.status_code == 422
    assert " autofocus" in current and 'aria-invalid="true"' in current
    assert 'aria-describedby="current_password-error"' in current
    assert page.count(" autofocus") == 1
    assert db.session.get(User, user.id).password_hash == user.password_hash


def test_the_focus_goes_to_the_first_refused_field_in_the_order_shown(client, auth, make):
    login(client, make.user())
    page = auth.post(
        "/auth/profile/password",
        {"current_password": "", "new_password": "short", "confirm_password": "other"},
    ).get_data(as_text=True)
    assert " autofocus" in _input_tag(page, "current_password")
    assert page.count(" autofocus") == 1


def test_a_refused_token_name_takes_the_focus(client, auth, make):
    user = make.user()
    login(client, user)
    response = auth.post("/auth/profile/tokens", {"name": "   "})
    assert response.status_code == 422
    assert " autofocus" in _input_tag(response.get_data(as_text=True), "name")
    assert db.session.scalar(db.select(ApiToken).filter_by(user_id=user.id)) is None


def test_an_untouched_profile_gives_the_focus_to_nothing(client, make):
    login(client, make.user())
    assert " autofocus" not in client.get("/auth/profile").get_data(as_text=True)


def test_the_profile_leads_to_what_is_kept_about_the_person_and_why(client, make):
    """The export and the erasure are on the profile; why the data are kept, how long
    and whom to ask are in the privacy notice, which the profile now names."""
    login(client, make.user())
    page = client.get("/auth/profile").get_data(as_text=True)
    assert re.search(
        r'<a href="/privacy">Ce que le portail garde sur vous, pourquoi, combien de temps, '
        r"et vos droits</a>",
        page,
    )
