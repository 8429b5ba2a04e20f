"""Signing in and out through the real form."""

from app.auth.models import User
from app.extensions import db
from tests.conftest import CSRF_RE, login
from tests.factories import DEFAULT_PASSWORD


def test_sign_in_with_right_password_opens_the_dashboard(client, auth, make):
    user = make.user(display_name="Inès Roux")
    response = auth.sign_in(user)
    assert response.status_code == 302
    assert "Inès" in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_with_a_message(client, auth, make):
    user = make.user()
    response = auth.sign_in(user, password="not the password")
    assert response.status_code == 401
    assert "Wrong e-mail address or password" in response.get_data(as_text=True) or (
        "Adresse e-mail ou mot de passe incorrect" in response.get_data(as_text=True)
    )
    assert client.get("/").status_code == 302


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(auth, make):
    response = auth.sign_in("nobody@example.org", password="whatever")
    assert response.status_code == 401


def test_account_without_password_cannot_sign_in(auth, make):
    user = make.user(password=None)
    assert auth.sign_in(user, password="").status_code == 400
    assert auth.sign_in(user, password="anything").status_code == 401


def test_sign_in_is_rate_limited(auth, make):
    user = make.user()
    statuses = [auth.sign_in(user, password="wrong").status_code for _ in range(6)]
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429


def test_sign_out_ends_every_session_of_the_user(app, client, auth, make):
    user = make.user()
    other_device = app.test_client()
    login(other_device, user)
    assert other_device.get("/").status_code == 200
    auth.sign_in(user)
    auth.sign_out()
    assert client.get("/").status_code == 302
    assert other_device.get("/").status_code == 302


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, auth, make):
    user = make.user()
    other_device = app.test_client()
    login(other_device, user)
    auth.sign_in(user)
    response = auth.post(
        "/auth/profile/password",
        {
            "current_password": "correct horse battery",
            "new_password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other_device.get("/").status_code == 302


def test_deactivated_account_loses_its_session(client, make):
    user = make.user()
    login(client, user)
    assert client.get("/").status_code == 200
    db.session.get(User, user.id).active = False
    db.session.commit()
    assert client.get("/").status_code == 302


def test_next_parameter_never_redirects_to_another_host(client, auth, make):
    user = make.user()
    response = client.post(
        "/auth/sign-in?next=//evil.example/",
        data={
            "email": user.email,
            "password": "correct horse battery",
            "csrf_token": _token(client),
        },
    )
    assert response.headers["Location"] == "/"


def _token(client):
    from tests.conftest import csrf_token

    return csrf_token(client)


ENGLISH_BROWSER = {"Accept-Language": "en-GB,en;q=0.9"}


def _sign_in_from(client, user, headers, password=DEFAULT_PASSWORD):
    page = client.get("/auth/sign-in", headers=headers).get_data(as_text=True)
    form = {"email": user.email, "password": password, "csrf_token": CSRF_RE.search(page)[1]}
    return client.post("/auth/sign-in", data=form, headers=headers)


def test_a_person_who_never_chose_keeps_the_language_they_signed_in_with(client, make):
    """Messages are written later, with no browser to ask: they follow this language."""
    user = make.user(locale=None)
    assert _sign_in_from(client, user, ENGLISH_BROWSER).status_code == 302
    assert db.session.get(User, user.id).locale == "en"
    # From a French browser later, the portal stays in the language kept.
    home = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="en">' in home


def test_a_language_the_person_chose_is_kept_whatever_the_browser(client, make):
    user = make.user(locale="fr")
    assert _sign_in_from(client, user, ENGLISH_BROWSER).status_code == 302
    assert db.session.get(User, user.id).locale == "fr"
    assert '<html lang="fr">' in client.get("/", headers=ENGLISH_BROWSER).get_data(as_text=True)


def test_a_refused_sign_in_keeps_no_language(client, make):
    user = make.user(locale=None)
    answer = _sign_in_from(client, user, ENGLISH_BROWSER, password="not the password")
    assert answer.status_code == 401
    assert db.session.get(User, user.id).locale is None
