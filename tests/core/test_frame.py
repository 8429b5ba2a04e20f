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
    first, second = app.test_client(), app.test_client()
    login(first, make.user())
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
    assert refused.status_code == 400  # and no one else's


def test_the_tab_title_names_the_page_then_the_portal(client, make):
    """What a tab, a bookmark and a screen reader announce first (RGAA 8.6)."""
    assert "<title>Sign in · Empreinte</title>" in client.get("/auth/sign-in?lang=en").get_data(
        as_text=True
    )
    login(client, make.user(locale="fr"))
    assert "<title>Catalogue · Empreinte</title>" in client.get("/catalogue/").get_data(
        as_text=True
    )
