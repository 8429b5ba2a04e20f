"""The page frame (app/core/frame.py) is kept per language, roles and page, but what
belongs to one request (CSRF token, the language button's way back, badges) is its own."""

import html
import re

from app.extensions import db
from tests.conftest import login


def _next_field(page: str) -> str:
    return html.unescape(re.search(r'name="next" value="([^"]*)"', page).group(1))


def test_the_menu_follows_the_roles_of_each_person(app, make):
    admin, employee = app.test_client(), app.test_client()
    login(admin, make.user(roles=("employee", "admin"), locale="en"))
    login(employee, make.user(locale="en"))
    assert "Administration" in admin.get("/privacy").get_data(as_text=True)
    assert "Administration" not in employee.get("/privacy").get_data(as_text=True)
    assert "Administration" in admin.get("/privacy").get_data(as_text=True)


def test_the_frame_follows_the_language_of_each_request(client, make):
    user = make.user(locale="en")
    login(client, user)
    assert "Sign out" in client.get("/privacy").get_data(as_text=True)
    user.locale = "fr"
    db.session.commit()
    page = client.get("/privacy").get_data(as_text=True)
    assert "Se déconnecter" in page and '<html lang="fr">' in page


def test_the_language_button_comes_back_to_this_very_request_escaped(client, make):
    login(client, make.user(locale="en"))
    first = client.get("/catalogue/?q=laptop").get_data(as_text=True)
    hostile = client.get('/catalogue/?q="><script>alert(1)</script>').get_data(as_text=True)
    assert _next_field(first) == "/catalogue/?q=laptop"
    assert _next_field(hostile) == '/catalogue/?q="><script>alert(1)</script>'
    assert "<script>alert(1)</script>" not in hostile


def test_each_session_gets_its_own_csrf_token_in_the_frame(app, make):
    from app.auth.models import User

    first, second = app.test_client(), app.test_client()
    first_user = make.user(locale="fr")
    login(first, first_user)
    login(second, make.user())
    first.get("/privacy")  # the frame of this page is now kept
    page = second.get("/privacy").get_data(as_text=True)
    header_token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    assert set(re.findall(r'name="csrf_token" value="([^"]+)"', page)) == {header_token}
    assert "\ue000" not in page  # no placeholder left behind
    answer = second.post(
        "/language", data={"lang": "en", "next": "/privacy", "csrf_token": header_token}
    )
    assert answer.status_code == 302  # the token is this session's: accepted
    refused = first.post(
        "/language", data={"lang": "en", "next": "/privacy", "csrf_token": header_token}
    )
    # and no one else's: taken as a page whose session has gone, nothing is switched
    assert refused.status_code == 302 and refused.headers["Location"] == "/privacy"
    assert db.session.get(User, first_user.id).locale == "fr"
    assert "choisissez à nouveau la langue" in first.get("/privacy").get_data(as_text=True)


def test_the_tab_title_names_the_page_then_the_portal(client, make):
    """What a tab, a bookmark and a screen reader announce first (RGAA 8.6)."""
    assert "<title>Sign in · Empreinte</title>" in client.get("/auth/sign-in?lang=en").get_data(
        as_text=True
    )
    login(client, make.user(locale="fr"))
    assert "<title>Catalogue · Empreinte</title>" in client.get("/catalogue/").get_data(
        as_text=True
    )


def _refused_password_change(client) -> str:
    from tests.conftest import csrf_token

    data = {
        "current_password": "not it",
        "new_password": "another long passphrase",
        "confirm_password": "another long passphrase",
        "csrf_token": csrf_token(client),
    }
    return client.post("/auth/profile/password", data=data).get_data(as_text=True)


def test_after_a_refused_form_the_language_button_lands_on_a_page_in_that_language(client, make):
    """The page of a refused form is the answer to a POST: coming back to its address
    with a GET was a 405 error page."""
    login(client, make.user(locale="fr"))
    page = _refused_password_change(client)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post(
        "/language",
        data={"lang": "en", "next": _next_field(page), "csrf_token": token},
        follow_redirects=True,
    )
    assert answer.status_code == 200
    assert answer.request.path == "/auth/profile"
    assert '<html lang="en">' in answer.get_data(as_text=True)


def test_after_a_post_the_language_button_comes_back_to_the_page_that_sent_it(client, make):
    login(client, make.user(locale="en"))
    from tests.conftest import csrf_token

    data = {"current_password": "x", "csrf_token": csrf_token(client)}
    ours = client.post(
        "/auth/profile/password", data=data, headers={"Referer": "http://localhost/privacy?a=1"}
    )
    theirs = client.post(
        "/auth/profile/password", data=data, headers={"Referer": "https://evil.example/privacy"}
    )
    assert _next_field(ours.get_data(as_text=True)) == "/privacy?a=1"
    # The form's own address, which answers GET (leading to the password on the profile).
    assert _next_field(theirs.get_data(as_text=True)) == "/auth/profile/password"


def test_a_language_button_naming_a_post_only_address_goes_home(client, make):
    """Pages already open in a browser still name the address of the form they answered."""
    from tests.conftest import csrf_token

    login(client, make.user(locale="fr"))
    answer = client.post(
        "/language",
        data={
            "lang": "en",
            "next": "/auth/profile/tokens/7/revoke",
            "csrf_token": csrf_token(client),
        },
    )
    assert answer.status_code == 302 and answer.headers["Location"] == "/"


def test_no_page_of_several_forms_repeats_an_id(client, make):
    """Each form's CSRF field had id="csrf_token": four times on the profile, twice on the
    sign-in page. An id names one element (a label, aria-describedby rely on it)."""
    sign_in_page = client.get("/auth/sign-in").get_data(as_text=True)
    login(client, make.user())
    profile = client.get("/auth/profile").get_data(as_text=True)
    for page in (sign_in_page, profile):
        ids = re.findall(r'\sid="([^"]+)"', page)
        assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
