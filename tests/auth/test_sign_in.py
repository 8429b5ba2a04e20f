"""Signing in and out through the real form."""

import re

from app.auth.models import User
from app.extensions import db
from tests.conftest import CSRF_RE, csrf_token, login
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
    assert auth.sign_in(user, password="").status_code == 422
    assert auth.sign_in(user, password="anything").status_code == 401


def test_sign_in_is_rate_limited(auth, make):
    user = make.user()
    statuses = [auth.sign_in(user, password="wrong").status_code for _ in range(6)]
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429


def test_sign_out_on_all_devices_ends_every_session_of_the_user(app, client, auth, make):
    user = make.user()
    other_device = app.test_client()
    login(other_device, user)
    assert other_device.get("/").status_code == 200
    auth.sign_in(user)
    auth.post("/auth/profile/sign-out-everywhere")
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


def _token_of_a_page_left_open(app) -> str:
    """A token from a page whose session cookie is gone since (another browser's)."""
    from tests.conftest import csrf_token

    return csrf_token(app.test_client())


def test_signing_in_from_a_page_left_open_shows_the_form_again(app, client, make):
    """The session cookie went overnight: the form again, not an error page."""
    user = make.user()
    response = client.post(
        "/auth/sign-in?next=/privacy",
        data={
            "email": user.email,
            "password": "correct horse battery",
            "csrf_token": _token_of_a_page_left_open(app),
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "La page avait expiré\u00a0: connectez-vous à nouveau." in page
    assert 'action="/auth/sign-in?next=/privacy"' in page
    assert f'value="{user.email}"' in page and "correct horse battery" not in page
    assert client.get("/").status_code == 302  # nobody signed in
    again = client.post(
        "/auth/sign-in?next=/privacy",
        data={
            "email": user.email,
            "password": "correct horse battery",
            "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1),
        },
    )
    assert again.headers["Location"] == "/privacy"


def test_signing_out_from_a_page_left_open_when_signed_out_says_so(app, client):
    response = client.post("/auth/sign-out", data={"csrf_token": _token_of_a_page_left_open(app)})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/sign-in"
    assert "Déconnexion effectuée." in client.get("/auth/sign-in").get_data(as_text=True)


def test_signing_out_with_another_sessions_token_asks_again_and_signs_out_nobody(app, client, make):
    """A still signed-in person whose page is older than their session (or a forged
    request): asked to confirm, with a fresh token; signed out only then."""
    user = make.user()
    login(client, user)
    response = client.post("/auth/sign-out", data={"csrf_token": _token_of_a_page_left_open(app)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "la déconnexion n'a pas encore eu lieu" in page.replace("&#39;", "'")
    assert client.get("/").status_code == 200  # still signed in
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post("/auth/sign-out", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_a_sign_in_form_with_a_token_that_is_none_is_still_refused_outright(client, make):
    user = make.user()
    client.get("/auth/sign-in")  # a session, with its token
    response = client.post(
        "/auth/sign-in",
        data={"email": user.email, "password": "correct horse battery", "csrf_token": "forged"},
    )
    assert response.status_code == 400
    assert "Votre formulaire a expiré" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_signing_out_says_it_is_on_this_device_only(client, auth, make):
    auth.sign_in(make.user(locale="en"))
    auth.sign_out()
    page = client.get("/auth/sign-in").get_data(as_text=True)
    assert "You are signed out on this device. Your other devices stay signed in." in page
    assert '<html lang="en">' in page  # the language the person was reading


def test_the_french_sign_out_message_is_written_without_a_middle_dot(client, auth, make):
    auth.sign_in(make.user(locale="fr"))
    auth.sign_out()
    page = client.get("/auth/sign-in").get_data(as_text=True)
    assert "Déconnexion effectuée sur cet appareil." in page


def _title(response) -> str:
    return re.search(r"<title>([^<]*)</title>", response.get_data(as_text=True)).group(1)


def test_a_refused_sign_in_says_error_first_in_the_page_title(auth, client, make):
    """A screen reader reads the title first: a sign-in refused, whether its fields were
    wrong or its credentials, begins with « Erreur : »; the page itself does not."""
    user = make.user()
    assert not _title(client.get("/auth/sign-in")).startswith("Erreur")
    assert _title(auth.sign_in(user, password="")).startswith("Erreur\u00a0: ")
    assert _title(auth.sign_in(user, password="wrong")).startswith("Erreur\u00a0: ")


def test_a_refused_request_for_a_link_says_error_first_in_the_page_title(client):
    response = client.post(
        "/auth/sign-in/link",
        data={"link-email": "not an address", "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 422
    assert _title(response).startswith("Erreur\u00a0: ")
